"""Meetings as committee software does them: time and venue (form, pages, ICS), the papers
deadline in clear working days, declarations of interest locked with approved minutes,
attendance summaries, the forward plan, the OParl-shaped API, and documents cached per version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from cdrp.core.models import RenderedDocument
from cdrp.meetings import committee
from cdrp.meetings.agenda import prepare_agenda, record_attendance, save_minutes
from cdrp.meetings.attendance_summary import attendance_summary
from cdrp.meetings.deadlines import clear_days, deadline, papers_deadline
from cdrp.meetings.models import (
    AgendaItem,
    Declaration,
    KeyDecision,
    Meeting,
    MinutesLocked,
    Paper,
)
from cdrp.meetings.services import approve_minutes
from cdrp.partnerships.models import Group, Membership, Person, Seat
from conftest import user_with_role

pytestmark = pytest.mark.django_db
BASE = "/meetings/lancashire-south"


@pytest.fixture
def rag(demo_registry):
    return Group.objects.get(partnership=demo_registry, slug="rag")


@pytest.fixture
def users(demo_registry):
    return {
        role: user_with_role(f"c-{role}", demo_registry, role)
        for role in ["member", "coordinator", "chair"]
    }


def person(slug):
    return Person.objects.get(slug=slug)


def seat_of(group, slug, on):
    return Seat.objects.get(
        group=group, memberships__in=Membership.objects.current(on).filter(person__slug=slug)
    )


# --- 1. Time and venue -------------------------------------------------------------------------


def test_coordinator_arranges_a_meeting_with_time_and_venue_shown_publicly_and_in_the_ics(
    client, users, rag
):
    client.force_login(users["coordinator"])
    response = client.post(
        f"{BASE}/groups/rag/",
        {
            "date": "10/6/2027",
            "start_time": "14:00",
            "venue": "Council Chamber, Town Hall",
            "webcast_url": "https://webcast.example.org/rag-june",
            "public": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(group=rag, date=dt.date(2027, 6, 10))
    assert meeting.start_time == dt.time(14, 0) and meeting.venue == "Council Chamber, Town Hall"
    page = client.get(response["Location"]).content.decode()
    assert "14:00" in page and "Council Chamber, Town Hall" in page and "Watch the meeting" in page

    client.logout()  # the public list and calendar, as anyone
    public = client.get(f"{BASE}/public/").content.decode()
    assert "14:00" in public and "Council Chamber, Town Hall" in public
    assert "https://webcast.example.org/rag-june" in public
    ics = client.get(f"{BASE}/meetings.ics")
    text = ics.content.decode().replace("\r\n ", "")
    assert "DTSTART;TZID=Europe/London:20270610T140000" in text
    # The group meets for its usual length (the registry's meeting hours).
    hours = float(rag.meeting_hours)
    end = dt.datetime(2027, 6, 10, 14) + dt.timedelta(minutes=round(hours * 60))
    assert f"DTEND;TZID=Europe/London:{end:%Y%m%dT%H%M%S}" in text
    assert "LOCATION:Council Chamber\\, Town Hall" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/London" in text


def test_the_ics_is_rendered_once_per_version_and_a_second_download_is_304(
    client, rag, monkeypatch
):
    from cdrp.meetings.views import planner_views

    calls = []
    real = planner_views.meetings_ics
    monkeypatch.setattr(planner_views, "meetings_ics", lambda *a: calls.append(1) or real(*a))
    meeting = Meeting(group=rag, date=dt.date(2027, 7, 8), public=True, venue="Room 1")
    meeting.save()
    first = client.get(f"{BASE}/meetings.ics")
    assert first.status_code == 200 and first["ETag"] and len(calls) == 1
    again = client.get(f"{BASE}/meetings.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    third = client.get(f"{BASE}/meetings.ics")
    assert third.content == first.content and len(calls) == 1  # served from the store
    assert RenderedDocument.objects.filter(kind="meetings-ics").count() == 1
    meeting.venue = "Room 2"  # a new version of what it shows: rendered afresh
    meeting.save()
    changed = client.get(f"{BASE}/meetings.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and len(calls) == 2
    assert "LOCATION:Room 2" in changed.content.decode()


# --- 2. Papers deadline ------------------------------------------------------------------------


def test_five_clear_working_days_counted_by_hand_across_a_bank_holiday():
    # Thursday 29 May 2025; Monday 26 May is the spring bank holiday. Back from the day before:
    # Wed 28, Tue 27, (Mon 26 bank holiday, Sun 25, Sat 24), Fri 23, Thu 22, Wed 21 are five
    # clear working days, so the papers must be out by Tuesday 20 May.
    meeting_day = dt.date(2025, 5, 29)
    assert deadline(meeting_day, 5) == dt.date(2025, 5, 20)
    assert clear_days(dt.date(2025, 5, 20), meeting_day) == 5
    assert clear_days(dt.date(2025, 5, 21), meeting_day) == 4  # a day late
    # Across Christmas: Tuesday 5 January 2027. Mon 4, (Fri 1 Jan New Year's Day), Thu 31,
    # Wed 30, Tue 29, (Mon 28 Boxing Day substitute, Sun 27, Sat 26, Fri 25 Christmas Day),
    # Thu 24: five clear working days need publication by Wednesday 23 December 2026.
    assert deadline(dt.date(2027, 1, 5), 5) == dt.date(2026, 12, 23)
    assert clear_days(dt.date(2026, 12, 24), dt.date(2027, 1, 5)) == 4


def test_late_papers_are_warned_on_the_meeting_and_group_pages(client, users, rag, settings):
    settings.MEETING_PAPERS_CLEAR_DAYS = 5
    meeting = Meeting(group=rag, date=dt.date(2025, 5, 29), start_time=dt.time(10))
    meeting.save()
    item = prepare_agenda(meeting)[1]
    on_time = Paper(item=item, title="Performance report", file="papers/x/a.pdf", kind="pdf")
    on_time.size, on_time.uploaded_on = 10, dt.date(2025, 5, 20)
    on_time.save()
    # Before the deadline passes nothing is late; the day after, the unpublished agenda is.
    assert not papers_deadline(meeting, today=dt.date(2025, 5, 20)).late
    assert papers_deadline(meeting, today=dt.date(2025, 5, 21)).overdue
    committee.publish_agenda(meeting, on=dt.date(2025, 5, 20))
    assert not papers_deadline(meeting, today=dt.date(2025, 5, 28)).late
    late = Paper(item=item, title="Budget update", file="papers/x/b.pdf", kind="pdf")
    late.size, late.uploaded_on = 10, dt.date(2025, 5, 21)
    late.save()
    result = papers_deadline(meeting, today=dt.date(2025, 5, 28))
    assert result.late and [p.title for p in result.late_papers] == ["Budget update"]
    client.force_login(users["coordinator"])
    page = client.get(f"{BASE}/meeting/{meeting.pk}/").content.decode()
    assert "By 20 May 2025 (5 clear working days before the meeting)" in page
    assert "“Budget update” was published late, on 21 May 2025 (deadline 20 May 2025)" in page
    assert "Performance report” was published late" not in page


def test_a_coming_meeting_with_an_overdue_agenda_is_flagged_to_the_coordinator(client, users, rag):
    soon = dt.date.today() + dt.timedelta(days=2)
    Meeting(group=rag, date=soon).save()
    client.force_login(users["coordinator"])
    page = client.get(f"{BASE}/groups/rag/").content.decode()
    assert "Papers late" in page


# --- 3. Declarations of interest ---------------------------------------------------------------


def test_declarations_are_recorded_shown_in_the_minutes_and_locked_once_approved(
    client, users, rag
):
    day = dt.date(2026, 5, 12)
    meeting = Meeting(group=rag, date=day)
    meeting.save()
    items = prepare_agenda(meeting)
    item = AgendaItem(meeting=meeting, position=50, title="Grant to the night-time economy")
    item.save()
    fire = person("fire-area-manager")
    client.force_login(users["member"])
    url = f"{BASE}/meeting/{meeting.pk}/declarations"
    form = {"person": fire.pk, "item": item.pk, "kind": "pecuniary", "note": "Spouse employed"}
    assert client.post(url, form).status_code == 403  # members do not record them
    client.force_login(users["coordinator"])
    assert client.post(url, form).status_code == 302
    whole = {"person": person("pcc").pk, "item": "", "kind": "non-registrable", "note": ""}
    assert client.post(url, whole).status_code == 302
    declared = Declaration.objects.filter(meeting=meeting).order_by("pk")
    assert [(d.person.slug, d.item_id, d.kind) for d in declared] == [
        ("fire-area-manager", item.pk, "pecuniary"),
        ("pcc", None, "non-registrable"),
    ]
    page = client.get(f"{BASE}/meeting/{meeting.pk}/").content.decode()
    assert "Disclosable pecuniary interest" in page and "Spouse employed" in page
    minutes = client.get(f"{BASE}/meeting/{meeting.pk}/minutes").content.decode()
    assert "disclosable pecuniary interest, on “Grant to the night-time economy”" in minutes
    assert "non-registrable interest, on the whole meeting" in minutes
    # An item of another meeting is refused.
    other = Meeting(group=rag, date=dt.date(2026, 6, 9))
    other.save()
    with pytest.raises(Exception, match="not on this meeting"):
        committee.declare_interest(other, fire, "registrable", item=items[1])

    # Approved minutes lock the declarations on every path.
    save_minutes(meeting, "The group met.", None)
    record_attendance(meeting, seat_of(rag, "fire-area-manager", day), fire, "present")
    approve_minutes(meeting)
    assert client.post(url, whole).status_code == 409
    first = declared.first()
    first.note = "changed"
    attempts = [
        lambda: committee.declare_interest(meeting, fire, "registrable"),
        first.save,
        lambda: Declaration.objects.filter(meeting=meeting).update(note="changed"),
        first.delete,
        lambda: Declaration.objects.bulk_create(
            [Declaration(meeting=meeting, person=fire, kind="registrable")]
        ),
    ]
    for attempt in attempts:
        with pytest.raises(MinutesLocked), transaction.atomic():
            attempt()
    assert Declaration.objects.filter(meeting=meeting).count() == 2
    assert not Declaration.objects.filter(note="changed").exists()


# --- 4. Attendance summary ---------------------------------------------------------------------


def test_attendance_summary_per_person_and_per_body_counted_by_hand(client, users, rag):
    days = [dt.date(2026, 5, 12), dt.date(2026, 6, 9), dt.date(2026, 7, 14)]
    meetings = []
    for d in days:
        m = Meeting(group=rag, date=d)
        m.save()
        meetings.append(m)
    fire, sub = person("fire-area-manager"), person("south-ribble-csm")
    fire_seat = seat_of(rag, "fire-area-manager", days[0])
    record_attendance(meetings[0], fire_seat, fire, "present")
    record_attendance(meetings[1], fire_seat, fire, "apologies")
    record_attendance(meetings[2], fire_seat, fire, "apologies")  # apologies, and sent …
    record_attendance(meetings[2], fire_seat, sub, "substitute")  # … a substitute
    pcc = person("pcc")
    pcc_seat = seat_of(rag, "pcc", days[0])
    for m in meetings:
        record_attendance(m, pcc_seat, pcc, "present")
    # A meeting outside the period does not count.
    later = Meeting(group=rag, date=dt.date(2026, 9, 8))
    later.save()
    record_attendance(later, fire_seat, fire, "present")

    summary = attendance_summary(rag, dt.date(2026, 5, 1), dt.date(2026, 8, 31))
    assert len(summary["meetings"]) == 3
    people = {t.name: t for t in summary["people"]}
    f = people[fire.name]
    # Expected 3; attended 1; the substitute counts as sent (not as apologies) at the third.
    assert (f.expected, f.attended, f.substitute, f.apologies, f.absent) == (3, 1, 1, 1, 0)
    assert f.attended_pct == 33.3 and f.represented_pct == 66.7
    p = people[pcc.name]
    assert (p.expected, p.attended, p.attended_pct) == (3, 3, 100.0)
    chorley_ce = people[person("chorley-chief-executive").name]
    assert (chorley_ce.expected, chorley_ce.attended, chorley_ce.absent) == (3, 0, 3)
    assert chorley_ce.attended_pct == 0.0
    bodies = {t.name: t for t in summary["bodies"]}
    fire_body = bodies["Lancashire Fire and Rescue Service"]  # one seat: as its holder
    assert (fire_body.expected, fire_body.attended, fire_body.substitute) == (3, 1, 1)
    chorley = bodies["Chorley"]  # three seats at three meetings, nobody came
    assert (chorley.expected, chorley.attended, chorley.represented_pct) == (9, 0, 0.0)

    client.force_login(users["member"])
    url = f"{BASE}/groups/rag/attendance/?from=2026-05-01&to=2026-08-31"
    page = client.get(url).content.decode()
    assert "Attendance, 1 May 2026 to 31 August 2026" in page and "33.3" in page
    csv = client.get(url + "&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    rows = [r.split(",") for r in csv.content.decode().splitlines()]
    assert rows[0][:4] == ["level", "name", "body", "meetings_expected"]
    fire_row = next(r for r in rows if r[1] == fire.name)
    assert fire_row[3:] == ["3", "1", "1", "1", "0", "33.3", "66.7"]
    client.logout()
    assert client.get(url).status_code == 302  # members only: sign in


# --- 5. Forward plan ---------------------------------------------------------------------------


def test_the_forward_plan_is_public_and_coordinators_add_to_it(client, users, rag, demo_registry):
    client.force_login(users["coordinator"])
    response = client.post(
        f"{BASE}/forward-plan/",
        {
            "title": "Adopt the partnership plan 2027 to 2030",
            "summary": "The three-year plan",
            "group": rag.pk,
            "expected_on": "15/4/2027",
            "documents": "Draft plan\nStrategic assessment 2026",
        },
    )
    assert response.status_code == 302
    KeyDecision(
        partnership=demo_registry, group=rag, title="Past decision", expected_on=dt.date(2020, 1, 1)
    ).save()
    client.logout()
    page = client.get(f"{BASE}/forward-plan/").content.decode()
    assert "Adopt the partnership plan 2027 to 2030" in page and "15 April 2027" in page
    assert "Strategic assessment 2026" in page and rag.name in page
    assert "Past decision" not in page and "Add a key decision" not in page
    assert client.post(f"{BASE}/forward-plan/", {"title": "x"}).status_code in (302, 403)
    assert KeyDecision.objects.count() == 2


# --- 6. OParl API ------------------------------------------------------------------------------


API = "/api/oparl/1.1/body/lancashire-south"


@pytest.fixture
def agenda_meeting(rag):
    meeting = Meeting(
        group=rag, date=dt.date(2026, 5, 12), public=True, start_time=dt.time(9, 30), venue="Hall"
    )
    meeting.save()
    prepare_agenda(meeting)
    secret = AgendaItem(meeting=meeting, position=60, title="Named offenders", restricted=True)
    secret.save()
    open_item = meeting.agenda.get(position=1)
    Paper(item=open_item, title="Open report", file="papers/o.pdf", kind="pdf", size=5).save()
    Paper(item=secret, title="Secret report", file="papers/s.pdf", kind="pdf", size=5).save()
    Meeting(group=rag, date=dt.date(2026, 5, 19), public=False).save()
    return meeting


def test_oparl_system_body_and_meeting_have_the_standards_shape(client, agenda_meeting):
    system = client.get("/api/oparl/1.1/system").json()
    assert system["type"] == "https://schema.oparl.org/1.1/System"
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    bodies = client.get(system["body"]).json()
    assert {"data", "pagination", "links"} <= set(bodies)
    body = next(b for b in bodies["data"] if b["shortName"] == "lancashire-south")
    assert body["type"].endswith("/Body") and body["meeting"].endswith(f"{API}/meeting")
    meetings = client.get(f"{API}/meeting").json()["data"]
    # The public sees the public meeting only.
    assert [m["id"].rsplit("/", 1)[1] for m in meetings] == [str(agenda_meeting.pk)]
    m = meetings[0]
    assert m["type"] == "https://schema.oparl.org/1.1/Meeting"
    assert m["start"] == "2026-05-12T09:30:00+01:00" and m["location"]["description"] == "Hall"
    assert m["organization"][0].endswith(f"{API}/organization/rag")
    names = [i["name"] for i in m["agendaItem"]]
    assert "Named offenders" not in names and names[0] == "Apologies and substitutes"
    assert all(i["type"].endswith("/AgendaItem") for i in m["agendaItem"])
    assert all(i["auxiliaryFile"] == [] for i in m["agendaItem"])  # papers for members only
    assert client.get(f"{API}/paper").status_code in (401, 403)


def test_oparl_hides_restricted_items_from_non_members_and_other_partnerships_objects(
    client, users, agenda_meeting, demo_registry
):
    secret = AgendaItem.objects.get(meeting=agenda_meeting, restricted=True)
    secret_paper = Paper.objects.get(title="Secret report")
    client.force_login(users["coordinator"])  # a partner, but not on the group
    meetings = client.get(f"{API}/meeting").json()["data"]
    assert len(meetings) == 2  # partners see the private meeting too
    items = next(m for m in meetings if m["id"].endswith(f"/{agenda_meeting.pk}"))["agendaItem"]
    assert "Named offenders" not in [i["name"] for i in items]
    files = [f["name"] for i in items for f in i["auxiliaryFile"]]
    assert files == ["Open report"]
    f = items[1]["auxiliaryFile"][0] if items[1]["auxiliaryFile"] else None
    open_file = next(x for i in items for x in i["auxiliaryFile"])
    assert open_file["type"].endswith("/File") and open_file["mimeType"] == "application/pdf"
    assert open_file["accessUrl"].endswith(f"{BASE}/papers/{open_file['id'].rsplit('/', 1)[1]}/")
    assert f is None or f == open_file
    assert client.get(f"{API}/agendaitem/{secret.pk}").status_code == 404
    assert client.get(f"{API}/file/{secret_paper.pk}").status_code == 404
    assert [x["name"] for x in client.get(f"{API}/paper").json()["data"]] == ["Open report"]
    # A member of the group sees them.
    sitting = person("pct-director")
    sitting.account = users["member"]
    sitting.save()
    client.force_login(users["member"])
    assert client.get(f"{API}/agendaitem/{secret.pk}").json()["name"] == "Named offenders"
    assert client.get(f"{API}/file/{secret_paper.pk}").json()["name"] == "Secret report"
    # Another partnership's objects are not found through this one.
    other_group = Group.objects.exclude(partnership=demo_registry).first()
    elsewhere = Meeting(group=other_group, date=dt.date(2008, 5, 1), public=True)
    elsewhere.save()
    other_item = AgendaItem(meeting=elsewhere, position=1, title="Elsewhere")
    other_item.save()
    assert client.get(f"{API}/meeting/{elsewhere.pk}").status_code == 404
    assert client.get(f"{API}/agendaitem/{other_item.pk}").status_code == 404
    assert client.get(f"{API}/organization/{other_group.slug}").status_code in (200, 404)
    if Group.objects.filter(partnership=demo_registry, slug=other_group.slug).exists():
        return
    assert client.get(f"{API}/organization/{other_group.slug}").status_code == 404


def test_oparl_people_carry_contacts_only_for_those_the_policy_lets_see_them(
    client, users, demo_registry
):
    url = f"{API}/person/fire-area-manager"
    public = client.get(url).json()
    assert public["type"].endswith("/Person") and public["email"] == [] and public["phone"] == []
    membership = public["membership"][0]
    assert membership["type"].endswith("/Membership") and membership["votingRight"] is True
    assert (
        membership["organization"].startswith("http")
        and "/organization/" in membership["organization"]
    )
    client.force_login(users["member"])
    seen = client.get(url).json()
    assert seen["email"] == ["fire-area-manager@example.org"] and seen["phone"] == ["01632 960019"]
    assert client.get(f"{API}/person/no-such-person").status_code == 404
    people = client.get(f"{API}/person").json()["data"]
    assert any(x["name"] == person("fire-area-manager").name for x in people)


# --- 7. The planner's stored solution ----------------------------------------------------------


def test_the_planner_page_does_not_re_solve_until_its_inputs_change(
    client, users, demo_registry, monkeypatch
):
    from cdrp.meetings import planner_store
    from cdrp.meetings.models import Venue
    from cdrp.meetings.views import planner_views

    calls = []
    real = planner_store.SOLVER
    monkeypatch.setattr(planner_store, "SOLVER", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(planner_views, "WEB_SEARCH_SECONDS", 1)
    client.force_login(users["coordinator"])
    url = f"{BASE}/planner/?year=2027"
    first = client.get(url)
    assert first.status_code == 200 and len(calls) == 1
    assert "worked out on" in first.content.decode()
    second = client.get(url)
    assert len(calls) == 1  # the stored solution
    assert first.content.decode().count("<tr") == second.content.decode().count("<tr")
    ics = client.get(f"{BASE}/planner.ics?year=2027")
    assert ics.status_code == 200 and len(calls) == 1
    assert (
        client.get(f"{BASE}/planner.ics?year=2027", HTTP_IF_NONE_MATCH=ics["ETag"]).status_code
        == 304
    )
    # Asked for: solved again.
    assert client.post(f"{BASE}/planner/resolve?year=2027").status_code == 302
    assert len(calls) == 2
    client.get(url)
    assert len(calls) == 2
    # The inputs change (a venue's seats): solved again, once.
    venue = Venue.objects.filter(partnership=demo_registry).first()
    venue.capacity += 5
    venue.save()
    client.get(url)
    client.get(url)
    assert len(calls) == 3
