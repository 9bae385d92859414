"""The six-stage merger workflow: no skipping, every transition audited, the merged partnership
current from the order date and its predecessors historical with their records intact."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.partnerships import demo, services
from cdrp.partnerships.models import (
    Group,
    Membership,
    MergerProposal,
    MergerTransition,
    Organisation,
    Partnership,
    Person,
    Seat,
)

pytestmark = pytest.mark.django_db
Stage = MergerProposal.Stage


@pytest.fixture
def proposal(db):
    police = Organisation.objects.create(
        slug="police", name="Lancashire Constabulary", kind="police"
    )
    a_council = Organisation.objects.create(
        slug="a-council", name="A Council", kind="district_council"
    )
    b_council = Organisation.objects.create(
        slug="b-council", name="B Council", kind="district_council"
    )
    a = Partnership.objects.create(slug="a", name="A CSP")
    b = Partnership.objects.create(slug="b", name="B CSP")
    a.responsible_authorities.set([police, a_council])
    b.responsible_authorities.set([police, b_council])
    g = Group.objects.create(partnership=a, slug="main", name="A main group", kind="strategy")
    seat = Seat.objects.create(group=g, label="Chief Executive", organisation=a_council)
    Membership.objects.create(seat=seat, person=Person.objects.create(slug="x", name="X"))
    merged = Partnership.objects.create(slug="ab", name="A and B CSP")
    with acting_as(None, "test"):
        return services.propose_merger(merged, [a, b])


def _agree_all(proposal, on=dt.date(2008, 3, 1)):
    for org in services.required_agreements(proposal):
        services.record_agreement(proposal, org, on, f"Minute {org.slug}")


def _advance_to(proposal, stage, today=dt.date(2026, 1, 1)):
    dates = {
        1: dt.date(2008, 4, 1),
        2: dt.date(2008, 4, 1),
        3: dt.date(2008, 11, 1),
        4: dt.date(2009, 1, 1),
        5: dt.date(2009, 2, 1),
        6: dt.date(2009, 4, 1),
    }
    for s in range(proposal.stage + 1, stage + 1):
        proposal = services.advance_merger(
            proposal, s, dates[s], order_reference="SI 2009/1", today=today
        )
    return proposal


def test_a_proposal_starts_as_a_draft_and_the_merged_partnership_as_proposed(proposal):
    assert proposal.stage == Stage.DRAFT and proposal.merged.status == "proposed"


def test_a_stage_cannot_be_skipped_and_nothing_changes(proposal):
    _agree_all(proposal)
    before = AuditEvent.objects.count()
    with pytest.raises(
        ValidationError,
        match=r"at stage 0 \(Drafted\); it can move only to stage 1 .* not to stage 3",
    ):
        services.advance_merger(proposal, Stage.APPLICATION, dt.date(2008, 5, 1))
    proposal.refresh_from_db()
    assert proposal.stage == Stage.DRAFT and not MergerTransition.objects.exists()
    assert AuditEvent.objects.count() == before


def test_every_responsible_authority_must_agree_before_stage_one(proposal):
    services.record_agreement(
        proposal, Organisation.objects.get(slug="police"), dt.date(2008, 3, 1)
    )
    with pytest.raises(ValidationError, match="Not yet recorded: A Council, B Council."):
        services.advance_merger(proposal, Stage.AGREED, dt.date(2008, 4, 1))
    with pytest.raises(ValidationError, match="not a responsible authority"):
        services.record_agreement(
            proposal,
            Organisation.objects.create(slug="z", name="Z", kind="voluntary"),
            dt.date(2008, 3, 1),
        )


def test_a_stage_cannot_be_dated_before_the_previous_one(proposal):
    _agree_all(proposal)
    _advance_to(proposal, Stage.PILOT)
    with pytest.raises(ValidationError, match="cannot be dated 1 January 2008, before stage 2"):
        services.advance_merger(proposal, Stage.APPLICATION, dt.date(2008, 1, 1))


def test_every_transition_is_recorded_and_audited(proposal):
    _agree_all(proposal)
    with acting_as(None, "coordinator-x"):
        proposal = _advance_to(proposal, Stage.ORDER)
    transitions = list(MergerTransition.objects.filter(proposal=proposal))
    assert [(t.from_stage, t.to_stage) for t in transitions] == [(i, i + 1) for i in range(6)]
    assert all(t.actor == "coordinator-x" for t in transitions)
    audited = AuditEvent.objects.filter(
        model="partnerships.MergerProposal", action="update"
    ).order_by("id")
    assert [e.changes["stage"] for e in audited] == [[i, i + 1] for i in range(6)]
    with pytest.raises(ValidationError, match="no further stages"):
        services.advance_merger(proposal, 7, dt.date(2010, 1, 1))


def test_the_order_makes_the_merger_current_and_the_predecessors_historical_intact(proposal):
    _agree_all(proposal)
    counts = (Group.objects.count(), Seat.objects.count(), Membership.objects.count())
    proposal = _advance_to(proposal, Stage.ORDER)
    merged, a, b = (Partnership.objects.get(slug=s) for s in ["ab", "a", "b"])
    assert (merged.status, merged.valid_from) == ("current", dt.date(2009, 4, 1))
    assert {p.slug for p in merged.merged_from.all()} == {"a", "b"}
    assert (a.status, a.valid_to) == (
        "historical",
        dt.date(2009, 3, 31),
    ) and b.status == "historical"
    assert (Group.objects.count(), Seat.objects.count(), Membership.objects.count()) == counts
    assert a.groups.get().seats.get().memberships.get().person.name == "X"


def test_an_order_dated_in_the_future_takes_effect_on_its_date(proposal):
    _agree_all(proposal)
    for s in range(1, 6):
        proposal = _advance_to(proposal, s)
    proposal = services.advance_merger(
        proposal,
        Stage.ORDER,
        dt.date(2030, 4, 1),
        order_reference="SI 2030/1",
        today=dt.date(2029, 1, 1),
    )
    assert Partnership.objects.get(slug="ab").status == "proposed"
    assert services.apply_due_merger_orders(dt.date(2030, 3, 31)) == 0
    assert services.apply_due_merger_orders(dt.date(2030, 4, 1)) == 1
    assert Partnership.objects.get(slug="ab").status == "current"
    assert Partnership.objects.get(slug="a").valid_to == dt.date(2030, 3, 31)


def test_the_demo_merger_has_six_dated_stages(db):
    with acting_as(None, "test"):
        demo.load(io.StringIO(), {})
    proposal = MergerProposal.objects.get(merged__slug="lancashire-south")
    assert proposal.stage == Stage.ORDER
    assert [proposal.stage_date(s) for s in range(1, 7)] == [
        dt.date(2008, 4, 1),
        dt.date(2008, 4, 1),
        dt.date(2008, 11, 14),
        dt.date(2009, 1, 16),
        dt.date(2009, 2, 20),
        dt.date(2009, 4, 1),
    ]
    assert proposal.agreements.get(organisation__slug="chorley-council").agreed_on == dt.date(
        2008, 3, 27
    )
    assert {p.slug: p.status for p in proposal.predecessors.all()} == {
        "chorley-csp": "historical",
        "south-ribble-csp": "historical",
        "west-lancashire-csp": "historical",
    }
    assert Partnership.objects.get(slug="chorley-csp").groups.count() == 5


def test_the_command_applies_orders_whose_date_has_come_and_shows_the_stages(proposal):
    from django.core.management import call_command

    _agree_all(proposal)
    for s in range(1, 6):
        proposal = _advance_to(proposal, s)
    services.advance_merger(
        proposal,
        Stage.ORDER,
        dt.date(2030, 4, 1),
        order_reference="SI 2030/1",
        today=dt.date(2029, 1, 1),
    )
    out = io.StringIO()
    call_command("merger", "apply-due", "--on", "2030-03-31", stdout=out)
    assert out.getvalue().strip() == "Applied 0 merger orders."
    call_command("merger", "apply-due", "--on", "2030-04-01", stdout=out)
    assert "Applied 1 merger order." in out.getvalue()
    assert Partnership.objects.get(slug="ab").status == "current"
    out = io.StringIO()
    call_command("merger", "show", "ab", stdout=out)
    assert "6. Order made: 1 April 2030" in out.getvalue() and "agreed: A Council" in out.getvalue()
