"""The statutory compliance engine: every rule on the demo partnership with its evidence, a
removed fire authority seat named as a failure, and rules that read later features' records
through the evidence interface (no evidence is never a pass)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cdrp.accounts.audit import acting_as
from cdrp.partnerships import evidence, services
from cdrp.partnerships.compliance import RULES, Severity, Status, evaluate
from cdrp.partnerships.models import Membership, Partnership, Seat
from conftest import FROZEN_TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

ISSUE_RULES = {
    "RA-SEATS",
    "RA-SENIOR",
    "PORTFOLIO-MEMBER",
    "COUNTY-CHAIRS",
    "ASSESSMENT-ANNUAL",
    "ASSESSMENT-REFRESH",
    "PLAN-CURRENT",
    "PUBLIC-MEETING",
    "SKILLS-REVIEW",
    "DATA-SHARING",
    "MERGED-AREAS",
}
TODAY = FROZEN_TODAY  # 25 November 2026, the date the command judges "now" on


def _by_id(findings):
    return {f.rule.id: f for f in findings}


def test_every_rule_has_an_id_statement_source_and_severity():
    assert ISSUE_RULES <= set(RULES)
    for r in RULES.values():
        assert r.statement.endswith(".") and r.source and isinstance(r.severity, Severity)


def test_the_demo_meets_the_structural_rules_with_evidence_and_has_no_evidence_for_the_rest(
    south_registry,
):
    findings = _by_id(evaluate(south_registry, TODAY))
    for rule_id in ["RA-SEATS", "RA-SENIOR", "PORTFOLIO-MEMBER", "COUNTY-CHAIRS", "MERGED-AREAS"]:
        assert findings[rule_id].status == Status.MET, (rule_id, findings[rule_id].problems)
        assert findings[rule_id].evidence, rule_id
    assert any("Lancashire Fire and Rescue Service" in e for e in findings["RA-SEATS"].evidence)
    assert findings["MERGED-AREAS"].evidence == [
        "Chorley: 3 representatives, one vote",
        "South Ribble: 3 representatives, one vote",
        "West Lancashire: 3 representatives, one vote",
    ]
    # Assessments and plans record their evidence: with none approved, not met.
    for rule_id in ["ASSESSMENT-ANNUAL", "ASSESSMENT-REFRESH", "PLAN-CURRENT"]:
        assert findings[rule_id].status == Status.NOT_MET, rule_id
    # No meeting of the strategy group is recorded at all: a gap in the records, not a failure.
    assert findings["PUBLIC-MEETING"].status == Status.NO_EVIDENCE
    assert findings["PUBLIC-MEETING"].summary == (
        "No evidence recorded: no meetings of the Responsible Authorities Group are recorded here."
    )
    # Skills reviews are kept by the health app (cdrp.health): with none recorded, not met.
    assert findings["SKILLS-REVIEW"].status == Status.NOT_MET
    # The agreements register (cdrp.sharing) keeps agreements: with none recorded, not met.
    assert findings["DATA-SHARING"].status == Status.NOT_MET


def test_removing_the_fire_authoritys_seat_fails_the_rule_naming_the_authority(south_registry):
    seat = Seat.objects.get(
        group__partnership=south_registry,
        group__slug="rag",
        organisation__slug="lancashire-fire-rescue",
    )
    with acting_as(None, "test"):
        services.remove_seat(seat)
    finding = _by_id(evaluate(south_registry, TODAY))["RA-SEATS"]
    assert finding.status == Status.NOT_MET
    assert finding.problems == [
        "Lancashire Fire and Rescue Service (fire and rescue authority) has no seat on the "
        "Responsible Authorities Group."
    ]
    # …and the fire authority has no senior representative either.
    senior = _by_id(evaluate(south_registry, TODAY))["RA-SENIOR"]
    assert (
        senior.status == Status.NOT_MET and "Lancashire Fire and Rescue Service" in senior.summary
    )


def test_without_the_portfolio_holder_the_rule_names_the_council(south_registry):
    m = Membership.objects.get(
        seat__group__partnership=south_registry,
        seat__group__slug="rag",
        portfolio_holder=True,
        seat__organisation__slug="west-lancashire-council",
    )
    with acting_as(None, "test"):
        services.end_membership(m, dt.date(2020, 1, 1))
    finding = _by_id(evaluate(south_registry, TODAY))["PORTFOLIO-MEMBER"]
    assert finding.status == Status.NOT_MET
    assert "West Lancashire Borough Council" in finding.summary


def test_a_district_chair_missing_from_the_county_group_fails_the_county_rule(south_registry):
    chair = south_registry.strategy_group().chair(TODAY)
    m = Membership.objects.current(TODAY).get(seat__group__kind="county_strategy", person=chair)
    with acting_as(None, "test"):
        m.delete()
    finding = _by_id(evaluate(south_registry, TODAY))["COUNTY-CHAIRS"]
    assert finding.status == Status.NOT_MET and str(chair) in finding.summary
    county = Partnership.objects.get(slug="lancashire-county")
    assert _by_id(evaluate(county, TODAY))["COUNTY-CHAIRS"].status == Status.NOT_MET


def test_a_single_district_outside_a_county_is_not_a_merger_or_two_tier(partnership):
    findings = _by_id(evaluate(partnership, TODAY))
    assert findings["MERGED-AREAS"].status == Status.NOT_APPLICABLE
    assert findings["COUNTY-CHAIRS"].status == Status.NOT_APPLICABLE
    assert findings["RA-SEATS"].status == Status.NOT_MET  # no strategy group at all


@pytest.fixture
def provide():
    registered = []

    def add(kind, *records):
        def provider(partnership, records=records):
            return list(records)

        evidence.register(kind, provider)
        registered.append((kind, provider))

    yield add
    for kind, provider in registered:
        evidence.unregister(kind, provider)


def E(kind, date, title="Record", **kw):
    return evidence.Evidence(kind=kind, date=date, title=title, **kw)


def test_a_registered_provider_with_no_records_is_a_failure_not_no_evidence(partnership, provide):
    provide(evidence.SKILLS_REVIEW)
    finding = _by_id(evaluate(partnership, TODAY))["SKILLS-REVIEW"]
    assert finding.status == Status.NOT_MET
    assert finding.summary == "No skills and knowledge review is recorded."


def test_public_meetings_no_evidence_without_meetings_not_met_when_none_was_public(
    partnership, provide
):
    provide(evidence.PUBLIC_MEETING)
    provide(evidence.MEETING)
    finding = _by_id(evaluate(partnership, TODAY))["PUBLIC-MEETING"]
    assert finding.status == Status.NO_EVIDENCE and finding.summary.startswith("No evidence")
    provide(evidence.MEETING, E("meeting", dt.date(2026, 3, 1), "Meeting of the board"))
    finding = _by_id(evaluate(partnership, TODAY))["PUBLIC-MEETING"]
    assert finding.status == Status.NOT_MET
    assert finding.summary.endswith("is recorded, none of them public.")
    assert finding.evidence == ["Meeting of the board, 1 March 2026"]
    provide(evidence.PUBLIC_MEETING, E("public_meeting", dt.date(2026, 6, 1), "Public meeting"))
    finding = _by_id(evaluate(partnership, TODAY))["PUBLIC-MEETING"]
    assert finding.status == Status.MET and finding.summary == "Latest public meeting: 1 June 2026."


def test_an_assessment_within_twelve_months_passes_and_an_older_one_fails(partnership, provide):
    provide(
        evidence.STRATEGIC_ASSESSMENT, E("strategic_assessment", dt.date(2025, 12, 1), "SA 2025")
    )
    finding = _by_id(evaluate(partnership, TODAY))["ASSESSMENT-ANNUAL"]
    assert finding.status == Status.MET and finding.evidence == ["SA 2025, 1 December 2025"]
    late = _by_id(evaluate(partnership, dt.date(2026, 12, 2)))["ASSESSMENT-ANNUAL"]
    assert late.status == Status.NOT_MET and "more than 12 months ago" in late.summary


def test_the_six_month_refresh_is_due_183_days_after_approval(partnership, provide):
    provide(evidence.STRATEGIC_ASSESSMENT, E("strategic_assessment", dt.date(2026, 4, 1), "SA"))
    provide(evidence.ASSESSMENT_REFRESH)
    assert (
        _by_id(evaluate(partnership, dt.date(2026, 9, 30)))["ASSESSMENT-REFRESH"].status
        == Status.MET
    )
    overdue = _by_id(evaluate(partnership, dt.date(2026, 10, 2)))["ASSESSMENT-REFRESH"]
    assert overdue.status == Status.NOT_MET and "due by 1 October 2026" in overdue.summary


def test_a_plan_must_cover_today_and_have_been_revised_within_a_year(partnership, provide):
    provide(
        evidence.PARTNERSHIP_PLAN,
        E(
            "partnership_plan",
            dt.date(2025, 4, 1),
            "Plan 2025-28",
            period_start=dt.date(2025, 4, 1),
            period_end=dt.date(2028, 3, 31),
        ),
    )
    assert _by_id(evaluate(partnership, dt.date(2026, 3, 31)))["PLAN-CURRENT"].status == Status.MET
    stale = _by_id(evaluate(partnership, dt.date(2026, 4, 2)))["PLAN-CURRENT"]
    assert stale.status == Status.NOT_MET and "last revised on 1 April 2025" in stale.summary
    expired = _by_id(evaluate(partnership, dt.date(2028, 4, 1)))["PLAN-CURRENT"]
    assert expired.status == Status.NOT_MET


def test_a_data_sharing_agreement_counts_only_while_in_force(partnership, provide):
    provide(
        evidence.DATA_SHARING_AGREEMENT,
        E("data_sharing_agreement", dt.date(2024, 1, 1), "ISP", period_end=dt.date(2026, 12, 31)),
    )
    assert _by_id(evaluate(partnership, TODAY))["DATA-SHARING"].status == Status.MET
    assert (
        _by_id(evaluate(partnership, dt.date(2027, 1, 1)))["DATA-SHARING"].status == Status.NOT_MET
    )


def test_the_command_prints_each_rule_and_strict_fails_on_a_statutory_gap(south_registry):
    out = io.StringIO()
    call_command("compliance", "lancashire-south", "--on", "2026-11-25", stdout=out)
    text = out.getvalue()
    for rule_id in ISSUE_RULES:
        assert rule_id in text
    assert "No evidence recorded" in text and "5 met, 6 not met, 1 no evidence recorded" in text
    out = io.StringIO()
    call_command("compliance", "lancashire-south", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {f["rule"] for f in data["findings"]} == set(RULES)
    _record_assessments_and_a_public_meeting(south_registry)
    call_command(
        "compliance", "lancashire-south", "--strict", stdout=io.StringIO()
    )  # nothing not met
    with acting_as(None, "test"):
        services.remove_seat(
            Seat.objects.get(
                group__partnership=south_registry,
                group__slug="rag",
                organisation__slug="lancashire-fire-rescue",
            )
        )
    with pytest.raises(SystemExit) as exit_:
        call_command("compliance", "lancashire-south", "--strict", stdout=io.StringIO())
    assert exit_.value.code == 1


def test_the_command_names_an_unknown_partnership(partnership):
    with pytest.raises(CommandError, match="No partnership 'nowhere' .known: lancashire-south"):
        call_command("compliance", "nowhere")


def test_historical_partnerships_are_judged_as_on_their_last_day_and_the_county_group_passes(
    south_registry,
):
    chorley = Partnership.objects.get(slug="chorley-csp")
    findings = _by_id(evaluate(chorley))
    structural = ["RA-SEATS", "RA-SENIOR", "PORTFOLIO-MEMBER", "COUNTY-CHAIRS", "MERGED-AREAS"]
    assert all(findings[r].status in (Status.MET, Status.NOT_APPLICABLE) for r in structural)
    # Judged today, its members have all left: the structural rules fail.
    assert _by_id(evaluate(chorley, TODAY))["RA-SENIOR"].status == Status.NOT_MET
    county = _by_id(evaluate(Partnership.objects.get(slug="lancashire-county"), TODAY))
    assert county["RA-SEATS"].status == Status.MET and county["COUNTY-CHAIRS"].status == Status.MET
    assert county["MERGED-AREAS"].status == Status.NOT_APPLICABLE


def _record_assessments_and_a_public_meeting(south_registry):
    from django.utils import timezone

    from cdrp.intelligence.models import Assessment
    from cdrp.meetings.models import Meeting
    from cdrp.partnerships.models import Group

    rag = Group.objects.get(partnership=south_registry, slug="rag")
    Meeting(group=rag, date=TODAY - dt.timedelta(days=30), public=True).save()
    for kind, day in [(Assessment.Kind.STRATEGIC, 1), (Assessment.Kind.REFRESH, 20)]:
        approved = timezone.make_aware(dt.datetime(2026, 10, day, 12))
        Assessment.objects.create(
            partnership=south_registry,
            kind=kind,
            title="Strategic assessment",
            period_start="2021-12",
            period_end="2022-11",
            status=Assessment.Status.APPROVED,
            document={},
            fingerprint={},
            built_at=approved,
            approved_at=approved,
        )
    # A plan approved by the strategy group, covering today.
    from cdrp.plans.models import Plan

    Plan.objects.create(
        partnership=south_registry,
        revision=1,
        title="Partnership plan",
        period_start="2026-04",
        period_end="2029-03",
        status=Plan.Status.APPROVED,
        approved_at=timezone.make_aware(dt.datetime(2026, 10, 2, 12)),
    )
    # An information sharing agreement in force, and last quarter's prescribed information
    # received on time from every authority the regulations name (cdrp.sharing).
    from cdrp.sharing.models import Agreement, PrescribedReturn
    from cdrp.sharing.prescribed import EXPECTED

    Agreement.objects.create(
        partnership=south_registry,
        title="Information sharing protocol",
        purpose="Community safety",
        datasets=["police_crime"],
        personal="depersonalised",
        retention="Two years",
        starts=dt.date(2025, 1, 1),
        review_date=dt.date(2027, 1, 1),
        status="active",
    )
    for organisation in south_registry.responsible_authorities.all():
        for dataset in EXPECTED.get(organisation.kind, []):
            PrescribedReturn.objects.create(
                partnership=south_registry,
                organisation=organisation,
                dataset=dataset,
                quarter="2026-Q2",
                received_on=dt.date(2026, 8, 1),
            )
    # The strategy group reviewed its members' skills this year (cdrp.health).
    from cdrp.health.models import SkillsReview
    from cdrp.partnerships.models import Group

    SkillsReview.objects.create(
        partnership=south_registry,
        group=Group.objects.get(partnership=south_registry, slug="rag"),
        held_on=dt.date(2026, 6, 1),
    )


def test_an_approved_assessment_and_a_held_public_meeting_are_evidence(south_registry):
    _record_assessments_and_a_public_meeting(south_registry)
    findings = _by_id(evaluate(south_registry, TODAY))
    for rule_id in ["ASSESSMENT-ANNUAL", "ASSESSMENT-REFRESH", "PUBLIC-MEETING", "PLAN-CURRENT"]:
        assert findings[rule_id].status == Status.MET, rule_id
    assert any("approved" in e for e in findings["ASSESSMENT-ANNUAL"].evidence)
