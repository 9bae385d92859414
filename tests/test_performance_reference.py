"""Acceptance: indicators computed from the real police.uk data, checked by hand.

A plan for Chorley, South Ribble and West Lancashire with a burglary indicator and a target of
5% fewer than in December 2020 to November 2021, for December 2021 to November 2022. The test
reads the Parquet files of the store with DuckDB itself (not through `cdrp.store.counts`),
works out the projection, interval and status from first principles (scipy's chi-squared and
gamma quantiles) and compares them with the service. Likewise a rate, a harm-weighted indicator
and a family target.
"""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from scipy.stats import chi2, gamma

from cdrp.store import Store

SOUTH = ["E07000118", "E07000126", "E07000127"]
BASELINE = ("2020-12", "2021-11")
PERIOD = ("2021-12", "2022-11")
Z = 1.959963984540054
WEIGHTS_CSV = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "cdrp"
    / "analysis"
    / "data"
    / "harm_weights_css_2017-18.csv"
)
NAMES = {"burglary": "Burglary", "robbery": "Robbery"}


def months(first: str, last: str) -> list[str]:
    out = [first]
    while out[-1] != last:
        y, m = int(out[-1][:4]), int(out[-1][5:])
        out.append(f"{y + (m == 12):04d}-{m % 12 + 1:02d}")
    return out


def hand_counts(root: str, categories: list[str], districts: list[str]) -> dict:
    """Monthly counts straight from the Parquet files: {(month, district, category): n}, and
    the months that have a file (every other month is missing)."""
    glob = f"{root}/source=police-uk/force=*/month=*/*.parquet"
    con = duckdb.connect()
    cats = ", ".join(f"'{c}'" for c in categories)
    codes = ", ".join(f"'{d}'" for d in districts)
    rows = con.sql(
        f"SELECT strftime(month, '%Y-%m'), district_code, category, count(*) "
        f"FROM read_parquet('{glob}', hive_partitioning = false) "
        f"WHERE category IN ({cats}) AND district_code IN ({codes}) GROUP BY ALL"
    ).fetchall()
    held = {
        r[0]
        for r in con.sql(
            f"SELECT DISTINCT regexp_extract(filename, 'month=([0-9-]+)', 1) "
            f"FROM read_parquet('{glob}', filename = true)"
        ).fetchall()
    }
    return {(m, d, c): n for m, d, c, n in rows}, held


def hand_population(root: str, codes: list[str], year: int) -> float:
    con = duckdb.connect()
    quoted = ", ".join(f"'{c}'" for c in codes)
    (total,) = con.sql(
        f"SELECT sum(population_{year}) FROM read_parquet('{root}/_geography/districts.parquet') "
        f"WHERE district_code IN ({quoted})"
    ).fetchone()
    return float(total)


def status(projection, low, high, target, direction="lower"):
    if direction == "lower":
        return "on track" if projection <= target else ("off track" if low > target else "at risk")
    return "on track" if projection >= target else ("off track" if high < target else "at risk")


@pytest.fixture(scope="module")
def hand(reference_store):
    root, _ = reference_store
    table, held = hand_counts(root, ["burglary", "robbery"], SOUTH)
    return root, table, held


def total(table, month_list, categories=("burglary",), districts=SOUTH, weight=None):
    return sum(
        (weight(c) if weight else 1) * table.get((m, d, c), 0)
        for m in month_list
        for d in districts
        for c in categories
    )


def make_plan(partnership, indicators):
    """A draft plan with one priority; `indicators` are (fields, [target fields])."""
    from cdrp.plans.models import Indicator, Objective, Plan, Priority, Target

    plan = Plan.objects.create(
        partnership=partnership,
        revision=1,
        title="Lancashire South partnership plan 2021 to 2024",
        period_start="2021-12",
        period_end="2024-11",
    )
    priority = Priority.objects.create(plan=plan, name="Burglary", categories=["burglary"])
    objective = Objective.objects.create(priority=priority, text="Reduce burglary.")
    made = []
    for position, (fields, targets) in enumerate(indicators):
        indicator = Indicator.objects.create(objective=objective, position=position, **fields)
        for t in targets:
            Target.objects.create(indicator=indicator, **t)
        made.append(indicator)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED)
    plan.refresh_from_db()
    return plan, made


CHANGE = {
    "kind": "change",
    "value": Decimal("-5"),
    "baseline_start": BASELINE[0],
    "baseline_end": BASELINE[1],
    "period_start": PERIOD[0],
    "period_end": PERIOD[1],
}


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", ["2022-11", "2022-05"])
def test_the_burglary_indicator_value_and_status_by_hand(south_districts, hand, as_of):
    from cdrp.performance.status import indicator_status

    root, table, held = hand
    plan, (indicator,) = make_plan(
        south_districts, [({"name": "Burglary: records", "categories": ["burglary"]}, [CHANGE])]
    )
    period = months(*PERIOD)
    baseline = months(*BASELINE)
    assert set(period) | set(baseline) <= held  # every month used here has a file

    # Target: 5% below the baseline total (12 months, the same length as the period).
    b = total(table, baseline)
    target = b * 0.95
    # So far: the period's months up to as_of.
    elapsed = [m for m in period if m <= as_of]
    x = total(table, elapsed)
    # Seasonal factor: last year's whole period over last year's months matching those
    # elapsed (the 12 months before the period are the baseline here).
    last_year = [f"{int(m[:4]) - 1}{m[4:]}" for m in elapsed]
    f = b / total(table, last_year)
    projection = x * f
    low = chi2.ppf(0.025, 2 * x) / 2 * f
    high = chi2.ppf(0.975, 2 * x + 2) / 2 * f
    expected = status(projection, low, high, target)

    row = indicator_status(indicator, indicator.targets.get(), Store(root), as_of)
    assert row["value"] == x
    assert row["target_value"] == pytest.approx(target)
    assert row["projection"] == pytest.approx(projection)
    assert (row["low"], row["high"]) == pytest.approx((low, high))
    assert row["status"] == expected
    k = "all 12" if len(elapsed) == 12 else f"{len(elapsed)} of 12"
    assert f"{x:,} records in {k} months" in row["reasoning"]
    assert f"the baseline of {b:,} in December 2020 to November 2021" in row["reasoning"]
    if as_of == "2022-11":
        assert f == 1 and "Final year-end figure" in row["reasoning"]
    else:
        assert f != 1 and "seasonal pattern" in row["reasoning"]
    # The months for the sparkline: 12 before the period and the period so far, as counted.
    points = {p["month"]: p["value"] for p in row["months"]}
    assert points["2021-12"] == total(table, ["2021-12"]) and len(points) == 12 + len(elapsed)


@pytest.mark.django_db
def test_a_rate_and_a_harm_weighted_indicator_by_hand(south_districts, hand):
    from cdrp.performance.status import plan_performance

    root, table, held = hand
    absolute = {"kind": "absolute", "period_start": PERIOD[0], "period_end": PERIOD[1]}
    plan, (rate, harm) = make_plan(
        south_districts,
        [
            (
                {"name": "Burglary rate", "categories": ["burglary"], "measure": "rate"},
                [{**absolute, "value": Decimal("3.1")}],
            ),
            (
                {"name": "Harm", "categories": ["burglary", "robbery"], "harm_weighted": True},
                [{**absolute, "value": Decimal("480000")}],
            ),
        ],
    )
    as_of = "2022-08"
    rows = {r["indicator"].pk: r for r in plan_performance(plan, Store(root), as_of)}
    elapsed = [m for m in months(*PERIOD) if m <= as_of]
    baseline = months(*BASELINE)

    # Rate per 1,000 (mid-2022 residents, the estimate for the period's last year).
    pop = hand_population(root, SOUTH, 2022)
    x = total(table, elapsed)
    f = total(table, baseline) / total(table, [f"{int(m[:4]) - 1}{m[4:]}" for m in elapsed])
    per = pop / 1000
    row = rows[rate.pk]
    assert row["measure"] == "rate"
    assert row["value"] == pytest.approx(x / per)
    assert row["projection"] == pytest.approx(x * f / per)
    assert row["low"] == pytest.approx(chi2.ppf(0.025, 2 * x) / 2 * f / per)
    assert row["high"] == pytest.approx(chi2.ppf(0.975, 2 * x + 2) / 2 * f / per)
    assert row["status"] == status(x * f / per, row["low"], row["high"], 3.1)

    # Harm: each record weighted by its category's Crime Severity Score weight; the interval
    # is Fay & Feuer's gamma interval of H = sum w n with V = sum w^2 n and the heaviest weight
    # w_M (robbery's), both scaled by last year's seasonal factor of the weighted sums.
    with WEIGHTS_CSV.open() as handle:
        weights = {r["category"]: float(r["weight"]) for r in csv.DictReader(handle)}

    def w(c):
        return weights[NAMES[c]]

    both = ("burglary", "robbery")
    h = total(table, elapsed, both, weight=w)
    var = total(table, elapsed, both, weight=lambda c: w(c) ** 2)
    fh = total(table, baseline, both, weight=w) / total(
        table, [f"{int(m[:4]) - 1}{m[4:]}" for m in elapsed], both, weight=w
    )
    row = rows[harm.pk]
    assert row["measure"] == "harm"
    assert row["value"] == pytest.approx(h)
    assert row["projection"] == pytest.approx(h * fh)
    w_max = max(w(c) for c in both)
    low = gamma.ppf(0.025, h * h / var, scale=var / h)
    high = gamma.ppf(
        0.975, (h + w_max) ** 2 / (var + w_max**2), scale=(var + w_max**2) / (h + w_max)
    )
    assert row["low"] == pytest.approx(low * fh)
    assert row["high"] == pytest.approx(high * fh)
    # The skew: both limits sit above the normal approximation's, the upper one further.
    assert low > h - Z * math.sqrt(var) and high - h > h - low
    assert row["status"] == status(h * fh, row["low"], row["high"], 480000)
    assert "gamma approximation" in row["reasoning"]


@pytest.mark.django_db
def test_a_family_target_by_hand(south_districts, hand, reference_store):
    from cdrp.analysis.peers import family, features_from_files, peer_groups
    from cdrp.intelligence.services import demo_data_dir
    from cdrp.performance.status import indicator_status

    root, _, _ = hand
    # The family: each district's 15 most similar in England (the assessment's families),
    # keeping the districts with data (Lancashire's), less the partnership's own districts.
    base = demo_data_dir()
    groups = peer_groups(
        features_from_files(
            base / "iod2019-lad" / "IoD2019_lad.csv",
            base / "ons-population-la" / "la_population_mid2019.csv",
            base / "ons-lsoa2011-national" / "census2011_lsoa_population_households.csv.gz",
        )
    )
    con = duckdb.connect()
    lancashire = [
        r[0]
        for r in con.sql(
            f"SELECT district_code FROM read_parquet('{root}/_geography/districts.parquet') "
            "WHERE force_name = 'Lancashire'"
        ).fetchall()
    ]
    members = sorted(
        {m for d in SOUTH for m in family(groups, d, available=lancashire)} - set(SOUTH)
    )
    assert members == ["E07000119", "E07000128"]  # Fylde and Wyre

    table, _ = hand_counts(root, ["burglary"], SOUTH + members)
    family_target = {"kind": "family", "period_start": PERIOD[0], "period_end": PERIOD[1]}
    plan, (count, rate) = make_plan(
        south_districts,
        [
            ({"name": "Burglary", "categories": ["burglary"]}, [family_target]),
            ({"name": "Rate", "categories": ["burglary"], "measure": "rate"}, [family_target]),
        ],
    )
    as_of = "2022-07"
    elapsed = [m for m in months(*PERIOD) if m <= as_of]
    member_rates = [
        total(table, elapsed, districts=[m]) / (hand_population(root, [m], 2022) / 1000)
        for m in members
    ]
    family_rate = sum(member_rates) / len(member_rates)
    x = total(table, elapsed)
    f = total(table, months(*BASELINE)) / total(
        table, [f"{int(m[:4]) - 1}{m[4:]}" for m in elapsed]
    )
    pop = hand_population(root, SOUTH, 2022)

    row = indicator_status(count, count.targets.get(), Store(root), as_of)
    target = family_rate * f * pop / 1000
    assert row["target_value"] == pytest.approx(target)
    assert row["projection"] == pytest.approx(x * f)
    assert row["status"] == status(x * f, row["low"], row["high"], target)
    clause = row["reasoning"].split("family average of ", 1)[1].split(":", 1)[0]
    assert sorted(clause.split(" and ")) == ["Fylde", "Wyre"], row["reasoning"]

    row = indicator_status(rate, rate.targets.get(), Store(root), as_of)
    assert row["target_value"] == pytest.approx(family_rate * f)
    assert row["projection"] == pytest.approx(x * f / (pop / 1000))


@pytest.mark.django_db
def test_the_strategic_assessment_reviews_last_years_plan_from_the_records(south_districts, hand):
    """The assessment's "effectiveness of last year's plan" reads the approved plan: a target
    that ended with the assessment's months is met or not by the hand count; one still running
    is in progress; a revision approved after the assessment's months is not used."""
    import datetime

    from cdrp.intelligence.assessments import build, staleness
    from cdrp.plans.models import Plan

    root, table, held = hand
    before = build(partnership=south_districts, end="2022-11", store=Store(root), save=False)
    running = {
        "kind": "absolute",
        "value": Decimal("500"),
        "period_start": "2022-06",
        "period_end": "2023-05",
    }
    plan, (burglary, robbery) = make_plan(
        south_districts,
        [
            ({"name": "Burglary: records", "categories": ["burglary"]}, [CHANGE]),
            ({"name": "Robbery: records", "categories": ["robbery"]}, [running]),
        ],
    )
    record = build(partnership=south_districts, end="2022-11", store=Store(root), save=False)
    section = next(s for s in record.document["sections"] if s["id"] == "plan")
    rows = section["tables"][0]["rows"]
    assert [r["indicator"] for r in rows] == ["Burglary: records", "Robbery: records"]

    # Ended with the window: the whole year's count against 95% of the baseline year's.
    x, b = total(table, months(*PERIOD)), total(table, months(*BASELINE))
    low, high = chi2.ppf(0.025, 2 * x) / 2, chi2.ppf(0.975, 2 * x + 2) / 2
    expected = {"on track": "met", "at risk": "not met (within chance)"}.get(
        status(x, low, high, b * 0.95), "not met"
    )
    assert rows[0]["figure"] == f"{x:,}" and rows[0]["outcome"] == expected
    # Still running: six of its twelve months held.
    so_far = total(table, months("2022-06", "2022-11"), ("robbery",))
    assert rows[1]["figure"].startswith(f"{so_far:,} so far; projected ")
    assert rows[1]["outcome"].startswith("in progress (6 of 12 months): ")
    assert section["findings"][0]["text"] == (
        f"{int(expected == 'met')} of 1 targets that have ended were met; 1 still running."
    )
    assert record.fingerprint["parameters"]["plan_record"] == f"{plan.pk}@1"
    # Built before the plan was approved: stale, and says why; built after: current.
    reason = "the partnership plan it reviews has been approved or revised"
    assert staleness(before, Store(root)) == [reason]
    assert staleness(record, Store(root)) == []

    # A revision approved after the assessment's months is not last year's plan.
    Plan.objects.filter(pk=plan.pk).update(
        approved_at=datetime.datetime(2023, 1, 10, tzinfo=datetime.UTC)
    )
    later = build(partnership=south_districts, end="2022-11", store=Store(root), save=False)
    section = next(s for s in later.document["sections"] if s["id"] == "plan")
    assert section["findings"][0]["text"] == "No plan recorded."
    assert staleness(record, Store(root)) == [reason] and staleness(later, Store(root)) == []
