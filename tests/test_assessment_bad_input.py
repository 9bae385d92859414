"""Bad input to an assessment build: a clear message naming the problem, and nothing saved."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from cdrp.analysis.harm import default_weights
from cdrp.store import Store

SOUTH = ["E07000118", "E07000126", "E07000127"]

pytestmark = pytest.mark.django_db


def _build(root, **kwargs):
    from cdrp.intelligence.assessments import build

    return build(store=Store(root), **{"districts": SOUTH, "end": "2022-11", **kwargs})


def _nothing_saved():
    from cdrp.intelligence.models import Assessment

    return not Assessment.objects.exists()


def test_a_period_with_no_data_is_refused(reference_store):
    from cdrp.intelligence.assessments import AssessmentError

    with pytest.raises(AssessmentError) as caught:
        _build(reference_store[0], end="2018-11")
    assert str(caught.value) == (
        "no incident data for the period 2017-12..2018-11: the store holds 2019-12 to 2022-11"
    )
    assert _nothing_saved()


def test_the_command_reports_a_period_with_no_data(reference_store, settings):
    settings.INCIDENT_STORE = reference_store[0]
    with pytest.raises(CommandError, match="no incident data for the period 2017-12..2018-11"):
        call_command("assess", "strategic", "--districts", ",".join(SOUTH), "--to", "2018-11")
    assert _nothing_saved()


def test_a_district_with_no_population_is_refused_by_name(reference_store, monkeypatch):
    from cdrp.intelligence import assessments

    original = assessments.read_table

    def without_chorley(store, name, columns=None):
        frame = original(store, name, columns)
        if name == "districts":
            frame.loc[frame["district_code"] == "E07000118", "population_2022"] = float("nan")
        return frame

    monkeypatch.setattr(assessments, "read_table", without_chorley)
    with pytest.raises(assessments.AssessmentError) as caught:
        _build(reference_store[0])
    assert "no mid-2022 population for district(s) E07000118 Chorley" in str(caught.value)
    assert _nothing_saved()


def test_a_weight_table_missing_a_category_is_refused_by_name(reference_store, tmp_path):
    from cdrp.intelligence.assessments import AssessmentError

    weights = default_weights().drop(["Burglary", "Anti-social behaviour"])
    path = tmp_path / "local-weights.csv"
    pd.DataFrame({"category": weights.index, "weight": weights.values}).to_csv(path, index=False)
    with pytest.raises(AssessmentError) as caught:
        _build(reference_store[0], weights_path=str(path))
    assert (
        str(caught.value) == "the harm weight table (local-weights.csv) has no weight for: Burglary"
    )
    assert _nothing_saved()


def test_a_weight_table_with_a_bad_value_names_row_and_field(reference_store, tmp_path):
    from cdrp.intelligence.assessments import AssessmentError

    path = tmp_path / "w.csv"
    path.write_text("category,weight\nBurglary,380\nRobbery,lots\n")
    with pytest.raises(AssessmentError, match=r"w.csv, row 3, field 'weight': expected a number"):
        _build(reference_store[0], weights_path=str(path))
    assert _nothing_saved()


def test_a_survey_with_unknown_columns_is_refused_naming_them(reference_store, tmp_path):
    from cdrp.intelligence.assessments import AssessmentError

    path = tmp_path / "residents-survey.csv"
    path.write_text("respondent,Burglary,Speeding,Dog fouling\n1,yes,yes,no\n")
    with pytest.raises(AssessmentError) as caught:
        _build(reference_store[0], survey_path=str(path))
    message = str(caught.value)
    assert message.startswith("residents-survey.csv: ")
    assert "Speeding" in message and "Dog fouling" in message
    assert _nothing_saved()


def test_a_plan_without_a_target_is_refused_naming_the_indicator(reference_store, tmp_path):
    from cdrp.intelligence.assessments import AssessmentError

    path = tmp_path / "plan.yaml"
    path.write_text(
        "plan: P\nperiod: {start: 2021-12, end: 2022-11}\npriorities:\n"
        "  - name: Burglary\n    indicators:\n      - name: Recorded burglary\n"
        "        categories: [burglary]\n"
    )
    with pytest.raises(AssessmentError) as caught:
        _build(reference_store[0], plan_path=str(path))
    assert str(caught.value) == (
        "the plan: priority 1 (Burglary), indicator 1 has no 'target' (see the plan schema)"
    )
    assert _nothing_saved()


def test_an_unknown_district_or_partnership_is_refused(reference_store, settings):
    from cdrp.intelligence.assessments import AssessmentError

    with pytest.raises(AssessmentError, match="unknown district code\\(s\\): E07999999"):
        _build(reference_store[0], districts=["E07000118", "E07999999"])
    settings.INCIDENT_STORE = reference_store[0]
    with pytest.raises(CommandError, match="no partnership with slug 'nowhere'"):
        call_command("assess", "strategic", "--partnership", "nowhere")
    assert _nothing_saved()


def test_a_partnership_without_districts_is_refused(reference_store, partnership):
    from cdrp.intelligence.assessments import AssessmentError, build

    with pytest.raises(AssessmentError, match="has no districts in the registry"):
        build(partnership=partnership, end="2022-11", store=Store(reference_store[0]))
    assert _nothing_saved()
