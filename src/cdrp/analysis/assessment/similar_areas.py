"""Section 6, comparison with similar areas: each district on its family's funnel plot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdrp.analysis.assessment.common import _name, _records, _ref, _table, stacked
from cdrp.analysis.assessment.inputs import (
    AssessmentInputs,
)
from cdrp.analysis.assessment.sections import Figure, Finding, Section, Table
from cdrp.analysis.funnel import funnel, funnel_curve
from cdrp.analysis.peers import family, feature_text, peer_groups
from cdrp.analysis.priorities import peer_position
from cdrp.analysis.readings import funnel_reading


def peers_section(
    inputs: AssessmentInputs, dc_levels: pd.DataFrame
) -> tuple[Section, pd.DataFrame | None]:
    """Section 6, and each district's position in its family by category (priority
    evidence; None without district features)."""
    if inputs.features is None:
        return (
            Section(
                id="peers",
                title="Comparison with similar areas",
                text=[],
                notices=[],
                tables=[],
                figures=[],
                findings=[],
                notices_early=True,
                missing=[
                    "No district features were given (IoD 2019 district summaries, ONS mid-2019 "
                    "populations and Census 2011 areas): families cannot be formed."
                ],
            ),
            None,
        )
    pc = inputs.peer_counts.copy()
    pc["category"] = pc["category"].map(_name)
    available = sorted(
        set(pc["district"].dropna()) & {d for d, p in inputs.peer_populations.items() if p}
    )
    forces = sorted(inputs.peer_forces or [])
    # Several forces held: every family is drawn from the districts with data (ours included,
    # as they are compared with it); one force: the national family, those in the force compared.
    across = len(forces) >= 2
    among = sorted(set(available) | set(inputs.districts)) if across else None
    groups = peer_groups(inputs.features, k=inputs.k, among=among)
    missing = []
    if inputs.peer_forces is not None and len(forces) == 1:
        missing.append(
            f"Only one force's data is held ({forces[0]}): each family is the {inputs.k} most "
            f"similar districts in England, compared only with the members in that force. "
            f"Features used: {feature_text()}. Load other forces' police.uk data for the same "
            "months to compare with the whole family."
        )
    totals = pc.groupby("district")["count"].sum()
    family_rows: list[dict[str, object]] = []
    funnel_rows: list[pd.DataFrame] = []
    figures: list[Figure] = []
    tables: list[Table] = []
    findings: list[Finding] = []
    peer_evidence = []
    for code, name in inputs.districts.items():
        try:
            members = family(groups, code, available=available)
        except ValueError as exc:
            # e.g. a Welsh district: the IoD 2019 features cover English districts only.
            missing.append(
                f"{name} has no family: {exc}. Families need the district's IoD 2019 domain "
                "scores, ONS mid-2019 population and Census 2011 area (English districts only)."
            )
            continue
        full = family(groups, code)
        units = [code, *members]
        frame = pd.DataFrame({"unit": units})
        frame["count"] = frame["unit"].map(totals).fillna(0)
        frame["population"] = frame["unit"].map(inputs.peer_populations).astype(float)
        for rank, peer in enumerate(full, start=1):
            family_rows.append(
                {
                    "key": f"{code}/{peer}",
                    "district": name,
                    "rank": rank,
                    "peer": inputs.peer_names.get(peer, peer),
                    "code": peer,
                    "with_data": "yes" if peer in members else "no",
                }
            )
        if len(units) < 2:
            findings.append(
                {
                    "text": f"{name}: none of its {inputs.k} family members has data loaded, "
                    "so there is no funnel comparison.",
                    "evidence": [_ref("peer-families", f"{code}/{full[0]}")],
                }
            )
            continue
        f = funnel(frame)
        f["name"] = f["unit"].map(lambda u: inputs.peer_names.get(u, u))
        f["district"] = name
        f["key"] = code + "/" + f["unit"]
        f["is_subject"] = f["unit"] == code
        funnel_rows.append(f)
        pops = np.linspace(f["population"].min() * 0.8, f["population"].max() * 1.2, 40)
        curve = funnel_curve(float(f["target_rate"].iloc[0]), pops)
        figures.append(
            {
                "id": f"funnel-{code}",
                "kind": "funnel",
                "title": f"{name} and its family: rate per 1,000 against population",
                "caption": f"{name} (red) and the {len(members)} members of its family "
                f"of {inputs.k} with data, with Poisson 95% (dashed) and 99.8% (solid) control "
                "limits around the family's pooled rate.",
                "data": _records(f, ["name", "population", "rate", "is_subject"]),
                "curve": _records(curve, list(curve.columns)),
            }
        )
        own = f[f["is_subject"]].iloc[0]
        findings.append(
            {
                "text": f"{name}: {own['rate']:.1f} per 1,000 against the family rate of "
                f"{own['target_rate']:.1f} ({len(members)} of {inputs.k} members with data): "
                f"{peer_position(own['position_95'], own['position_99_8'])}.",
                "evidence": [_ref("peer-funnel", f"{code}/{code}")],
                "reading": funnel_reading(
                    name, peer_position(own["position_95"], own["position_99_8"])
                ),
            }
        )
        # Per category: the district's position among the same members (priority evidence).
        sums = pc[pc["district"].isin(units)].groupby(["category", "district"])["count"].sum()
        cell_counts = stacked(sums.unstack(fill_value=0).reindex(columns=units, fill_value=0))
        by = cell_counts.rename("count").reset_index().rename(columns={"district": "unit"})
        by["population"] = by["unit"].map(inputs.peer_populations).astype(float)
        for category, group in by.groupby("category"):
            if group["count"].sum() == 0:
                continue
            g = funnel(group).set_index("unit")
            peer_evidence.append(
                {
                    "district": code,
                    "candidate": category,
                    "value": peer_position(
                        str(g.loc[code, "position_95"]), str(g.loc[code, "position_99_8"])
                    ),
                    "rate": g.loc[code, "rate"],
                    "target": g.loc[code, "target_rate"],
                }
            )
    if not family_rows:
        return (
            Section(
                id="peers",
                title="Comparison with similar areas",
                text=[],
                notices=[],
                tables=[],
                figures=[],
                findings=[],
                notices_early=True,
                missing=missing,
            ),
            None,
        )
    fam = pd.DataFrame(family_rows)
    tables.append(
        _table(
            "peer-families",
            f"Families: the {inputs.k} most similar districts "
            + ("with data" if across else "in England"),
            fam,
            [
                ("district", "District", "text"),
                ("rank", "Rank", "int"),
                ("peer", "Family member", "text"),
                ("code", "Code", "text"),
                ("with_data", "Data loaded", "text"),
            ],
            key="key",
            note=(
                f"Nearest neighbours among the {len(among or [])} districts with data "
                f"({', '.join(forces)}) on {feature_text()} (cdrp.analysis.peers)."
                if across
                else "Nearest neighbours on standardised IoD 2019 domain scores, log population "
                "and log density (cdrp.analysis.peers)."
            ),
        )
    )
    if funnel_rows:
        fr = pd.concat(funnel_rows, ignore_index=True)
        fr["position"] = [
            peer_position(a, b) for a, b in zip(fr["position_95"], fr["position_99_8"], strict=True)
        ]
        tables.append(
            _table(
                "peer-funnel",
                "Each district and its family members with data: rates and control limits",
                fr,
                [
                    ("district", "District", "text"),
                    ("name", "Area", "text"),
                    ("count", "Records", "int"),
                    ("population", "Residents", "int"),
                    ("rate", "Rate per 1,000", "rate"),
                    ("lower_95", "95% lower", "rate"),
                    ("upper_95", "95% upper", "rate"),
                    ("lower_99_8", "99.8% lower", "rate"),
                    ("upper_99_8", "99.8% upper", "rate"),
                    ("position", "Position", "text"),
                ],
                key="key",
            )
        )
    pe = pd.DataFrame(peer_evidence)
    if not pe.empty:
        pe["key"] = pe["district"] + "/" + pe["candidate"]
        pe["name"] = pe["district"].map(inputs.districts)
        tables.append(
            _table(
                "peer-categories",
                "Each district's position in its family by category",
                pe.sort_values(["candidate", "district"]),
                [
                    ("name", "District", "text"),
                    ("candidate", "Category", "text"),
                    ("rate", "Rate per 1,000", "rate"),
                    ("target", "Family rate", "rate"),
                    ("value", "Position", "text"),
                ],
                key="key",
            )
        )
    text = (
        f"Each district's family is its {inputs.k} most similar districts drawn from every "
        f"district with data: the {len(among or [])} districts of {len(forces)} forces loaded "
        f"({', '.join(forces)}), by deprivation (IoD 2019 domains), population and density. "
        "Its rate is compared on a funnel plot with its family, against Poisson 95% and 99.8% "
        "control limits around the pooled family rate (Spiegelhalter 2005)."
        if across
        else f"Each district's family is its {inputs.k} most similar districts in England by "
        "deprivation (IoD 2019 domains), population and density. Its rate is compared on a "
        "funnel plot with the members that have data loaded, against Poisson 95% and 99.8% "
        "control limits around the pooled family rate (Spiegelhalter 2005)."
    )
    section = Section(
        id="peers",
        title="Comparison with similar areas",
        text=[text],
        tables=tables,
        figures=figures,
        findings=findings,
        notices=[],
        missing=missing,
    )
    return section, pe
