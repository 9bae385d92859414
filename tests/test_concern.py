"""Community concern: reading a survey file and ranking the concerns it reports."""

from __future__ import annotations

import doctest
import io

import numpy as np
import pandas as pd
import pytest

from cdrp.analysis import concern
from cdrp.analysis.concern import rank_concerns, read_survey

# A made-up residents' survey in the accepted layout (not real responses).
EXAMPLE = """respondent,area,weight,Anti-social behaviour,Burglary,drugs,Vehicle crime
1,E07000118,1.0,very big problem,fairly big problem,not a very big problem,
2,E07000118,1.0,fairly big problem,not a problem at all,very big problem,not a problem at all
3,E07000126,2.0,not a very big problem,not a problem at all,,fairly big problem
4,E07000126,1.0,very big problem,very big problem,fairly big problem,not a very big problem
5,E07000127,0.5,,not a very big problem,not a problem at all,very big problem
"""


def _read(text=EXAMPLE, **kwargs):
    handle = io.StringIO(text)
    handle.name = "residents-survey.csv"
    return read_survey(handle, **kwargs)


def test_the_example_survey_is_read_in_long_form_with_categories():
    answers = _read()
    assert len(answers) == 17  # 20 cells less 3 blanks
    assert set(answers["category"]) == {
        "Anti-social behaviour",
        "Burglary",
        "Drugs",
        "Vehicle crime",
    }
    first = answers[(answers["row"] == 2) & (answers["concern"] == "Anti-social behaviour")]
    assert first[["raised", "score"]].to_numpy().tolist() == [[1.0, 3.0]]


def test_concerns_are_ranked_by_weighted_share_raised_worked_by_hand():
    out = rank_concerns(_read()).set_index("concern")
    # ASB answered by rows 1-4 (weights 1, 1, 2, 1): raised by 1, 2, 4 -> 3 of 5.
    assert out.loc["Anti-social behaviour", "share_raised"] == pytest.approx(3 / 5)
    # Mean problem score (3 + 2 + 1*2 + 3) / 5 = 2.0.
    assert out.loc["Anti-social behaviour", "mean_score"] == pytest.approx(2.0)
    # Burglary: all five answer (weights 1, 1, 2, 1, 0.5); raised by 1 and 4 -> 2 of 5.5.
    assert out.loc["Burglary", "share_raised"] == pytest.approx(2 / 5.5)
    # Drugs: rows 1, 2, 4, 5 (1, 1, 1, 0.5); raised by 2 and 4 -> 2 of 3.5.
    assert out.loc["drugs", "share_raised"] == pytest.approx(2 / 3.5)
    assert out.loc["drugs", "category"] == "Drugs"
    assert out["rank"].to_dict() == {
        "Anti-social behaviour": 1,
        "drugs": 2,
        "Vehicle crime": 3,
        "Burglary": 4,
    }


def test_ranking_within_each_area():
    out = rank_concerns(_read(), by_area=True)
    chorley = out[out["area"] == "E07000118"]
    assert chorley["rank"].tolist() == [1, 2, 3, 4][: len(chorley)]
    assert chorley.iloc[0]["concern"] == "Anti-social behaviour"


def test_unknown_columns_are_refused_and_all_named():
    text = "respondent,Burglary,Speeding,Litter\n1,yes,no,yes\n"
    with pytest.raises(
        ValueError, match="residents-survey.csv: unknown column\\(s\\) 'Speeding', 'Litter'"
    ):
        _read(text)


def test_a_mapping_admits_concerns_without_a_recorded_category():
    text = "respondent,Burglary,Speeding\n1,yes,yes\n2,no,yes\n"
    out = rank_concerns(_read(text, concerns={"Burglary": "burglary", "Speeding": None}))
    row = out.set_index("concern").loc["Speeding"]
    assert row["share_raised"] == 1.0 and row["category"] is None
    assert np.isnan(row["mean_score"])


def test_an_answer_off_the_scale_names_file_row_and_column():
    text = "respondent,Burglary\n1,yes\n2,quite bad\n"
    with pytest.raises(
        ValueError, match="residents-survey.csv, row 3, column 'Burglary': 'quite bad'"
    ):
        _read(text)


def test_a_bad_weight_names_the_row():
    text = "respondent,weight,Burglary\n1,1,yes\n2,-1,no\n"
    with pytest.raises(ValueError, match="row 3, column 'weight'"):
        _read(text)


def test_a_frame_can_be_given_directly():
    frame = pd.DataFrame({"Robbery": ["yes", None, "no"]})
    out = rank_concerns(read_survey(frame))
    assert out.loc[0, "respondents"] == 2 and out.loc[0, "share_raised"] == 0.5


def test_docstring_examples_run():
    result = doctest.testmod(concern, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
