"""Fixtures shared by the funding tests: a small strategy group that can carry (or lose) a
decision, a stream, an allocation and an approved project. Imported by the test_funding*
modules; holds no tests itself."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.meetings.models import Meeting
from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat
from cdrp.partnerships.services import record_decision
from cdrp.plans import funding

# The fixtures, for `from test_funding_support import *` (helpers are imported by name).
__all__ = ["allocation", "carried", "lead", "project", "rag", "stream"]


def strategy_group(partnership, *, kind=Group.Kind.STRATEGY, slug="rag"):
    """A strategy group with one voting body (the police) and its chair."""
    org, _ = Organisation.objects.get_or_create(
        slug=f"{partnership.slug}-police", defaults={"name": "Test Police", "kind": "police"}
    )
    person = Person(slug=f"{partnership.slug}-{slug}-chair", name="Test Chair (placeholder)")
    person.save()
    group = Group(partnership=partnership, slug=slug, name=f"{partnership.name} group", kind=kind)
    group.save()
    seat = Seat(group=group, label="Chief Constable", organisation=org, voting=True)
    seat.save()
    Membership(seat=seat, person=person, role=Membership.Role.CHAIR).save()
    return group, person


def decision(group, person, motion, *, carried=True, on=dt.date(2023, 3, 21)):
    meeting = Meeting.objects.filter(group=group, date=on).first()
    if meeting is None:
        meeting = Meeting(group=group, date=on, status=Meeting.Status.HELD)
        meeting.save()
    return record_decision(meeting, motion, [(person, "for" if carried else "against")])


@pytest.fixture
def lead(db):
    org = Organisation(slug="test-council", name="Test Borough Council", kind="district_council")
    org.save()
    return org


@pytest.fixture
def rag(partnership):
    return strategy_group(partnership)


@pytest.fixture
def carried(rag):
    group, person = rag
    return decision(group, person, "Approve the projects")


@pytest.fixture
def stream(partnership):
    return funding.create_stream(
        partnership,
        name="Community safety grant",
        source="Police and Crime Commissioner",
        financial_year="2023/24",
        amount_pence=100_000_00,
    )


@pytest.fixture
def allocation(stream, partnership):
    return funding.allocate(stream, partnership, 100_000_00)


@pytest.fixture
def project(partnership, lead, allocation, carried):
    p = funding.create_project(
        partnership,
        title="Target hardening",
        lead_organisation=lead,
        budget_pence=1_000_00,
        allocation=allocation,
    )
    return funding.approve_project(p, carried)
