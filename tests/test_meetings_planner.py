"""The planner on the registry: the demo partnership's year with no one double-booked, every
sequencing rule held, a page and an iCalendar whose UIDs survive re-planning."""

from __future__ import annotations

import dataclasses
from itertools import combinations

import pytest
from icalendar import Calendar

from cdrp.analysis.planner import Pin
from cdrp.meetings.services import calendar_ics, plan_year
from cdrp.partnerships.models import Group, Membership
from conftest import user_with_role

pytestmark = pytest.mark.django_db


def _minutes(t):
    return t.hour * 60 + t.minute


def test_the_demo_partnerships_year_has_no_one_double_booked(demo_registry):
    result, inputs = plan_year(demo_registry, 2026, time_limit=3)
    groups = Group.objects.filter(partnership=demo_registry).exclude(
        meeting_frequency="as_required"
    )
    assert {m.group for m in result.meetings} == {str(g.pk) for g in groups}
    people = {}
    for m in Membership.objects.filter(seat__group__partnership=demo_registry):
        people.setdefault(str(m.seat.group_id), set()).add(m.person.slug)
    for a, b in combinations(result.meetings, 2):
        if (
            a.date == b.date
            and _minutes(a.start) < _minutes(b.end)
            and _minutes(b.start) < _minutes(a.end)
        ):
            assert not people.get(a.group, set()) & people.get(b.group, set()), (a, b)
            assert a.venue != b.venue
    rag = Group.objects.get(partnership=demo_registry, slug="rag")
    owg = Group.objects.get(partnership=demo_registry, slug="owg")
    owg_days = [m.date for m in result.for_group(str(owg.pk))]
    for meeting in result.for_group(str(rag.pk)):
        assert any(7 <= (meeting.date - d).days <= 42 for d in owg_days), meeting
    assert len(result.for_group(str(rag.pk))) == 4 and len(owg_days) == 12


def test_the_calendar_parses_back_and_a_moved_meeting_keeps_its_uid(demo_registry):
    result, inputs = plan_year(demo_registry, 2026, time_limit=2)
    events = {
        str(e["uid"]): e
        for e in Calendar.from_ical(calendar_ics(demo_registry, result, inputs)).walk("VEVENT")
    }
    assert len(events) == len(result.meetings)
    rag = str(Group.objects.get(partnership=demo_registry, slug="rag").pk)
    first = result.for_group(rag)[1]
    uid = f"lancashire-south-{rag}-2026-1@cdrp"
    assert events[uid]["dtstart"].dt.date() == first.date

    moved = Pin(
        rag,
        1,
        first.date.replace(day=1) if first.date.day > 7 else first.date.replace(day=20),
        first.start,
        first.venue,
    )
    from cdrp.analysis.planner import working_days

    if moved.date not in working_days(moved.date, moved.date.replace(day=28)):
        moved = dataclasses.replace(
            moved, date=working_days(moved.date, moved.date.replace(day=28))[0]
        )
    rules = dataclasses.replace(inputs.rules, pins=(moved,))
    again, inputs2 = plan_year(demo_registry, 2026, time_limit=2, rules=rules)
    events2 = {
        str(e["uid"]): e
        for e in Calendar.from_ical(calendar_ics(demo_registry, again, inputs2)).walk("VEVENT")
    }
    assert set(events2) == set(events)  # same events, none duplicated
    assert events2[uid]["dtstart"].dt.date() == moved.date != first.date


def test_the_planner_page_is_for_members_and_offers_the_calendar(client, demo_registry):
    member = user_with_role("planner-member", demo_registry, "member")
    url = "/meetings/lancashire-south/planner/?year=2026"
    assert client.get(url).status_code == 302
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "no one double-booked" in page and "Download the calendar" in page
    assert "Chorley Town Hall" in page or "South Ribble Civic Centre" in page
    ics = client.get("/meetings/lancashire-south/planner.ics?year=2026")
    assert ics["Content-Type"].startswith("text/calendar")


def test_a_partnership_without_venues_is_told_to_add_one(client, partnership, member):
    client.force_login(member)
    page = client.get("/meetings/lancashire-south/planner/").content.decode()
    assert "has no venues: add at least one before planning" in page


def test_a_saved_plan_moves_meetings_on_re_planning_and_keeps_pinned_ones(demo_registry):
    import datetime as dt

    from cdrp.analysis.planner import Frequency, periods, working_days
    from cdrp.meetings.models import Booking, Meeting
    from cdrp.meetings.services import save_plan

    result, inputs = plan_year(demo_registry, 2027, time_limit=2)
    assert save_plan(demo_registry, 2027, result)["created"] == len(result.meetings)
    ids = set(Meeting.objects.filter(group__partnership=demo_registry).values_list("pk", flat=True))
    rag = Group.objects.get(partnership=demo_registry, slug="rag")
    booking = Booking.objects.get(plan_key=f"{rag.pk}-2027-2")
    window = periods(Frequency.QUARTERLY, inputs.start, inputs.end)[2]  # the RAG's third quarter
    other_day = next(d for d in working_days(*window) if d != booking.meeting.date)
    booking.meeting.date = other_day
    booking.meeting.save()
    booking.pinned = True
    booking.save()

    again, _ = plan_year(demo_registry, 2027, time_limit=2)
    assert next(m for m in again.for_group(str(rag.pk)) if m.index == 2).date == other_day
    done = save_plan(demo_registry, 2027, again)
    assert done["created"] == 0 and done["kept"] >= 1
    assert (
        set(Meeting.objects.filter(group__partnership=demo_registry).values_list("pk", flat=True))
        == ids
    )
    booking.refresh_from_db()
    assert booking.meeting.date == other_day and booking.pinned
    assert all(b.meeting.date.year in (2027, 2028) for b in Booking.objects.all())
    assert dt.date(2027, 4, 1) <= min(b.meeting.date for b in Booking.objects.all())
