"""Section 7, priorities: the scoring matrix with evidence references."""

from __future__ import annotations

import pandas as pd

from cdrp.analysis.assessment.common import _ref, _table
from cdrp.analysis.assessment.inputs import (
    RECOMMENDED,
    AssessmentInputs,
)
from cdrp.analysis.assessment.sections import Finding, Section
from cdrp.analysis.priorities import DEFAULT_WEIGHTS, score_priorities


def priorities_section(
    inputs: AssessmentInputs,
    cats: pd.DataFrame,
    by_cat: pd.DataFrame,
    peer_ev: pd.DataFrame | None,
    concern: pd.DataFrame | None,
) -> tuple[Section, pd.DataFrame]:
    """Section 7, and the ranked candidates."""
    cand = cats["category"]
    # A change that could not be tested is missing evidence, not "no change".
    by_cat = by_cat[~by_cat["verdict"].str.startswith("not comparable")]
    evidence = {
        "volume": pd.DataFrame(
            {"candidate": cand, "value": cats["count"], "ref": "levels-categories#" + cand}
        ),
        "harm": pd.DataFrame(
            {"candidate": cand, "value": cats["harm"], "ref": "levels-categories#" + cand}
        ),
        "trend": pd.DataFrame(
            {
                "candidate": by_cat["category"],
                "value": by_cat["verdict"],
                "ref": "changes-categories#" + by_cat["category"],
            }
        ),
    }
    if peer_ev is not None and not peer_ev.empty:
        # The partnership's peer evidence for a category is its least favourable district.
        order = {"above 99.8% limit": 0, "above 95% limit": 1, "within limits": 2}
        order |= {"below 95% limit": 3, "below 99.8% limit": 4}
        worst = peer_ev.assign(o=peer_ev["value"].map(order)).sort_values(["o", "district"])
        worst = worst.drop_duplicates("candidate")
        evidence["peer"] = pd.DataFrame(
            {
                "candidate": worst["candidate"],
                "value": worst["value"],
                "ref": "peer-categories#" + worst["district"] + "/" + worst["candidate"],
            }
        )
    if concern is not None:
        # Two concerns of one crime type (a tick-box and a problem-scale question about the
        # same thing) are one candidate's evidence: the larger share raised stands for it.
        c = (
            concern.dropna(subset=["category"])
            .sort_values(["share_raised", "concern"], ascending=[False, True], kind="stable")
            .drop_duplicates("category")
        )
        evidence["concern"] = pd.DataFrame(
            {
                "candidate": c["category"],
                "value": c["share_raised"],
                "ref": "community-concerns#" + c["concern"],
            }
        )
    weights = dict(inputs.priority_weights or DEFAULT_WEIGHTS)
    ranked = score_priorities(evidence, weights=weights)
    ranked = ranked[ranked["candidate"].isin(set(cand))]
    for criterion in ("volume", "trend", "harm", "peer", "concern"):
        for suffix in ("value", "score", "ref"):
            if f"{criterion}_{suffix}" not in ranked.columns:
                ranked[f"{criterion}_{suffix}"] = None
    ranked["missing"] = ranked["missing"].map(
        lambda m: ", ".join(m) if isinstance(m, (list, tuple)) else (m or "")
    )
    table = _table(
        "priorities",
        "Priority scoring matrix",
        ranked,
        [
            ("rank", "Rank", "int"),
            ("candidate", "Candidate", "text"),
            ("score", "Score (0-100)", "rate"),
            ("volume_score", "Volume", "ratio"),
            ("trend_score", "Trend", "ratio"),
            ("harm_score", "Harm", "ratio"),
            ("peer_score", "Peers", "ratio"),
            ("concern_score", "Concern", "ratio"),
            ("missing", "No evidence for", "text"),
        ],
        key="candidate",
        note="Weights: " + ", ".join(f"{k} {v:g}" for k, v in weights.items()) + ".",
    )
    # Each score links to the row it came from.
    for row, (_, r) in zip(table["rows"], ranked.iterrows(), strict=True):
        row["_refs"] = {
            c: r[f"{c}_ref"]
            for c in ("volume", "trend", "harm", "peer", "concern")
            if isinstance(r[f"{c}_ref"], str)
        }
    top = ranked.head(RECOMMENDED)
    findings: list[Finding] = [
        {
            "text": "Recommended priorities for the plan: "
            + "; ".join(f"{r.candidate} (score {r.score:.0f})" for r in top.itertuples())
            + ".",
            "evidence": [_ref("priorities", c) for c in top["candidate"]],
        }
    ]
    section = Section(
        id="priorities",
        title="Priorities",
        text=[
            "Each candidate is scored 0 to 1 on volume (records / the largest), trend (the "
            "verdict against the previous period), harm (harm / the largest), peer position "
            "(the least favourable district's funnel position in its family) and community "
            "concern (share of respondents), and the weighted mean is scaled to 100. "
            "Criteria with no evidence are left out of the mean and listed, never counted as "
            "zero. Every score links to the row it came from."
        ],
        tables=[table],
        figures=[],
        findings=findings,
        extra={"recommended": top["candidate"].tolist()},
        notices=[],
    )
    return section, ranked
