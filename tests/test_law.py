"""Organisations and the law over time (issue 15, part 4) and dates from the records that fix them
(part 5): the responsible authorities as dated provisions of the Crime and Disorder Act 1998 s.5
with their citations, compliance as at any date, a seat held for an ended body flagged and
without a vote, the demo rolled forward through the bodies that took over, and an assessment's
approval date taken from the strategy group's decision."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from cdrp.accounts.audit import acting_as
from cdrp.meetings.agenda import quorum
from cdrp.meetings.models import Meeting
from cdrp.meetings.services import decide, record_decision
from cdrp.partnerships import law
from cdrp.partnerships.compliance import Status, evaluate
from cdrp.partnerships.models import Group, Membership, Organisation, Seat
from cdrp.partnerships.services import ended_body_flags
from conftest import FROZEN_TODAY

pytestmark = [pytest.mark.usefixtures("frozen_today")]

D = dt.date
IN_2008 = D(2008, 6, 1)
IN_2026 = D(2026, 12, 1)
POINT_IN_TIME = re.compile(
    r"^https://www\.legislation\.gov\.uk/ukpga/\d{4}/\d+/section/\d+[A-Z]?(/(enacted|\d{4}-\d\d-\d\d))?$"
)


# The law as dated provisions ------------------------------------------------------------------


def test_each_provision_has_a_citation_a_point_in_time_url_and_a_known_kind():
    kinds = set(Organisation.Kind.values)
    for p in law.PROVISIONS:
        assert p.kind in kinds, p
        assert "Act" in p.citation and ("s." in p.citation), p
        assert POINT_IN_TIME.match(p.url), p.url
        assert p.end is None or p.start <= p.end
    # No kind of body has two places at once (in one country).
    for a in law.PROVISIONS:
        for b in law.PROVISIONS:
            if a is b or a.kind != b.kind or (a.country and b.country and a.country != b.country):
                continue
            overlap = a.start <= (b.end or D.max) and b.start <= (a.end or D.max)
            assert not overlap, (a, b)


@pytest.mark.parametrize(
    "kind, on, role",
    [
        # As enacted (in force 30 September 1998): councils and the chief officer responsible;
        # police authority, probation committee and health authority co-operate.
        ("district_council", D(1998, 10, 1), law.Role.RESPONSIBLE),
        ("police", D(1998, 10, 1), law.Role.RESPONSIBLE),
        ("police_authority", D(2000, 1, 1), law.Role.CO_OPERATING),
        ("health_authority", D(2000, 1, 1), law.Role.CO_OPERATING),
        ("probation", D(2000, 1, 1), law.Role.CO_OPERATING),
        ("district_council", D(1998, 9, 29), None),
        # Police Reform Act 2002 s.97: police and fire authorities from 1 April 2003, primary
        # care trusts in England from 30 April 2004.
        ("police_authority", D(2003, 4, 1), law.Role.RESPONSIBLE),
        ("fire_authority", D(2003, 4, 1), law.Role.RESPONSIBLE),
        ("fire_authority", D(2003, 3, 31), None),
        ("health", D(2004, 4, 29), None),
        ("health", D(2004, 4, 30), law.Role.RESPONSIBLE),
        ("police_authority", IN_2008, law.Role.RESPONSIBLE),
        ("probation", IN_2008, law.Role.CO_OPERATING),
        # Providers of probation services from 1 April 2010 (s.5(1)(aa)).
        ("probation", D(2010, 4, 1), law.Role.RESPONSIBLE),
        # Police authorities abolished 22 November 2012; commissioners co-operate.
        ("police_authority", D(2012, 11, 21), law.Role.RESPONSIBLE),
        ("police_authority", D(2012, 11, 22), None),
        ("pcc", D(2012, 11, 22), law.Role.CO_OPERATING),
        ("pcc", IN_2026, law.Role.CO_OPERATING),
        # Primary care trusts → clinical commissioning groups → integrated care boards.
        ("health", D(2013, 3, 31), law.Role.RESPONSIBLE),
        ("health", D(2013, 4, 1), None),
        ("ccg", D(2013, 4, 1), law.Role.RESPONSIBLE),
        ("ccg", D(2022, 6, 30), law.Role.RESPONSIBLE),
        ("ccg", D(2022, 7, 1), None),
        ("icb", D(2022, 7, 1), law.Role.RESPONSIBLE),
        ("icb", IN_2026, law.Role.RESPONSIBLE),
        # Government Offices were never responsible authorities.
        ("government", IN_2008, None),
    ],
)
def test_the_role_of_each_kind_of_body_on_a_date(kind, on, role):
    assert law.role_of(kind, on) == role


def test_wales_has_local_health_boards_where_england_has_trusts():
    assert law.role_of("local_health_board", IN_2008, "W") == law.Role.RESPONSIBLE
    assert law.role_of("local_health_board", IN_2008, "E") is None
    assert law.role_of("health", IN_2008, "W") is None
    assert law.country_of(["W06000015"]) == "W" and law.country_of(["E07000118"]) == "E"


def test_merged_areas_are_combined_by_order_then_by_combination_agreement():
    assert "Secretary of State" in law.combination(D(2009, 4, 1)).citation
    assert "combination agreement" in law.combination(IN_2026).citation
    assert law.combination(D(2000, 1, 1)) is None


# Compliance as at two dates ------------------------------------------------------------------


def _by_id(findings):
    return {f.rule.id: f for f in findings}


@pytest.mark.django_db
def test_compliance_applies_the_law_of_2008_and_of_2026_and_both_are_met(south_registry):
    then = _by_id(evaluate(south_registry, IN_2008))["RA-SEATS"]
    now = _by_id(evaluate(south_registry, IN_2026))["RA-SEATS"]
    assert then.status == Status.MET, then.problems
    assert now.status == Status.MET, now.problems
    kinds_then = {p.kind for p in then.law}
    kinds_now = {p.kind for p in now.law}
    assert {"police_authority", "health", "fire_authority", "police"} <= kinds_then
    assert not kinds_then & {"ccg", "icb", "probation"}
    assert {"icb", "probation", "fire_authority", "police"} <= kinds_now
    assert not kinds_now & {"police_authority", "health", "ccg"}
    assert any(e.startswith("Lancashire Police Authority:") for e in then.evidence)
    assert (
        "Lancashire Probation Area is a co-operating body on 1 June 2008, not a responsible "
        "authority." in then.evidence
    )
    assert any(
        e.startswith("NHS Lancashire and South Cumbria Integrated Care Board:")
        for e in now.evidence
    )
    assert (
        "Lancashire Police Authority ended on 21 November 2012; succeeded by Police and Crime "
        "Commissioner for Lancashire." in now.evidence
    )
    assert not any(e.startswith("Lancashire Police Authority:") for e in now.evidence)
    # Between the two: the clinical commissioning groups.
    mid = _by_id(evaluate(south_registry, D(2015, 6, 1)))["RA-SEATS"]
    assert mid.status == Status.MET, mid.problems
    assert "ccg" in {p.kind for p in mid.law}
    assert sum("Clinical Commissioning Group:" in e for e in mid.evidence) == 2


@pytest.mark.django_db
def test_the_command_as_at_two_dates_prints_the_law_of_each(south_registry):
    def run(*args):
        out = io.StringIO()
        call_command("compliance", "lancashire-south", *args, stdout=out)
        return out.getvalue()

    then, now = run("--as-at", "2008-06-01"), run("--as-at", "2026-12-01")
    assert "compliance as at 1 June 2008" in then and "compliance as at 1 December 2026" in now
    assert re.search(r"✓ RA-SEATS", then) and re.search(r"✓ RA-SEATS", now)
    assert "every police authority" in then and "every Primary Care Trust" in then
    assert "every police authority" not in now.split("RA-SENIOR")[0]
    assert "every integrated care board" in now and "integrated care board" not in then
    assert "https://www.legislation.gov.uk/ukpga/1998/37/section/5/" in then
    data = json.loads(run("--as-at", "2026-12-01", "--json"))
    assert data["as_at"] == "2026-12-01"
    ra = next(f for f in data["findings"] if f["rule"] == "RA-SEATS")
    assert {x["kind"] for x in ra["law"]} >= {"icb", "probation"} and all(
        x["url"].startswith("https://www.legislation.gov.uk/") for x in ra["law"]
    )


@pytest.mark.django_db
def test_a_police_authority_missing_in_2008_fails_but_not_in_2026(south_registry):
    pa = Organisation.objects.get(slug="lancashire-police-authority")
    south_registry.responsible_authorities.remove(pa)
    then = _by_id(evaluate(south_registry, IN_2008))["RA-SEATS"]
    assert then.status == Status.NOT_MET
    assert then.problems[0].startswith(
        "No police authority is listed among the responsible authorities"
    )
    assert _by_id(evaluate(south_registry, IN_2026))["RA-SEATS"].status == Status.MET


@pytest.mark.django_db
def test_the_compliance_page_has_an_as_at_date(client, south_registry):
    url = "/partnerships/lancashire-south/compliance/"
    page = client.get(url, {"as_at": "2008-06-01"}).content.decode()
    assert "Checked as at 1 June 2008" in page and 'id="as_at"' in page
    assert "every police authority" in page and "integrated care board" not in page
    assert "https://www.legislation.gov.uk/ukpga/1998/37/section/5/" in page
    today = client.get(url).content.decode()
    assert f"Checked as at {FROZEN_TODAY:%-d %B %Y}" in today
    assert "every integrated care board" in today
    typed = client.get(url, {"as_at": "1 6 2008"}).content.decode()
    assert "Checked as at 1 June 2008" in typed
    bad = client.get(url, {"as_at": "1 Smarch 2008"})
    assert bad.status_code == 400
    assert "Enter the “as at” date as day, month and year, for example 1 6 2008" in (
        bad.content.decode()
    )


# A seat held for a body after its end ---------------------------------------------------------


def _unclose_police_authority(south):
    """The registry as it was before the roll forward: the police authority's seat still open
    and still held after the authority was abolished."""
    seat = Seat.objects.get(
        group__partnership=south,
        group__slug="rag",
        organisation__slug="lancashire-police-authority",
    )
    with acting_as(None, "test"):
        seat.valid_to = None
        seat.save()
        m = seat.memberships.get()
        m.end = None
        m.save()
    return seat, m.person


@pytest.mark.django_db
def test_a_seat_for_an_ended_body_is_flagged_and_cannot_vote(client, south_registry):
    seat, person = _unclose_police_authority(south_registry)
    rag = seat.group
    # Recording a vote: refused for the ended body's seat, the database unchanged.
    meeting = Meeting(group=rag, date=D(2026, 5, 12), status=Meeting.Status.HELD)
    meeting.save()
    chair = rag.chair(meeting.date)
    with pytest.raises(ValidationError, match="cannot vote"):
        record_decision(meeting, "A motion", [(chair, "for"), (person, "for")])
    assert not meeting.decisions.exists()
    assert seat.may_vote_on(D(2012, 11, 21)) and not seat.may_vote_on(D(2012, 11, 22))
    assert "Lancashire Police Authority" in rag.voting_bodies(D(2010, 1, 1)).values()
    assert "Lancashire Police Authority" not in rag.voting_bodies(IN_2026).values()
    # In 2010 the same seat voted.
    decided = decide(rag, D(2010, 6, 1), "An earlier motion", [(person, "for")], present=[])
    assert [v.body for v in decided.votes.all()] == ["Lancashire Police Authority"]
    # Its body no longer counts towards the quorum.
    assert quorum(meeting).voting_bodies == len(rag.voting_bodies(meeting.date))
    assert "Lancashire Police Authority" not in rag.voting_bodies(meeting.date).values()
    # Flagged on the structure and group pages, and by compliance.
    flags = ended_body_flags(south_registry, FROZEN_TODAY)
    assert [f["seat"] for f in flags] == [seat]
    assert flags[0]["problem"].startswith(
        "Lancashire Police Authority ended on 21 November 2012 (succeeded by Police and Crime "
        "Commissioner for Lancashire)"
    )
    structure = client.get("/partnerships/lancashire-south/structure/").content.decode()
    assert 'id="ended-bodies"' in structure and "Lancashire Police Authority ended" in structure
    group = client.get("/partnerships/lancashire-south/groups/rag/").content.decode()
    assert "Body ended: no vote" in group and "Lancashire Police Authority ended" in group
    finding = _by_id(evaluate(south_registry, FROZEN_TODAY))["RA-SEATS"]
    assert finding.status == Status.NOT_MET
    assert any(
        "Lancashire Police Authority ended" in x and str(person) in x for x in finding.problems
    )


# The demo rolled forward ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_rolls_forward_through_the_bodies_that_took_over(client, south_registry):
    rag = Group.objects.get(partnership=south_registry, slug="rag")
    meeting = Meeting(group=rag, date=D(2026, 5, 12))
    meeting.save()
    assert quorum(meeting).voting_bodies == 10  # today's ten bodies, none of them abolished
    structure = client.get("/api/partnerships/lancashire-south/structure").json()
    today = {s["body"] for g in structure["groups"] if g["slug"] == "rag" for s in g["seats"]}
    assert not today & {"Lancashire Police Authority", "Central Lancashire Primary Care Trust"}
    assert not any("Government Office" in s for s in today)
    then = set(rag.voting_bodies(IN_2008).values())
    now = set(rag.voting_bodies(IN_2026).values())
    assert {"Lancashire Police Authority", "Central Lancashire Primary Care Trust"} <= then
    assert not now & {
        "Lancashire Police Authority",
        "Central Lancashire Primary Care Trust",
        "NHS Chorley and South Ribble Clinical Commissioning Group",
    }
    assert {
        "Police and Crime Commissioner for Lancashire",
        "NHS Lancashire and South Cumbria Integrated Care Board",
    } <= now
    assert (
        "NHS West Lancashire Clinical Commissioning Group"
        in rag.voting_bodies(D(2020, 1, 1)).values()
    )
    # Organisations' lives and successors.
    pa = Organisation.objects.get(slug="lancashire-police-authority")
    pct = Organisation.objects.get(slug="central-lancashire-pct")
    gonw = Organisation.objects.get(slug="gonw")
    assert pa.valid_to == D(2012, 11, 21) and [s.slug for s in pa.successors.all()] == [
        "lancashire-pcc"
    ]
    assert pct.valid_to == D(2013, 3, 31) and pct.successors.count() == 2
    assert gonw.valid_to == D(2011, 3, 31)
    assert not gonw.is_responsible_authority_on(IN_2008)
    pcc = Organisation.objects.get(slug="lancashire-pcc")
    assert not pcc.is_responsible_authority_on(IN_2026) and pa.is_responsible_authority_on(IN_2008)
    # The Government Office's seat closed with it; nobody sits for an ended body today.
    go_seat = Seat.objects.get(group=rag, organisation=gonw)
    assert go_seat.valid_to == D(2011, 3, 31) and not go_seat.is_open(IN_2026)
    assert not Membership.objects.current(IN_2026).filter(seat=go_seat).exists()
    for slug in ["lancashire-south", "lancashire-county"]:
        from cdrp.partnerships.models import Partnership

        assert ended_body_flags(Partnership.objects.get(slug=slug), FROZEN_TODAY) == []
    group = client.get("/partnerships/lancashire-south/groups/rag/").content.decode()
    assert "Body ended" not in group and "Closed" in group
    # Today's compliance is met on the structural rules, by today's bodies.
    findings = _by_id(evaluate(south_registry, FROZEN_TODAY))
    for rule_id in ["RA-SEATS", "RA-SENIOR", "MERGED-AREAS"]:
        assert findings[rule_id].status == Status.MET, findings[rule_id].problems
    assert not any("Primary Care Trust:" in e for e in findings["RA-SENIOR"].evidence)
    assert any(
        e.startswith("The Probation Service, Lancashire") for e in findings["RA-SEATS"].evidence
    )
    assert (
        "Lancashire Probation Trust ended on 31 May 2014; succeeded by The Probation "
        "Service, Lancashire (National Probation Service until 26 June 2021)."
        in findings["RA-SEATS"].evidence
    )


@pytest.mark.django_db
def test_the_structure_file_carries_lives_successors_and_seat_dates(south_registry):
    import yaml

    from cdrp.partnerships.structure import export_structure, import_structure

    text = export_structure(south_registry)
    doc = yaml.safe_load(text)
    orgs = {o["slug"]: o for o in doc["organisations"]}
    assert orgs["lancashire-police-authority"]["valid_to"] == D(2012, 11, 21)
    assert orgs["lancashire-police-authority"]["successors"] == ["lancashire-pcc"]
    assert orgs["lancashire-pcc"]["valid_from"] == D(2012, 11, 22)
    rag = next(g for g in doc["groups"] if g["slug"] == "rag")
    go = next(s for s in rag["seats"] if s["organisation"] == "gonw")
    assert go["valid_to"] == D(2011, 3, 31)
    with acting_as(None, "test"):
        Organisation.objects.filter(slug="lancashire-police-authority").update(valid_to=None)
        Seat.objects.filter(organisation__slug="gonw").update(valid_to=None)
        import_structure(text, "round trip")
    assert Organisation.objects.get(slug="lancashire-police-authority").valid_to == D(2012, 11, 21)
    assert set(
        Seat.objects.filter(organisation__slug="gonw").values_list("valid_to", flat=True)
    ) == {D(2011, 3, 31)}
    assert export_structure(south_registry) == text


# Dates from the records that fix them ---------------------------------------------------------


@pytest.mark.django_db
def test_an_assessment_is_approved_on_its_decisions_meeting_date_not_when_recorded(
    client, south_registry
):
    from cdrp.intelligence.models import Assessment
    from cdrp.meetings.demo import strategy_decision
    from conftest import user_with_role

    decision = strategy_decision(south_registry, D(2026, 3, 30), "Approve the assessment")
    recorded = timezone.now()  # 25 November 2026: the day the approval was typed in
    assessment = Assessment.objects.create(
        partnership=south_registry,
        title="Strategic assessment",
        period_start="2025-01",
        period_end="2025-12",
        status=Assessment.Status.APPROVED,
        document={"sections": [], "summary": []},
        fingerprint={},
        built_at=recorded,
        approved_at=recorded,
        approval_decision=decision,
    )
    finding = _by_id(evaluate(south_registry, FROZEN_TODAY))["ASSESSMENT-ANNUAL"]
    assert finding.summary == "Latest approved strategic assessment: 30 March 2026."
    assert "25 November 2026" not in " ".join(finding.evidence)
    # More than a year after the decision, it is out of date whatever day it was recorded.
    late = _by_id(evaluate(south_registry, D(2027, 4, 1)))["ASSESSMENT-ANNUAL"]
    assert late.status == Status.NOT_MET and "30 March 2026" in late.summary
    assert assessment.approved_on == D(2026, 3, 30)
    analyst = user_with_role("an-analyst", south_registry, "analyst")
    client.force_login(analyst)
    page = client.get(
        f"/intelligence/assessments/lancashire-south/{assessment.pk}/"
    ).content.decode()
    assert re.search(r"Approved</dt><dd[^>]*>30 March 2026 by the strategy group", page)
    # Without a decision (an approval recorded before decisions were kept): the recorded day.
    assessment.approval_decision = None
    assert assessment.approved_on == FROZEN_TODAY
