"""Project evaluation: before/after counts from the store in target, buffer and control areas,
WDQ and WDD checked against a hand calculation, and the verdict with its reasoning."""

from __future__ import annotations

import pytest
from scipy.stats import fisher_exact

from cdrp.funding import evaluation as funding_evaluation
from cdrp.funding.checks import FundingError
from cdrp.funding.models import Evaluation
from cdrp.store import Store, import_police_uk
from cdrp.store.schema import STREET_COLUMNS
from conftest import FROZEN_TODAY
from test_funding_support import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db

TARGET = ["E01025460"]  # South Ribble 017D
BUFFER = ["E01025422"]  # South Ribble 013B
CONTROL = ["E01025400", "E01025420"]  # South Ribble 008B, 012D

# Records per (month, LSOA, category): 2022-01 is "before", 2022-02 "after".
COUNTS = {
    # Burglary, the hand-worked case: target 20 → 10, buffer 10 → 12, control 100 → 90.
    ("2022-01", "E01025460", "Burglary"): 20,
    ("2022-02", "E01025460", "Burglary"): 10,
    ("2022-01", "E01025422", "Burglary"): 10,
    ("2022-02", "E01025422", "Burglary"): 12,
    ("2022-01", "E01025400", "Burglary"): 60,
    ("2022-02", "E01025400", "Burglary"): 50,
    ("2022-01", "E01025420", "Burglary"): 40,
    ("2022-02", "E01025420", "Burglary"): 40,
    # Robbery: the target falls sharply while the control holds steady.
    ("2022-01", "E01025460", "Robbery"): 60,
    ("2022-02", "E01025460", "Robbery"): 20,
    ("2022-01", "E01025400", "Robbery"): 150,
    ("2022-02", "E01025400", "Robbery"): 150,
    # Vehicle crime: the target rises sharply.
    ("2022-01", "E01025460", "Vehicle crime"): 20,
    ("2022-02", "E01025460", "Vehicle crime"): 60,
    ("2022-01", "E01025400", "Vehicle crime"): 150,
    ("2022-02", "E01025400", "Vehicle crime"): 150,
    # Anti-social behaviour in the target, which a burglary outcome must not count.
    ("2022-01", "E01025460", "Anti-social behaviour"): 7,
}


@pytest.fixture
def synthetic(fresh_store, tmp_path):
    rows = {"2022-01": [], "2022-02": []}
    n = 0
    for (month, lsoa, category), count in COUNTS.items():
        for _ in range(count):
            n += 1
            crime_id = "" if category == "Anti-social behaviour" else f"id{n:05d}"
            rows[month].append(
                f"{crime_id},{month},Lancashire Constabulary,Lancashire Constabulary,,,"
                f"On or near Test Street,{lsoa},South Ribble,{category},,"
            )
    paths = []
    for month, lines in rows.items():
        folder = tmp_path / month
        folder.mkdir()
        path = folder / f"{month}-lancashire-street.csv"
        path.write_text("\n".join([",".join(STREET_COLUMNS), *lines]) + "\n")
        paths.append(path)
    results = import_police_uk(fresh_store, paths)
    assert sum(r.imported for r in results) == sum(COUNTS.values())
    return Store(fresh_store)


def _plan(project, category, *, buffer=BUFFER, **change):
    return funding_evaluation.set_evaluation(
        project,
        **{
            "method": "Before and after with a buffer and a comparison area",
            "categories": [category],
            "target_areas": TARGET,
            "buffer_areas": buffer,
            "control_areas": CONTROL,
            "before_start": "2022-01",
            "before_end": "2022-01",
            "after_start": "2022-02",
            "after_end": "2022-02",
            **change,
        },
    )


def test_wdq_and_wdd_match_a_hand_calculation(project, synthetic):
    e = funding_evaluation.evaluate(_plan(project, "burglary"), synthetic)
    r = e.result
    assert r["counts"] == {
        "target": {"before": 20, "after": 10},
        "buffer": {"before": 10, "after": 12},
        "control": {"before": 100, "after": 90},
    }
    # By hand (Bowers & Johnson 2003):
    #   SM  = A1/C1 − A0/C0 = 10/90 − 20/100 = −0.08889
    #   BDM = B1/C1 − B0/C0 = 12/90 − 10/100 = +0.03333
    #   WDQ = BDM / SM = −0.375 (displacement, smaller than the direct benefit)
    #   TNE = (A0·C1/C0 − A1) + (B0·C1/C0 − B1) = (18 − 10) + (9 − 12) = 5
    assert r["wdq"]["success_measure"] == pytest.approx(10 / 90 - 0.2)
    assert r["wdq"]["buffer_displacement_measure"] == pytest.approx(12 / 90 - 0.1)
    assert r["wdq"]["wdq"] == pytest.approx(-0.375)
    assert r["wdq"]["total_net_effect"] == pytest.approx(5.0)
    assert r["wdq"]["reading"] == "displacement, smaller than the direct benefit"
    # WDD (Wheeler & Ratcliffe 2018), one control for both: ΔT − ΔC + ΔB − ΔC
    #   = (10 − 20) − (90 − 100) + (12 − 10) − (90 − 100) = 12;
    #   Var = T0 + T1 + B0 + B1 + 4(C0 + C1) = 20 + 10 + 10 + 12 + 4·190 = 812.
    assert r["wdd"]["wdd"] == pytest.approx(12.0)
    assert r["wdd"]["variance"] == pytest.approx(812.0)
    assert r["wdd"]["z"] == pytest.approx(12 / 812**0.5)
    # Net change: Fisher's exact test on [[A1, A0], [C1, C0]], twice the smaller tail.
    less = fisher_exact([[10, 20], [90, 100]], alternative="less").pvalue
    assert r["relative"]["p_value"] == pytest.approx(2 * less)
    assert r["relative"]["rate_ratio"] == pytest.approx((10 / 20) / (90 / 100))
    assert r["change"]["target"]["rate_ratio"] == pytest.approx(0.5)
    assert r["by_lsoa"]["control"] == {"E01025400": [60, 50], "E01025420": [40, 40]}
    assert r["names"]["E01025460"] == "South Ribble 017D"
    # A halving that chance could give, with 10 and 20 records: no evidence.
    assert r["relative"]["p_value"] > 0.05
    assert e.verdict == Evaluation.Verdict.NO_EVIDENCE
    assert any("within what chance alone would give" in s for s in r["reasoning"])
    assert e.evaluated_at is not None


def test_a_significant_fall_against_the_comparison_is_effective(project, synthetic):
    e = funding_evaluation.evaluate(_plan(project, "robbery", buffer=[]), synthetic)
    assert e.result["counts"]["target"] == {"before": 60, "after": 20}
    assert e.result["wdq"] is None  # no buffer, no quotient
    assert e.result["relative"]["p_value"] < 0.001
    assert e.verdict == Evaluation.Verdict.EFFECTIVE
    assert "The target fell significantly against the comparison area." in e.result["reasoning"]


def test_a_significant_rise_against_the_comparison_is_worse(project, synthetic):
    e = funding_evaluation.evaluate(_plan(project, "vehicle-crime"), synthetic)
    assert e.result["counts"]["target"] == {"before": 20, "after": 60}
    assert e.verdict == Evaluation.Verdict.WORSE


def test_changing_the_plan_clears_the_result(project, synthetic):
    funding_evaluation.evaluate(_plan(project, "robbery"), synthetic)
    e = _plan(project, "burglary")
    assert (e.verdict, e.result, e.evaluated_at) == (Evaluation.Verdict.PENDING, {}, None)


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"target_areas": []}, "target_areas", "give at least one LSOA code"),
        ({"control_areas": ["E0102540"]}, "control_areas", "is not an LSOA code"),
        ({"buffer_areas": TARGET}, "buffer_areas", "must not overlap"),
        ({"control_areas": BUFFER}, "control_areas", "must not overlap"),
        ({"categories": ["burglery"]}, "categories", "not a police.uk category"),
        ({"categories": []}, "categories", "at least one outcome category"),
        ({"after_end": "2022-03"}, "after_end", "equal length (before 1 months, after 2)"),
        ({"after_start": "2022-01", "after_end": "2022-01"}, "after_start", "must start after"),
        ({"before_start": "2022-1"}, "before_start", "enter a month and year, such as"),
        ({"method": ""}, "method", "enter the method"),
    ],
)
def test_a_bad_evaluation_plan_is_refused_naming_the_field(project, change, field, words):
    with pytest.raises(FundingError) as info:
        _plan(project, "burglary", **change)
    assert info.value.field == field and words in str(info.value), str(info.value)
    assert not Evaluation.objects.exists()


def test_evaluating_months_the_store_lacks_is_refused(project, synthetic):
    e = _plan(
        project,
        "burglary",
        before_start="2021-12",
        before_end="2021-12",
        after_start="2022-02",
        after_end="2022-02",
    )
    with pytest.raises(FundingError, match="no police.uk data for 2021-12"):
        funding_evaluation.evaluate(e, synthetic)
    e.refresh_from_db()
    assert e.verdict == Evaluation.Verdict.PENDING and e.result == {}


def test_an_lsoa_outside_the_geography_or_an_empty_control_is_refused(project, synthetic):
    e = _plan(project, "burglary", control_areas=["E01999999"])
    with pytest.raises(FundingError, match="E01999999 is not an LSOA in the store"):
        funding_evaluation.evaluate(e, synthetic)
    e = _plan(project, "burglary", control_areas=["E01025401"])  # no records at all
    with pytest.raises(FundingError, match="needs records in both periods"):
        funding_evaluation.evaluate(e, synthetic)


def test_the_evaluation_page_shows_the_figures_and_the_verdict(
    frozen_today, client, coordinator, project, synthetic
):
    funding_evaluation.evaluate(_plan(project, "burglary"), synthetic)
    client.force_login(coordinator)
    page = client.get(
        f"/plans/funding/lancashire-south/projects/{project.pk}/", secure=True
    ).content.decode()
    assert "No evidence of effect" in page
    assert "-0.38: displacement, smaller than the direct benefit" in page
    assert "5.0 records saved" in page
    assert "South Ribble 017D" in page
    assert FROZEN_TODAY.strftime("%-d %B %Y") in page  # computed today
