"""Section 8 (refresh only), what moved since the annual assessment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cdrp.analysis.assessment.common import _ref, _table
from cdrp.analysis.assessment.sections import Section


def what_moved(annual: Mapping[str, Any], refresh: Mapping[str, Any]) -> dict[str, Any]:
    """A section comparing a refresh with its annual assessment: totals, verdicts, priorities.

    Parameters
    ----------
    annual, refresh : mapping
        Assessment objects from :func:`build_assessment` (``refresh`` needs only its
        ``sections``, as dicts, and ``period``).

    Returns
    -------
    dict
        A section (``id`` ``"moved"``) with one table of what moved.
    """
    return moved_section(annual, refresh).to_dict()


def moved_section(annual: Mapping[str, Any], refresh: Mapping[str, Any]) -> Section:
    """:func:`what_moved` as a `Section`."""

    def table(obj: Mapping[str, Any], table_id: str) -> dict[str, dict[str, Any]]:
        for s in obj["sections"]:
            for t in s["tables"]:
                if t["id"] == table_id:
                    return {r["_key"]: r for r in t["rows"]}
        return {}

    rows = []
    # Rates are put on a yearly footing so a six-month refresh compares with a 12-month annual.
    per_year_a = 12 / annual["period"]["months"]
    per_year_r = 12 / refresh["period"]["months"]
    a, r = table(annual, "levels-districts"), table(refresh, "levels-districts")
    for key, row in r.items():
        if key in a and a[key]["rate"] is not None and row["rate"] is not None:
            before, after = a[key]["rate"] * per_year_a, row["rate"] * per_year_r
            rows.append(
                {
                    "key": f"rate/{key}",
                    "what": f"Records per 1,000 residents a year: {row['name']}",
                    "annual": before,
                    "refresh": after,
                    "change": after - before,
                }
            )
    a, r = table(annual, "changes-categories"), table(refresh, "changes-categories")
    for key, row in r.items():
        if key in a and a[key]["verdict"] != row["verdict"]:
            rows.append(
                {
                    "key": f"verdict/{key}",
                    "what": f"Trend verdict: {key}",
                    "annual": a[key]["verdict"],
                    "refresh": row["verdict"],
                    "change": None,
                }
            )
    a, r = table(annual, "priorities"), table(refresh, "priorities")
    for key, row in r.items():
        if key in a and a[key]["rank"] != row["rank"]:
            rows.append(
                {
                    "key": f"rank/{key}",
                    "what": f"Priority rank: {key}",
                    "annual": a[key]["rank"],
                    "refresh": row["rank"],
                    "change": row["rank"] - a[key]["rank"],
                }
            )
    frame = pd.DataFrame(rows, columns=["key", "what", "annual", "refresh", "change"])
    frame[["annual", "refresh"]] = frame[["annual", "refresh"]].astype(object)
    before = annual["period"]
    moved = [x for x in rows if x["key"].startswith(("verdict/", "rank/"))]
    return Section(
        id="moved",
        title="What moved since the annual assessment",
        text=[
            f"Compared with the annual assessment for {before['start']} to {before['end']} "
            f"(built {annual.get('built_at', '')[:10]})."
        ],
        tables=[
            _table(
                "moved",
                "Rates, verdicts and priority ranks: annual assessment and refresh",
                frame,
                [
                    ("what", "Measure", "text"),
                    ("annual", "Annual", "any"),
                    ("refresh", "Refresh", "any"),
                    ("change", "Change", "rate"),
                ],
                key="key",
            )
        ],
        figures=[],
        findings=[
            {
                "text": f"{len(moved)} trend verdicts or priority ranks changed since the annual "
                "assessment.",
                "evidence": [_ref("moved", x["key"]) for x in moved[:10]],
            }
        ],
        notices=[],
    )
