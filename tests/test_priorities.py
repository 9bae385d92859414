"""Priority scoring matrix and the MoRiLE-style alternative."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from cdrp.analysis import priorities
from cdrp.analysis.priorities import morile_matrix, peer_position, score_priorities


def _evidence():
    cats = ["Burglary", "Drugs", "Robbery"]
    return {
        "volume": pd.DataFrame(
            {
                "candidate": cats,
                "value": [400, 100, 50],
                "ref": ["levels#r1", "levels#r2", "levels#r3"],
            }
        ),
        "trend": pd.DataFrame(
            {
                "candidate": cats,
                "value": ["no significant change", "significant increase", "significant decrease"],
                "ref": ["changes#r4", "changes#r5", "changes#r6"],
            }
        ),
        "harm": pd.DataFrame(
            {
                "candidate": cats,
                "value": [400 * 380.2, 100 * 102.6, 50 * 799.6],
                "ref": ["harm#r1", "harm#r2", "harm#r3"],
            }
        ),
        "peer": pd.DataFrame(
            {
                "candidate": cats,
                "value": ["within limits", "above 99.8% limit", "below 95% limit"],
                "ref": ["family#E07000118/Burglary", "family#E07000118/Drugs", "family#r"],
            }
        ),
        "concern": pd.DataFrame(
            {
                "candidate": ["Burglary", "Drugs"],
                "value": [0.3, 0.6],
                "ref": ["survey#q1", "survey#q2"],
            }
        ),
    }


def test_scores_follow_the_stated_rules_and_carry_their_evidence_references():
    out = score_priorities(_evidence()).set_index("candidate")
    # Burglary by hand: volume 1, trend 0.5, harm 1, peer 0.5, concern 0.3/0.6 = 0.5 -> 70.
    assert out.loc["Burglary", "score"] == pytest.approx(100 * (1 + 0.5 + 1 + 0.5 + 0.5) / 5)
    # Drugs: 0.25, 1, 10260/152080, 1, 1.
    assert out.loc["Drugs", "score"] == pytest.approx(100 * (0.25 + 1 + 10260 / 152080 + 1 + 1) / 5)
    assert out.loc["Drugs", "trend_ref"] == "changes#r5"
    assert out.loc["Drugs", "peer_ref"] == "family#E07000118/Drugs"
    # Robbery has no survey evidence: its score is over the four other criteria.
    assert out.loc["Robbery", "missing"] == "concern"
    assert out.loc["Robbery", "score"] == pytest.approx(
        100 * (50 / 400 + 0 + 39980 / 152080 + 0.25) / 4
    )
    assert np.isnan(out.loc["Robbery", "concern_score"])


def test_weights_change_the_ranking():
    equal = score_priorities(_evidence())
    assert equal["candidate"].tolist() == ["Burglary", "Drugs", "Robbery"]
    weights = {"volume": 1, "harm": 1, "trend": 3, "peer": 3, "concern": 3}
    direction_led = score_priorities(_evidence(), weights=weights)
    assert direction_led["candidate"].tolist() == ["Drugs", "Burglary", "Robbery"]
    assert direction_led["score"].iloc[0] == pytest.approx(
        100 * (0.25 + 10260 / 152080 + 3 + 3 + 3) / 11
    )
    assert direction_led["rank"].tolist() == [1, 2, 3]


def test_a_trend_over_missing_months_is_missing_evidence_not_a_score():
    ev = _evidence()
    ev["trend"].loc[0, "value"] = "not comparable: months missing"
    out = score_priorities(ev).set_index("candidate")
    assert "trend" in out.loc["Burglary", "missing"]


def test_bad_evidence_is_refused_with_the_criterion_and_candidate_named():
    ev = _evidence()
    ev["peer"].loc[1, "value"] = "top of the league"
    with pytest.raises(ValueError, match="the peer evidence for Drugs is 'top of the league'"):
        score_priorities(ev)
    with pytest.raises(ValueError, match="unknown criteria \\['popularity'\\]"):
        score_priorities(_evidence(), weights={"popularity": 1})
    ev = _evidence()
    ev["volume"] = ev["volume"].drop(columns="ref")
    with pytest.raises(ValueError, match="volume evidence has no column"):
        score_priorities(ev)


def test_peer_position_combines_the_two_funnel_levels():
    assert peer_position("above", "above") == "above 99.8% limit"
    assert peer_position("below", "within") == "below 95% limit"
    assert peer_position("within", "within") == "within limits"


def test_morile_matrix_scores_by_the_stated_arithmetic():
    frame = pd.DataFrame(
        {
            "candidate": ["Domestic abuse", "Shoplifting", "County lines"],
            "harm": [5, 2, 5],
            "likelihood": [4, 5, 3],
            "vulnerability": [5, 1, 5],
            "organisational_position": [4, 2, 5],
            "confidence": ["medium", "high", "low"],
        }
    )
    out = morile_matrix(frame).set_index("candidate")
    assert out.loc["Domestic abuse", "risk"] == (5 + 5) * 4
    assert out.loc["Domestic abuse", "priority"] == 40 * 4 / 5
    assert out.loc["County lines", "priority"] == 30.0
    assert out["rank"].to_dict() == {"Domestic abuse": 1, "County lines": 2, "Shoplifting": 3}
    low = morile_matrix(frame, confidence_factors={"high": 1, "medium": 1, "low": 0.5})
    assert low.set_index("candidate").loc["County lines", "priority"] == 15.0


def test_morile_ratings_off_the_scale_are_refused_by_candidate_and_field():
    frame = pd.DataFrame(
        {
            "candidate": ["Drugs"],
            "harm": [7],
            "likelihood": [3],
            "vulnerability": [2],
            "organisational_position": [3],
            "confidence": ["high"],
        }
    )
    with pytest.raises(ValueError, match="Drugs: harm must be a whole number from 1 to 5"):
        morile_matrix(frame)


def test_docstring_examples_run():
    result = doctest.testmod(priorities, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
