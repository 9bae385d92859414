"""Section 3, why: contributions to the change, the Kitagawa split, emerging hot-spots (Gi*)."""

from __future__ import annotations

import pandas as pd

from cdrp.analysis.assessment.common import (
    _ref,
    _table,
    lsoa_boundaries_notice,
    missing_lsoa_boundaries,
)
from cdrp.analysis.assessment.inputs import AssessmentInputs
from cdrp.analysis.assessment.sections import Finding, Section, Table
from cdrp.analysis.decompose import contributions, rate_change_decomposition
from cdrp.analysis.emerging import area_emerging_hotspots, area_table


def why_section(
    inputs: AssessmentInputs, by_cat: pd.DataFrame, by_dist: pd.DataFrame, by_dc: pd.DataFrame
) -> Section:
    """Section 3, from the comparisons of section 2."""
    tables: list[Table] = []
    findings: list[Finding] = []
    dist_only = by_dist[by_dist["district"] != "total"]
    total_change = int(dist_only["current"].sum() - dist_only["baseline"].sum())
    comparable = not by_cat["verdict"].str.startswith("not comparable").any()
    if comparable:
        c = contributions(by_cat, by=["category"])
        d = contributions(dist_only.assign(name=dist_only["name"]), by=["district", "name"])
        dc = contributions(by_dc, by=["district", "category"]).head(12)
        dc["name"] = dc["district"].map(inputs.districts)
        dc["key"] = dc["district"] + "/" + dc["category"]
        cols = [
            ("current", "Current", "int"),
            ("baseline", "Baseline", "int"),
            ("contribution", "Contribution", "int"),
            ("share_of_movement", "Share of movement", "pct"),
        ]
        tables += [
            _table(
                "why-categories",
                "Contribution of each category to the change",
                c,
                [("category", "Category", "text"), *cols],
                key="category",
                note=f"Contributions add up to the total change of {total_change:+,} records.",
            ),
            _table(
                "why-districts",
                "Contribution of each district to the change",
                d,
                [("name", "District", "text"), *cols],
                key="district",
            ),
            _table(
                "why-district-categories",
                "The twelve largest district and category movements",
                dc,
                [("name", "District", "text"), ("category", "Category", "text"), *cols],
                key="key",
            ),
        ]
        if inputs.populations_baseline:
            frame = dist_only[["district", "name", "current", "baseline"]].copy()
            frame["population_current"] = frame["district"].map(inputs.populations)
            frame["population_baseline"] = frame["district"].map(inputs.populations_baseline)
            if frame["population_baseline"].gt(0).all():
                k = rate_change_decomposition(frame.rename(columns={"district": "area"}))
                k["name"] = k["area"].map(inputs.districts)
                tables.append(
                    _table(
                        "why-rate",
                        "Change in the rate per 1,000 split into rate and population effects",
                        k,
                        [
                            ("name", "District", "text"),
                            ("rate_baseline", "Rate before", "rate"),
                            ("rate_current", "Rate now", "rate"),
                            ("rate_effect", "Rate effect", "rate"),
                            ("composition_effect", "Population effect", "rate"),
                            ("contribution", "Contribution", "rate"),
                        ],
                        key="area",
                        note=f"Populations mid-{inputs.population_baseline_year} and mid-"
                        f"{inputs.population_year} (Kitagawa 1955).",
                    )
                )
        up = c[c["contribution"] > 0].head(3)
        down = c[c["contribution"] < 0].head(3)
        text = (
            f"The total {'rose' if total_change > 0 else 'fell'} by {abs(total_change):,} records."
            if total_change
            else "The total did not change."
        )
        if not up.empty:
            text += " Rises led by " + ", ".join(
                f"{r.category} ({r.contribution:+,})" for r in up.itertuples()
            )
            text += "."
        if not down.empty:
            text += " Falls led by " + ", ".join(
                f"{r.category} ({r.contribution:+,})" for r in down.itertuples()
            )
            text += "."
        findings.append(
            {
                "text": text,
                "evidence": [_ref("why-categories", x) for x in [*up.category, *down.category]],
            }
        )
    else:
        findings.append(
            {
                "text": "The change cannot be decomposed: the baseline includes months with no "
                "data.",
                "evidence": [_ref("changes-districts", "total")],
            }
        )
    hot_tables, hot_findings, missing = _emerging_section(inputs)
    tables.extend(hot_tables)
    findings.extend(hot_findings)
    return Section(
        id="why",
        title="Why: what drove the change",
        text=[
            "Each category's (and district's) contribution is its own change in records; the "
            "contributions add up exactly to the partnership's change. The rate change of each "
            "district is split into the change in its rate and the change in its share of the "
            "population.",
        ],
        notices=[],
        tables=tables,
        figures=[],
        findings=findings,
        notices_early=True,
        missing=missing,
    )


# p-values from the normal approximation of Gi* z (as ArcGIS's emerging hot-spot analysis does):
# permutation p-values cannot fall below 1/(R+1), which FDR over hundreds of LSOAs never passes.
HOTSPOT_PERMUTATIONS = 99
HOTSPOT_SEED = 20260401
_EMERGED = ("new", "consecutive", "intensifying", "persistent")
_FADED = ("diminishing", "historical")


def _emerging_section(inputs: AssessmentInputs) -> tuple[list[Table], list[Finding], list[str]]:
    """Hot-spots that emerged or faded: Getis-Ord Gi* on the partnership's LSOAs (queen
    contiguity) for each month of the window, classified by cdrp.analysis.emerging. The third
    item names what was missing (the section's ``missing``)."""
    shapes = (inputs.shapes or {}).get("lsoa") or {}
    monthly = inputs.lsoa_monthly
    codes = [c for c in inputs.lsoa["lsoa"] if c in shapes]
    no_lsoa = missing_lsoa_boundaries(inputs)
    if len(codes) < 3:
        what = "hot-spots were not analysed (Gi* needs the boundaries of at least 3 LSOAs)"
        return [], [], [lsoa_boundaries_notice(inputs, no_lsoa or list(inputs.districts), what)]
    if monthly is None or not len(monthly):
        return (
            [],
            [],
            [
                "Hot-spots were not analysed: no record in the period has an LSOA code or a "
                "location inside a loaded LSOA boundary."
            ],
        )
    missing = []
    if no_lsoa:
        what = "hot-spots were analysed without " + ("it" if len(no_lsoa) == 1 else "them")
        missing.append(lsoa_boundaries_notice(inputs, no_lsoa, what))
    months = sorted(monthly["month"].astype(str).unique())
    window = len(months)
    table = area_table(monthly, "lsoa", codes, months)
    try:
        classes = area_emerging_hotspots(
            table, shapes, permutations=HOTSPOT_PERMUTATIONS, seed=HOTSPOT_SEED
        )
    except ValueError as exc:  # e.g. a month in which every LSOA has the same count
        return [], [], [f"Hot-spots were not analysed: {exc}."]
    names = inputs.lsoa.set_index("lsoa")
    rows = classes[classes["pattern"].str.contains("|".join(_EMERGED + _FADED))].copy()
    rows["lsoa"] = rows.index
    rows["lsoa_name"] = rows["lsoa"].map(names["lsoa_name"])
    rows["district"] = rows["lsoa"].map(names["district"]).map(inputs.districts)
    rows["records"] = rows["lsoa"].map(table.sum(axis=0)).astype(int)
    rank = {kind: i for i, kind in enumerate(_EMERGED + _FADED)}
    rows["_rank"] = rows["pattern"].map(lambda p: min(r for k, r in rank.items() if k in p))
    rows = rows.sort_values(["_rank", "records"], ascending=[True, False])
    note = (
        f"Getis-Ord Gi* on {len(codes)} LSOAs (queen contiguity, binary weights, two-sided "
        f"normal p-values, false discovery rate 5%) for each of the {window} months "
        f"{months[0]} to {months[-1]}; patterns as defined in cdrp.analysis.emerging."
    )
    tables: list[Table] = [
        _table(
            "why-hotspots",
            "Hot-spots that emerged or faded (LSOAs)",
            rows,
            [
                ("lsoa_name", "LSOA", "text"),
                ("district", "District", "text"),
                ("pattern", "Pattern", "text"),
                ("records", "Records in the period", "int"),
            ],
            key="lsoa",
            note=note,
        )
    ]
    emerged = rows[
        rows["pattern"].str.contains("|".join(_EMERGED)) & rows["pattern"].str.contains("hot")
    ]
    faded = rows[rows["pattern"].str.contains("|".join(_FADED))]
    findings: list[Finding] = []
    if len(emerged):
        findings.append(
            {
                "text": f"{len(emerged)} LSOAs are new, consecutive, intensifying or persistent "
                f"hot-spots, led by {', '.join(emerged['lsoa_name'].head(3))}.",
                "evidence": [_ref("why-hotspots", c) for c in emerged["lsoa"].head(10)],
            }
        )
    else:
        findings.append(
            {
                "text": "No LSOA is an emerging or persistent hot-spot in this period.",
                "evidence": [],
            }
        )
    if len(faded):
        findings.append(
            {
                "text": f"{len(faded)} LSOAs are diminishing or historical hot-spots.",
                "evidence": [_ref("why-hotspots", c) for c in faded["lsoa"].head(10)],
            }
        )
    return tables, findings, missing
