"""Section 5, community views: survey concerns ranked beside the recorded picture."""

from __future__ import annotations

import pandas as pd

from cdrp.analysis.assessment.common import _ref, _table
from cdrp.analysis.assessment.inputs import AssessmentInputs
from cdrp.analysis.assessment.sections import Section
from cdrp.analysis.concern import rank_concerns


def community_section(
    inputs: AssessmentInputs, cats: pd.DataFrame
) -> tuple[Section, pd.DataFrame | None]:
    """Section 5, and the ranked concerns (None without a survey)."""
    if inputs.survey is None:
        return (
            Section(
                id="community",
                title="Community views",
                text=[],
                notices=["No consultation or survey results were given for this assessment."],
                tables=[],
                figures=[],
                findings=[{"text": "No survey results recorded.", "evidence": []}],
                notices_early=True,
            ),
            None,
        )
    ranked = rank_concerns(inputs.survey)
    recorded = cats.set_index("category")
    ranked["recorded_rank"] = ranked["category"].map(recorded["volume_rank"])
    ranked["harm_rank"] = ranked["category"].map(recorded["harm_rank"])
    ranked["recorded"] = ranked["category"].map(recorded["count"])
    respondents = int(inputs.survey["row"].nunique()) if "row" in inputs.survey else None
    top = ranked.head(3)
    section = Section(
        id="community",
        title="Community views",
        text=[
            f"Results of {inputs.survey_source or 'the survey'}"
            + (f" ({respondents} respondents)" if respondents else "")
            + ": the share of respondents who raised each concern (ticked it, or called it a "
            "very or fairly big problem), beside its rank in the recorded data."
        ],
        tables=[
            _table(
                "community-concerns",
                "Concerns ranked by the share of respondents raising them",
                ranked,
                [
                    ("rank", "Rank", "int"),
                    ("concern", "Concern", "text"),
                    ("respondents", "Answered", "int"),
                    ("share_raised", "Share raising it", "pct"),
                    ("recorded", "Records", "int"),
                    ("recorded_rank", "Rank by records", "int"),
                    ("harm_rank", "Rank by harm", "int"),
                ],
                key="concern",
            )
        ],
        figures=[],
        findings=[
            {
                "text": "Residents' top concerns: "
                + ", ".join(f"{r.concern} ({r.share_raised:.0%})" for r in top.itertuples())
                + ".",
                "evidence": [_ref("community-concerns", c) for c in top["concern"]],
            }
        ],
        notices=[],
    )
    return section, ranked
