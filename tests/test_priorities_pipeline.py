"""The statistics chained on the real Lancashire data, as the strategic assessment will use them.

Reads the bundled police.uk files for Dec-2020 … Nov-2022, assigns records to districts by LSOA,
and runs change, harm, peers, funnel, concern and the priority matrix for Lancashire South
(Chorley, South Ribble, West Lancashire).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cdrp.analysis.change import compare_periods
from cdrp.analysis.concern import rank_concerns, read_survey
from cdrp.analysis.decompose import contributions
from cdrp.analysis.funnel import funnel
from cdrp.analysis.harm import default_weights, harm_weighted
from cdrp.analysis.peers import family, features_from_files, peer_groups
from cdrp.analysis.priorities import peer_position, score_priorities

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
SOUTH = {"E07000118": "Chorley", "E07000126": "South Ribble", "E07000127": "West Lancashire"}


@pytest.fixture(scope="module")
def monthly():
    lsoa_to_district = {}
    for path in (DEMO / "uk-geojson-lsoa2011-lancashire").glob("*.json"):
        for feature in json.loads(path.read_text())["features"]:
            lsoa_to_district[feature["properties"]["LSOA11CD"]] = path.stem
    frames = []
    for month in pd.period_range("2020-12", "2022-11", freq="M"):
        path = (
            DEMO / "police-uk-street-lancashire" / str(month) / f"{month}-lancashire-street.csv.gz"
        )
        frames.append(pd.read_csv(path, dtype=str, usecols=["Month", "LSOA code", "Crime type"]))
    records = pd.concat(frames)
    records["district"] = records["LSOA code"].map(lsoa_to_district)
    records = records.dropna(subset=["district"])
    counts = records.groupby(["Month", "district", "Crime type"]).size().rename("count")
    counts = counts.reset_index().rename(columns={"Month": "month", "Crime type": "category"})
    return counts, sorted(records["Month"].unique())


def test_district_totals_equal_the_reference_figures(monthly):
    counts, covered = monthly
    out = compare_periods(counts, end="2022-11", covered_months=covered, keys=["district"])
    totals = out.set_index("district")["current"]
    assert {SOUTH[c]: int(totals[c]) for c in SOUTH} == {
        "Chorley": 11007,
        "South Ribble": 10236,
        "West Lancashire": 8418,
    }


def test_the_whole_chain_gives_traceable_priorities_for_lancashire_south(monthly):
    counts, covered = monthly
    south = counts[counts["district"].isin(list(SOUTH))]
    changes = compare_periods(south, end="2022-11", covered_months=covered, keys=["category"])
    assert len(changes) == 14

    # Why: contributions by category add up to the partnership's change.
    drivers = contributions(changes, by=["category"])
    assert drivers["contribution"].sum() == changes["current"].sum() - changes["baseline"].sum()

    levels = changes[["category", "current"]].rename(columns={"current": "count"})
    harmed = harm_weighted(levels, default_weights(asb_weight=0))

    # Peers: Chorley's family, with the Lancashire districts that have data in the demo.
    features = features_from_files(
        DEMO / "iod2019-lad" / "IoD2019_lad.csv",
        DEMO / "ons-population-la" / "la_population_mid2020.csv",
        DEMO / "ons-lsoa2011-national" / "census2011_lsoa_population_households.csv.gz",
    )
    lancashire = sorted(counts["district"].unique())
    members = family(peer_groups(features), "E07000118", available=lancashire)
    assert members and set(members) <= set(lancashire)
    units = ["E07000118", *members]
    current = counts[counts["month"] >= "2021-12"]
    by_cat = current[current["district"].isin(units)].groupby(["category", "district"])["count"]
    by_cat = by_cat.sum().unstack(fill_value=0).stack().rename("count").reset_index()
    by_cat["population"] = by_cat["district"].map(features["population"])
    peer_rows = []
    for category, group in by_cat.groupby("category"):
        f = funnel(group.rename(columns={"district": "unit"})).set_index("unit")
        peer_rows.append(
            {
                "candidate": category,
                "value": peer_position(
                    f.loc["E07000118", "position_95"], f.loc["E07000118", "position_99_8"]
                ),
                "ref": f"family-funnel#E07000118/{category}",
            }
        )

    survey = read_survey(
        io.StringIO("respondent,Anti-social behaviour,Burglary,Drugs\n1,yes,no,yes\n2,yes,,no\n")
    )
    concern = rank_concerns(survey)

    evidence = {
        "volume": levels.assign(ref="levels#" + levels["category"]).rename(
            columns={"category": "candidate", "count": "value"}
        ),
        "trend": changes.assign(ref="changes#" + changes["category"]).rename(
            columns={"category": "candidate", "verdict": "value"}
        )[["candidate", "value", "ref"]],
        "harm": harmed.assign(ref="harm#" + harmed["category"]).rename(
            columns={"category": "candidate", "harm": "value"}
        )[["candidate", "value", "ref"]],
        "peer": pd.DataFrame(peer_rows),
        "concern": concern.assign(ref="survey#" + concern["concern"]).rename(
            columns={"category": "candidate", "share_raised": "value"}
        )[["candidate", "value", "ref"]],
    }
    ranked = score_priorities(evidence)
    assert ranked["rank"].tolist() == list(range(1, 15))
    assert ranked["score"].between(0, 100).all()
    # Every score points back at the row it came from.
    for criterion in ("volume", "trend", "harm", "peer"):
        refs = ranked[f"{criterion}_ref"]
        assert all(r.endswith(c) for r, c in zip(refs, ranked["candidate"], strict=True))
    assert set(ranked.loc[ranked["concern_ref"].notna(), "candidate"]) == {
        "Anti-social behaviour",
        "Burglary",
        "Drugs",
    }
