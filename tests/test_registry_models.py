"""Registry record rules: each bad input the issue lists gets a clear error and changes nothing;
decisions count one vote per council area or agency; concurrent edits never lose an update."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.core.models import ConflictError
from cdrp.meetings import services as meetings_services
from cdrp.meetings.models import Decision, Meeting, Vote
from cdrp.partnerships import demo, services
from cdrp.partnerships.models import (
    Area,
    Group,
    Membership,
    Organisation,
    Partnership,
    Person,
    Seat,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(partnership):
    chorley = Area.objects.create(code="E07000118", name="Chorley", level="district")
    ribble = Area.objects.create(code="E07000126", name="South Ribble", level="district")
    council = Organisation.objects.create(
        slug="chorley-council",
        name="Chorley Borough Council",
        kind="district_council",
        area=chorley,
    )
    sr = Organisation.objects.create(
        slug="sr-council", name="South Ribble Borough Council", kind="district_council", area=ribble
    )
    police = Organisation.objects.create(
        slug="police", name="Lancashire Constabulary", kind="police"
    )
    rag = Group.objects.create(partnership=partnership, slug="rag", name="RAG", kind="strategy")
    people = {
        n: Person.objects.create(slug=n, name=n.title())
        for n in ["ce", "cllr", "director", "sr-ce", "commander", "visitor"]
    }
    seats = {
        "ce": Seat.objects.create(
            group=rag, label="Chief Executive", organisation=council, council_area=chorley
        ),
        "cllr": Seat.objects.create(
            group=rag, label="Elected member", organisation=council, council_area=chorley
        ),
        "director": Seat.objects.create(
            group=rag, label="Director", organisation=council, council_area=chorley
        ),
        "sr-ce": Seat.objects.create(
            group=rag, label="Chief Executive", organisation=sr, council_area=ribble
        ),
        "commander": Seat.objects.create(
            group=rag, label="Divisional Commander", organisation=police
        ),
    }
    for name, seat in seats.items():
        Membership.objects.create(
            seat=seat, person=people[name], role="chair" if name == "commander" else "member"
        )
    meeting = Meeting.objects.create(group=rag, date=dt.date(2026, 6, 1))
    return {
        "rag": rag,
        "people": people,
        "seats": seats,
        "meeting": meeting,
        "council": council,
        "chorley": chorley,
        "police": police,
    }


def _unchanged(before):
    assert AuditEvent.objects.count() == before


def test_a_duplicate_seat_is_refused(setup):
    before = AuditEvent.objects.count()
    with pytest.raises(
        ValidationError, match="RAG already has the seat “Chief Executive, Chorley Borough Council”"
    ):
        services.add_seat(
            setup["rag"],
            "chief executive",
            organisation=setup["council"],
            council_area=setup["chorley"],
        )
    _unchanged(before)


def test_a_voting_seat_needs_a_body(setup):
    with pytest.raises(ValidationError, match="votes are cast per council area or agency"):
        services.add_seat(setup["rag"], "Observer")
    assert services.add_seat(setup["rag"], "Observer", voting=False).pk


def test_a_membership_ending_before_it_starts_is_refused(setup):
    before = AuditEvent.objects.count()
    with pytest.raises(
        ValidationError, match=r"ends \(1 January 2026\) before it starts \(1 March 2026\)"
    ):
        services.add_membership(
            setup["seats"]["commander"],
            setup["people"]["visitor"],
            start=dt.date(2026, 3, 1),
            end=dt.date(2026, 1, 1),
        )
    _unchanged(before)


def test_one_person_in_two_seats_of_the_same_body_on_one_group_is_refused(setup):
    with pytest.raises(
        ValidationError, match="Ce already holds the seat “Chief Executive” for Chorley on RAG"
    ):
        services.add_membership(setup["seats"]["director"], setup["people"]["ce"])
    # A seat of another body on the same group is fine, and so is the same seat after it ended.
    services.add_membership(setup["seats"]["commander"], setup["people"]["ce"], role="substitute")
    old = Membership.objects.get(person__slug="cllr")
    services.end_membership(old, dt.date(2026, 1, 31))
    services.add_membership(
        setup["seats"]["director"], setup["people"]["cllr"], start=dt.date(2026, 2, 1)
    )


def test_a_quorum_larger_than_the_group_is_refused(setup):
    rag = setup["rag"]
    rag.quorum = 4  # three bodies: Chorley, South Ribble, the police
    with pytest.raises(
        ValidationError, match="quorum of 4 is larger than the group: it has 3 voting bodies"
    ):
        rag.save()
    rag.quorum = 3
    rag.save()


def test_reporting_lines_cannot_go_round_in_a_circle(setup):
    rag = setup["rag"]
    owg = Group.objects.create(
        partnership=rag.partnership, slug="owg", name="OWG", kind="officer", reports_to=rag
    )
    rag.reports_to = owg
    with pytest.raises(ValidationError, match="round in a circle"):
        rag.save()


def test_three_chorley_members_and_one_south_ribble_member_cast_one_vote_each(setup):
    p = setup["people"]
    with acting_as(None, "test"):
        decision = meetings_services.record_decision(
            setup["meeting"],
            "Adopt the partnership plan",
            [(p["ce"], "for"), (p["cllr"], "for"), (p["director"], "for"), (p["sr-ce"], "against")],
        )
    assert (decision.votes_for, decision.votes_against, decision.bodies_present) == (1, 1, 2)
    assert decision.result == "lost"  # a tie, and the chair (police) was not there to cast a vote
    chorley = decision.votes.get(body="Chorley")
    assert sorted(x.name for x in chorley.cast_by.all()) == ["Ce", "Cllr", "Director"]
    assert decision.votes.get(body="South Ribble").choice == "against"


def test_the_chairs_casting_vote_decides_a_tie_where_the_group_allows(setup):
    p = setup["people"]
    decision = meetings_services.record_decision(
        setup["meeting"],
        "Fund the pilot",
        [(p["ce"], "for"), (p["commander"], "for"), (p["sr-ce"], "against")],
        casting_vote="for",
    )
    assert (
        decision.result == "carried" and decision.casting_vote == ""
    )  # 2–1: no tie, no casting vote


def test_a_vote_by_someone_without_a_seat_is_refused_and_nothing_is_written(setup):
    p = setup["people"]
    with pytest.raises(ValidationError, match="Visitor has no voting seat on RAG on 1 June 2026"):
        meetings_services.record_decision(
            setup["meeting"], "Anything", [(p["ce"], "for"), (p["visitor"], "for")]
        )
    assert not Decision.objects.exists() and not Vote.objects.exists()


def test_a_split_body_is_refused_with_names(setup):
    p = setup["people"]
    with pytest.raises(
        ValidationError,
        match=r"Chorley has one vote but its representatives disagree \(Ce for; Cllr against\)",
    ):
        meetings_services.record_decision(
            setup["meeting"],
            "Split",
            [(p["ce"], "for"), (p["cllr"], "against"), (p["sr-ce"], "for")],
        )


def test_two_coordinators_editing_the_same_group_the_second_gets_a_conflict(setup):
    first = Group.objects.get(pk=setup["rag"].pk)
    second = Group.objects.get(pk=setup["rag"].pk)
    first.terms_of_reference = "First edit"
    first.save_checked(second.version)
    second.terms_of_reference = "Second edit"
    with pytest.raises(ConflictError, match="changed by someone else"):
        second.save_checked(second.version)
    assert Group.objects.get(pk=first.pk).terms_of_reference == "First edit"


def test_the_demo_loads_once_and_a_second_run_says_so(db):
    out = io.StringIO()
    with acting_as(None, "test"):
        demo.load(out, {})
        events = AuditEvent.objects.count()
        demo.load(out, {})
    assert "already loaded" in out.getvalue().splitlines()[-1]
    assert AuditEvent.objects.count() == events
    south = Partnership.objects.get(slug="lancashire-south")
    assert south.status == "current" and south.valid_from == dt.date(2009, 4, 1)
    rag = south.groups.get(slug="rag")
    # The strategy group as the merger left it (its health and police bodies changed later).
    assert set(rag.voting_bodies(dt.date(2009, 4, 1)).values()) == {
        "Chorley",
        "South Ribble",
        "West Lancashire",
        "Lancashire",
        "Lancashire Constabulary (Southern Division)",
        "Lancashire Police Authority",
        "Central Lancashire Primary Care Trust",
        "Lancashire Fire and Rescue Service",
        "Lancashire Drug and Alcohol Action Team (LDAT)",
        "Lancashire Probation Trust",
    }
    assert {g.slug for g in south.groups.filter(kind="thematic")} | {"domestic-abuse"} == {
        "young-persons",
        "alcohol",
        "drugs-jcg",
        "vulnerable-households",
        "domestic-abuse",
    }
    assert (
        south.groups.filter(kind="tasking").count() == 3
        and south.groups.filter(kind="ppo").count() == 6
    )
    assert all(p.name.endswith("(placeholder)") for p in Person.objects.all())
    assert all(p.email.endswith("@example.org") for p in Person.objects.all())


def test_removing_a_seat_below_the_quorum_is_refused_and_nothing_is_removed(setup):
    rag = setup["rag"]
    rag.quorum = 3
    rag.save()
    with pytest.raises(ValidationError, match="fewer than its quorum of 3"):
        services.remove_seat(setup["seats"]["commander"])
    assert Seat.objects.filter(pk=setup["seats"]["commander"].pk).exists()
    assert Membership.objects.filter(person__slug="commander").exists()
    services.remove_seat(setup["seats"]["director"])  # Chorley keeps two seats: still 3 bodies


def test_making_a_seat_advisory_below_the_quorum_is_refused(setup):
    rag = setup["rag"]
    rag.quorum = 3
    rag.save()
    seat = Seat.objects.get(pk=setup["seats"]["commander"].pk)
    seat.voting = False
    with pytest.raises(
        ValidationError, match="would have 2 voting bodies, fewer than its quorum of 3"
    ):
        seat.save()
