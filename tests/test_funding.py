"""Funding services: money that reconciles, refusals that name the field and write nothing, and
a county fund split between 14 partnerships by population and crime, to the penny."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pyarrow.parquet as pq
import pytest
from django.db import transaction

from cdrp.accounts.models import AuditEvent
from cdrp.funding import queries as funding_queries
from cdrp.funding import services as funding
from cdrp.funding.checks import FundingError
from cdrp.funding.models import Allocation, FundingStream, Project, Spend, Variation
from cdrp.partnerships.demo import DISTRICTS
from cdrp.partnerships.models import Area, Group, Partnership
from cdrp.store import Store, counts
from conftest import FROZEN_TODAY
from test_funding_support import *  # noqa: F403 (fixtures)
from test_funding_support import decision, strategy_group

pytestmark = pytest.mark.django_db


def _state():
    """Everything a refused operation must leave as it was."""
    return (
        list(FundingStream.objects.values_list("pk", "amount_pence", "formula")),
        list(Allocation.objects.values_list("pk", "amount_pence", "share")),
        list(Project.objects.values_list("pk", "budget_pence", "status", "approval_decision")),
        list(Spend.objects.values_list("pk", "amount_pence")),
        list(Variation.objects.values_list("pk", "approved")),
        AuditEvent.objects.count(),
    )


def refused(call, *, field, words):
    """Run `call`, expect a FundingError naming `field` and containing `words`; check that
    nothing was written."""
    before = _state()
    with pytest.raises(FundingError) as info:
        with transaction.atomic():
            call()
    assert info.value.field == field, info.value.message
    for w in [words] if isinstance(words, str) else words:
        assert w in str(info.value), str(info.value)
    assert _state() == before
    return info.value


# --- acceptance 4: bad input refused clearly, nothing written ---------------------------------


def test_a_negative_stream_amount_is_refused(partnership):
    error = refused(
        lambda: funding.create_stream(
            partnership,
            name="Fund",
            source="Home Office",
            financial_year="2023/24",
            amount_pence=-1_00,
        ),
        field="amount_pence",
        words="Amount must not be negative: got -£1.00",
    )
    assert str(error) == error.message  # shown as a plain sentence, not a list


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"financial_year": "2023-24"}, "financial_year", "expected the form YYYY/YY"),
        ({"financial_year": "2023/25"}, "financial_year", "2023/25"),
        ({"name": "  "}, "name", "enter the name"),
        ({"source": ""}, "source", "enter the source"),
        ({"amount_pence": 12.5}, "amount_pence", "expected whole pence"),
        ({"formula": {"weights": {"population": "0.7"}}}, "formula.weights", "add to exactly 1"),
    ],
)
def test_bad_stream_fields_are_refused_naming_the_field(partnership, change, field, words):
    values = {
        "name": "Fund",
        "source": "Home Office",
        "financial_year": "2023/24",
        "amount_pence": 1_000_00,
        **change,
    }
    refused(lambda: funding.create_stream(partnership, **values), field=field, words=words)


def test_an_allocation_exceeding_its_stream_is_refused(stream, partnership, other_partnership):
    funding.allocate(stream, partnership, 60_000_00)
    refused(
        lambda: funding.allocate(stream, other_partnership, 40_000_01),
        field="amount",
        words="allocations would total £100,000.01, more than the stream's £100,000.00",
    )
    funding.allocate(stream, other_partnership, 40_000_00)  # exactly the rest is fine
    assert sum(a.amount_pence for a in stream.allocations.all()) == stream.amount_pence


def test_replacing_an_allocation_counts_only_the_others(stream, partnership):
    funding.allocate(stream, partnership, 90_000_00)
    again = funding.allocate(stream, partnership, 100_000_00)
    assert again.amount_pence == 100_000_00 and stream.allocations.count() == 1


def test_a_negative_allocation_is_refused(stream, partnership):
    refused(
        lambda: funding.allocate(stream, partnership, -5),
        field="amount",
        words="must not be negative",
    )


def test_project_budgets_cannot_exceed_their_allocation(partnership, lead, allocation):
    funding.create_project(
        partnership, title="A", lead_organisation=lead, budget_pence=70_000_00,
        allocation=allocation,
    )  # fmt: skip
    refused(
        lambda: funding.create_project(
            partnership,
            title="B",
            lead_organisation=lead,
            budget_pence=30_000_01,
            allocation=allocation,
        ),  # fmt: skip
        field="budget",
        words=["would total £100,000.01", "allocation's £100,000.00", "£30,000.00 is uncommitted"],
    )
    # An allocation cannot then be cut below the projects it funds.
    refused(
        lambda: funding.allocate(allocation.stream, partnership, 69_999_99),
        field="amount",
        words="have budgets of £70,000.00",
    )


def test_a_negative_budget_is_refused(partnership, lead):
    refused(
        lambda: funding.create_project(
            partnership, title="A", lead_organisation=lead, budget_pence=-1
        ),
        field="budget",
        words="Budget must not be negative",
    )


def test_spend_before_approval_is_refused(partnership, lead):
    p = funding.create_project(partnership, title="A", lead_organisation=lead, budget_pence=500)
    refused(
        lambda: funding.record_spend(p, dt.date(2023, 5, 1), 100, "Locks"),
        field="project",
        words="is not approved",
    )


def test_overspend_is_refused_until_a_variation_is_approved(project, rag):
    funding.record_spend(project, dt.date(2023, 5, 1), 800_00, "Locks")
    message = (
        "spend would reach £1,100.00 against a budget of £1,000.00 (£1,000.00 with approved "
        "variations): record and approve a variation first"
    )
    refused(
        lambda: funding.record_spend(project, dt.date(2023, 6, 1), 300_00, "More locks"),
        field="amount",
        words=message,
    )
    variation = funding.add_variation(project, 200_00, "More homes than expected")
    # Proposed is not enough: it counts once approved.
    refused(
        lambda: funding.record_spend(project, dt.date(2023, 6, 1), 300_00, "More locks"),
        field="amount",
        words="(£1,000.00 with approved variations)",
    )
    group, person = rag
    funding.approve_variation(variation, decision(group, person, "Approve the variation"))
    funding.record_spend(project, dt.date(2023, 6, 1), 300_00, "More locks")
    f = funding_queries.figures(project)
    assert (f.budget, f.variations, f.available, f.spent, f.remaining) == (
        1_000_00, 200_00, 1_200_00, 1_100_00, 100_00,
    )  # fmt: skip
    refused(
        lambda: funding.record_spend(project, dt.date(2023, 7, 1), 100_01, "Too much"),
        field="amount",
        words="spend would reach £1,200.01 against a budget of £1,000.00 (£1,200.00 with",
    )
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE


@pytest.mark.parametrize(
    "amount, words", [(-1_00, "Amount must not be negative: got -£1.00"), (0, "more than £0.00")]
)
def test_a_negative_or_zero_spend_is_refused(project, amount, words):
    refused(
        lambda: funding.record_spend(project, dt.date(2023, 5, 1), amount, "Locks"),
        field="amount",
        words=words,
    )


def test_spend_in_the_future_or_without_a_description_is_refused(frozen_today, project):
    tomorrow = FROZEN_TODAY + dt.timedelta(days=1)
    refused(
        lambda: funding.record_spend(project, tomorrow, 100, "Locks"),
        field="date",
        words="is in the future",
    )
    refused(
        lambda: funding.record_spend(project, dt.date(2023, 5, 1), 100, " "),
        field="description",
        words="enter the description",
    )


def test_a_negative_variation_is_refused(project):
    refused(
        lambda: funding.add_variation(project, -100, "Less"),
        field="amount",
        words="must not be negative",
    )


# --- approvals -------------------------------------------------------------------------------


def test_approval_needs_a_carried_decision_of_the_partnerships_strategy_group(
    partnership, other_partnership, lead, rag
):
    p = funding.create_project(partnership, title="A", lead_organisation=lead, budget_pence=1)
    group, person = rag
    lost = decision(group, person, "Approve A", carried=False)
    assert lost.result == "lost"
    refused(lambda: funding.approve_project(p, lost), field="decision", words="was not carried")

    officers, officer = strategy_group(partnership, kind=Group.Kind.OFFICER, slug="owg")
    other = decision(officers, officer, "Approve A (officers)")
    refused(
        lambda: funding.approve_project(p, other),
        field="decision",
        words="not of Lancashire South Strategic CDRP's strategy group",
    )
    theirs, chair = strategy_group(other_partnership)
    refused(
        lambda: funding.approve_project(p, decision(theirs, chair, "Approve A elsewhere")),
        field="decision",
        words="is a decision of Preston",
    )
    refused(lambda: funding.approve_project(p, None), field="decision", words="choose the decision")

    ok = decision(group, person, "Approve A")
    funding.approve_project(p, ok)
    assert (p.status, p.approval_decision) == (Project.Status.APPROVED, ok)
    refused(lambda: funding.approve_project(p, ok), field="decision", words="already approved")


def test_a_county_streams_split_is_agreed_by_the_county_strategy_group(db):
    county = Partnership.objects.create(
        slug="county", name="County Strategy Group", level=Partnership.Level.COUNTY
    )
    group, person = strategy_group(county, kind=Group.Kind.COUNTY_STRATEGY, slug="csg")
    s = funding.create_stream(
        county, name="Fund", source="Home Office", financial_year="2023/24", amount_pence=100
    )
    district = Partnership.objects.create(slug="d", name="District")
    agreed = decision(group, person, "Agree the split")
    a = funding.allocate(s, district, 100, decision=agreed)
    assert a.decision == agreed and a.share == 1


def test_publishing_needs_an_approved_project(partnership, lead):
    p = funding.create_project(partnership, title="A", lead_organisation=lead, budget_pence=1)
    refused(lambda: funding.publish_project(p), field="", words="only approved projects")


def test_joint_projects_may_be_funded_from_a_partners_allocation(
    partnership, other_partnership, lead, stream
):
    theirs = funding.allocate(stream, other_partnership, 10_000_00)
    refused(
        lambda: funding.create_project(
            partnership, title="A", lead_organisation=lead, budget_pence=1, allocation=theirs
        ),
        field="allocation",
        words="not to a partnership commissioning this project",
    )
    p = funding.create_project(
        partnership, title="A", lead_organisation=lead, budget_pence=1, allocation=theirs,
        joint_with=[other_partnership],
    )  # fmt: skip
    assert list(p.joint_with.all()) == [other_partnership]
    assert p in funding_queries.visible_projects(other_partnership)


# --- acceptance 2: the county fund split between 14 partnerships, to the penny ---------------


@pytest.fixture(scope="module")
def lancashire(reference_store):
    root, _ = reference_store
    return Store(root)


def _districts_table(store):
    with store.fs.open_input_file(store.path("_geography/districts.parquet")) as handle:
        return pq.read_table(handle).to_pandas().set_index("district_code")


def test_a_county_fund_splits_between_14_partnerships_exactly(lancashire):
    partnerships = []
    for code, name in DISTRICTS.items():
        area, _ = Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": Area.Level.DISTRICT}
        )
        p = Partnership.objects.create(slug=f"p-{code.lower()}", name=f"{name} CSP")
        p.districts.set([area])
        partnerships.append(p)
    county = Partnership.objects.create(
        slug="lancs", name="Lancashire", level=Partnership.Level.COUNTY
    )
    fund = funding.create_stream(
        county,
        name="Safer and Stronger Communities Fund",
        source="Home Office",
        financial_year="2023/24",
        amount_pence=1_250_000_07,  # an odd penny so the rounding has work to do
    )
    formula = {
        "method": "weighted shares",
        "weights": {"population": "0.5", "crime": "0.5"},
        "population_year": 2022,
        "crime_period": ["2021-12", "2022-11"],
        "crime_categories": None,
    }
    made = funding.allocate_by_formula(fund, partnerships, formula, lancashire)
    assert len(made) == 14
    assert sum(a.amount_pence for a in made) == fund.amount_pence

    # Each amount against an independent reading of the inputs: ONS populations from the
    # geography table, police.uk counts by category without anti-social behaviour.
    table = _districts_table(lancashire)
    crime = counts(
        lancashire,
        ["district", "category"],
        start="2021-12",
        end="2022-11",
        areas={"district": list(DISTRICTS)},
        output="pandas",
    )
    crime = crime[crime.category != "anti-social-behaviour"].groupby("district")["count"].sum()
    pop = {c: int(table.loc[c, "population_2022"]) for c in DISTRICTS}
    total_pop, total_crime = sum(pop.values()), int(crime.sum())
    assert total_pop > 1_500_000 and total_crime > 100_000
    by_code = {a.partnership.districts.get().code: a for a in made}
    for code, a in by_code.items():
        assert a.basis["inputs"] == {"population": pop[code], "crime": int(crime[code])}
        exact = Fraction(fund.amount_pence) * (
            Fraction(pop[code], 2 * total_pop) + Fraction(int(crime[code]), 2 * total_crime)
        )
        assert a.amount_pence in (
            exact.numerator // exact.denominator,
            -(-exact.numerator // exact.denominator),
        )
        assert a.basis["quota_pence"]["exact"] == f"{exact.numerator}/{exact.denominator}"
        assert abs(float(a.share) - float(exact / fund.amount_pence)) < 1e-10
    assert sum(Fraction(a.basis["share"]["exact"]) for a in made) == 1
    fund.refresh_from_db()
    assert fund.formula == formula

    # Run again: the same figures, nothing rewritten.
    audits = AuditEvent.objects.count()
    again = funding.allocate_by_formula(fund, partnerships, formula, lancashire)
    assert [a.amount_pence for a in again] == [a.amount_pence for a in made]
    assert AuditEvent.objects.count() == audits


def test_a_partnership_of_several_districts_counts_them_together(lancashire):
    areas = {
        code: Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": Area.Level.DISTRICT}
        )[0]
        for code, name in DISTRICTS.items()
    }
    south = Partnership.objects.create(slug="south", name="South")
    south.districts.set([areas[c] for c in ("E07000118", "E07000126", "E07000127")])
    preston = Partnership.objects.create(slug="preston-x", name="Preston")
    preston.districts.set([areas["E07000123"]])
    fund = funding.create_stream(
        south, name="F", source="S", financial_year="2023/24", amount_pence=100_00
    )
    formula = {"weights": {"population": "1"}, "population_year": None}
    made = funding.allocate_by_formula(fund, [south, preston], formula, lancashire)
    table = _districts_table(lancashire)
    year = made[0].basis["population_year"]
    assert year == 2022  # the latest year held for every district
    south_pop = sum(
        int(table.loc[c, f"population_{year}"]) for c in ("E07000118", "E07000126", "E07000127")
    )
    assert made[0].basis["inputs"] == {"population": south_pop}
    assert [d["code"] for d in made[0].basis["districts"]] == [
        "E07000118",
        "E07000126",
        "E07000127",
    ]
    assert made[0].amount_pence + made[1].amount_pence == 100_00

    # A district in two partnerships would be counted twice: refused.
    preston.districts.add(areas["E07000118"])
    refused(
        lambda: funding.allocate_by_formula(fund, [south, preston], formula, lancashire),
        field="partnerships",
        words="Chorley (E07000118) is a district of both",
    )


@pytest.mark.parametrize(
    "formula, field, words",
    [
        ({"weights": {"population": "0.5", "crime": "0.4"}, "crime_period": ["2021-12", "2022-11"]},
         "formula.weights", "add to exactly 1, they add to 0.9"),
        ({"weights": {"population": "1"}, "population_year": 1999},
         "formula.population_year", "no 1999 population"),
        ({"weights": {"crime": "1"}, "crime_period": ["2020-05", "2020-07"]},
         "formula.crime_period", "no police.uk data for 2020-06"),
        ({"weights": {"crime": "1"}}, "formula.crime_period", "crime is weighted"),
        ({"weights": {"population": "1"}, "shape": "round"}, "formula.shape", "unknown key"),
    ],
)  # fmt: skip
def test_a_bad_formula_is_refused_naming_the_key_and_nothing_is_written(
    lancashire, formula, field, words
):
    area, _ = Area.objects.get_or_create(
        code="E07000117", defaults={"name": "Burnley", "level": Area.Level.DISTRICT}
    )
    p = Partnership.objects.create(slug="burnley-x", name="Burnley")
    p.districts.set([area])
    fund = funding.create_stream(
        p, name="F", source="S", financial_year="2023/24", amount_pence=100_00
    )
    refused(
        lambda: funding.allocate_by_formula(fund, [p], formula, lancashire),
        field=field,
        words=words,
    )


def test_a_partnership_without_districts_is_refused(lancashire, partnership):
    fund = funding.create_stream(
        partnership, name="F", source="S", financial_year="2023/24", amount_pence=100_00
    )
    refused(
        lambda: funding.allocate_by_formula(
            fund, [partnership], {"weights": {"population": "1"}}, lancashire
        ),
        field="partnerships",
        words="has no districts in the registry",
    )
