"""The six-stage merger workflow: no skipping, every transition audited, the merged partnership
current from the order date and its predecessors historical with their records intact; and only
people with a role in every partnership it changes move it on."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.accounts.policy import SYSTEM
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
        return services.propose_merger(merged, [a, b], user=SYSTEM)


def _agree_all(proposal, on=dt.date(2008, 3, 1)):
    for org in services.required_agreements(proposal):
        services.record_agreement(proposal, org, on, f"Minute {org.slug}", user=SYSTEM)


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
            proposal, s, dates[s], order_reference="SI 2009/1", today=today, user=SYSTEM
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
        services.advance_merger(proposal, Stage.APPLICATION, dt.date(2008, 5, 1), user=SYSTEM)
    proposal.refresh_from_db()
    assert proposal.stage == Stage.DRAFT and not MergerTransition.objects.exists()
    assert AuditEvent.objects.count() == before


def test_every_responsible_authority_must_agree_before_stage_one(proposal):
    services.record_agreement(
        proposal, Organisation.objects.get(slug="police"), dt.date(2008, 3, 1), user=SYSTEM
    )
    with pytest.raises(ValidationError, match="Not yet recorded: A Council, B Council."):
        services.advance_merger(proposal, Stage.AGREED, dt.date(2008, 4, 1), user=SYSTEM)
    with pytest.raises(ValidationError, match="not a responsible authority"):
        services.record_agreement(
            proposal,
            Organisation.objects.create(slug="z", name="Z", kind="voluntary"),
            dt.date(2008, 3, 1),
            user=SYSTEM,
        )


def test_a_stage_cannot_be_dated_before_the_previous_one(proposal):
    _agree_all(proposal)
    _advance_to(proposal, Stage.PILOT)
    with pytest.raises(ValidationError, match="cannot be dated 1 January 2008, before stage 2"):
        services.advance_merger(proposal, Stage.APPLICATION, dt.date(2008, 1, 1), user=SYSTEM)


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
        services.advance_merger(proposal, 7, dt.date(2010, 1, 1), user=SYSTEM)


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
        user=SYSTEM,
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
        user=SYSTEM,
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


# Who may move a merger on: a role in every partnership it changes ------------------------------


def _role(username, *grants):
    """A user with each (partnership slug, role) of `grants`."""
    from cdrp.accounts.models import PartnershipRole
    from conftest import user_with_role

    (slug, role), *more = grants
    user = user_with_role(username, Partnership.objects.get(slug=slug), role)
    for slug, role in more:
        PartnershipRole.objects.create(
            user=user, partnership=Partnership.objects.get(slug=slug), role=role
        )
    return user


def _unchanged(*slugs):
    return {s: Partnership.objects.get(slug=s).status for s in slugs}


def test_proposing_needs_the_edit_right_in_every_predecessor(db):
    for slug in ("a", "b", "c"):
        Partnership.objects.create(slug=slug, name=f"{slug} CSP")
    only_c = _role("c-coordinator", ("c", "coordinator"))
    with pytest.raises(PermissionDenied, match="none in a CSP, b CSP"):
        services.propose_merger(
            Partnership.objects.get(slug="c"),
            Partnership.objects.filter(slug__in=["a", "b"]),
            user=only_c,
        )
    assert not MergerProposal.objects.exists()
    assert _unchanged("a", "b", "c") == {"a": "current", "b": "current", "c": "current"}
    everywhere = _role("abc", ("a", "coordinator"), ("b", "coordinator"), ("c", "coordinator"))
    proposal = services.propose_merger(
        Partnership.objects.get(slug="c"),
        Partnership.objects.filter(slug__in=["a", "b"]),
        user=everywhere,
    )
    assert proposal.stage == Stage.DRAFT


def test_the_form_offers_and_accepts_only_partnerships_the_user_may_edit(client, db):
    for slug in ("a", "b", "c", "d"):
        Partnership.objects.create(slug=slug, name=f"{slug} CSP")
    user = _role("cd", ("c", "coordinator"), ("d", "administrator"))
    client.force_login(user)
    page = client.get("/partnerships/c/merger/").content.decode()
    assert "d CSP" in page and "a CSP" not in page and "b CSP" not in page
    ids = list(Partnership.objects.filter(slug__in=["a", "b"]).values_list("pk", flat=True))
    response = client.post("/partnerships/c/merger/propose/", {"predecessors": ids}, follow=True)
    assert "from those where you are a coordinator or administrator" in response.content.decode()
    assert not MergerProposal.objects.exists() and Partnership.objects.get(slug="c").status == (
        "current"
    )


def test_advancing_needs_the_edit_right_in_every_predecessor(proposal):
    _agree_all(proposal)
    merged_only = _role("ab-coordinator", ("ab", "coordinator"))
    with pytest.raises(PermissionDenied, match="none in A CSP, B CSP"):
        services.advance_merger(proposal, Stage.AGREED, dt.date(2008, 4, 1), user=merged_only)
    proposal.refresh_from_db()
    assert proposal.stage == Stage.DRAFT and not MergerTransition.objects.exists()


def test_the_order_needs_the_approve_right_in_every_partnership_it_changes(proposal):
    _agree_all(proposal)
    _advance_to(proposal, Stage.RECOMMENDATION)
    coordinator = _role("coord", ("ab", "coordinator"), ("a", "coordinator"), ("b", "coordinator"))
    with pytest.raises(PermissionDenied, match="chair's or administrator's role"):
        services.advance_merger(
            proposal, Stage.ORDER, dt.date(2009, 4, 1), order_reference="SI", user=coordinator
        )
    assert _unchanged("a", "b") == {"a": "current", "b": "current"}
    chair = _role("chair", ("ab", "chair"), ("a", "chair"), ("b", "chair"))
    services.advance_merger(
        proposal,
        Stage.ORDER,
        dt.date(2009, 4, 1),
        order_reference="SI",
        today=dt.date(2026, 1, 1),
        user=chair,
    )
    assert _unchanged("a", "b") == {"a": "historical", "b": "historical"}


def test_an_agreement_is_recorded_only_by_someone_entitled_where_the_authority_sits(proposal):
    a_coordinator = _role("a-coordinator", ("a", "coordinator"))
    a_council, b_council = (Organisation.objects.get(slug=s) for s in ("a-council", "b-council"))
    services.record_agreement(proposal, a_council, dt.date(2008, 3, 1), user=a_coordinator)
    with pytest.raises(PermissionDenied, match="B Council is recorded by a coordinator"):
        services.record_agreement(proposal, b_council, dt.date(2008, 3, 1), user=a_coordinator)
    # The police sit in both: either partnership's coordinator may record their agreement.
    assert [o.slug for o in services.recordable_agreements(proposal, a_coordinator)] == ["police"]
    assert list(proposal.agreements.values_list("organisation__slug", flat=True)) == ["a-council"]


def test_the_agreement_form_accepts_only_authorities_the_proposal_needs(client, proposal):
    merged_and_a = _role("ab-a", ("ab", "coordinator"), ("a", "coordinator"))
    elsewhere = Organisation.objects.create(
        slug="elsewhere", name="Elsewhere Council", kind="police"
    )
    client.force_login(merged_and_a)
    page = client.get("/partnerships/ab/merger/").content.decode()
    assert "A Council" in page.split('action="/partnerships/ab/merger/agree/"')[1]
    for org in (elsewhere, Organisation.objects.get(slug="b-council")):
        response = client.post(
            "/partnerships/ab/merger/agree/",
            {"organisation": org.pk, "agreed_on": "2008-03-01"},
            follow=True,
        )
        assert "an authority this proposal still needs" in response.content.decode()
    assert not proposal.agreements.exists()
