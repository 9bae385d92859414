"""Minutes as a record of what happened (issue 15, part 3).

Approval needs the minutes' text and the meeting's attendance; an inquorate meeting's majority is
recorded for ratification, never as carried; once approved, a meeting's minutes, attendance,
decisions and votes cannot change by any path (services, models, pages, the API, the admin); a
correction is an amendment agreed at a later meeting, which makes a new version and keeps the old.

The page and API test is generated from the URL conf: every meetings page that names a meeting,
its agenda items or its group, and every operation of the meetings API, is posted plausible data
as a chair and as a site administrator. A control posts the same data to a meeting whose minutes
are not approved, which tells the write routes (the control's rows changed) from the rest; on
the approved meeting every write route (and the amendment route, without a later meeting's
decision) must be refused and no route may change a row of the meeting (compared as a dump of
its rows before and after).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import get_resolver

from cdrp.analysis.errors import RefusedInput
from cdrp.meetings import agenda
from cdrp.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Booking,
    Decision,
    Meeting,
    Minutes,
    MinutesAmendment,
    MinutesLocked,
    Paper,
    Vote,
)
from cdrp.meetings.services import (
    MinutesRefused,
    amend_minutes,
    approve_minutes,
    decide,
    record_decision,
    strategy_decisions,
)
from cdrp.partnerships.models import Group, Membership, Person, Seat
from conftest import user_with_role
from test_access import _path_view, _walk

pytestmark = pytest.mark.django_db
HELD = dt.date(2026, 3, 3)


@pytest.fixture
def rag(demo_registry):
    return Group.objects.get(partnership=demo_registry, slug="rag")


@pytest.fixture
def users(demo_registry):
    return {
        role: user_with_role(f"r-{role}", demo_registry, role) for role in ["member", "coordinator"]
    }


def person(slug):
    return Person.objects.get(slug=slug)


def seat_of(group, slug):
    return Seat.objects.get(group=group, memberships__person__slug=slug)


def voters(group, on):
    """One current holder of each voting body's seat (who may vote for it)."""
    chosen = {}
    for m in (
        Membership.objects.current(on)
        .filter(seat__group=group, seat__voting=True)
        .select_related("person", "seat__organisation", "seat__council_area")
        .order_by("pk")
    ):
        chosen.setdefault(m.seat.body_key, m)
    return list(chosen.values())


def held_meeting(group, on, *, approved=True, with_agenda=True) -> Meeting:
    """A held meeting with attendance, a carried decision, an action, a booking and minutes,
    approved or not."""
    meeting = agenda.arrange_meeting(group, on) if with_agenda else Meeting(group=group, date=on)
    if not with_agenda:
        meeting.save()
    chosen = voters(group, on)
    record_decision(meeting, "Adopt the tasking protocol", [(m.person, "for") for m in chosen])
    agenda.raise_action(
        meeting, "Circulate the protocol", chosen[0].person, on + dt.timedelta(days=14)
    )
    venue = group.partnership.venues.first()
    Booking(meeting=meeting, start=dt.time(10), end=dt.time(12), venue=venue).save()
    agenda.save_minutes(meeting, "The group adopted the tasking protocol.", 0)
    if approved:
        approve_minutes(meeting)
    return meeting


def dump(meeting: Meeting) -> str:
    """Every row that belongs to the meeting, as text (to compare before and after)."""
    rows = {
        "meeting": list(Meeting.objects.filter(pk=meeting.pk).values()),
        "minutes": list(Minutes.objects.filter(meeting=meeting).values()),
        "amendments": list(MinutesAmendment.objects.filter(minutes__meeting=meeting).values()),
        "attendance": list(Attendance.objects.filter(meeting=meeting).order_by("pk").values()),
        "decisions": list(Decision.objects.filter(meeting=meeting).order_by("pk").values()),
        "votes": list(Vote.objects.filter(decision__meeting=meeting).order_by("pk").values()),
        "cast_by": list(
            Vote.cast_by.through.objects.filter(vote__decision__meeting=meeting)
            .order_by("pk")
            .values()
        ),
        "agenda": list(AgendaItem.objects.filter(meeting=meeting).order_by("pk").values()),
        "papers": list(Paper.objects.filter(item__meeting=meeting).order_by("pk").values()),
        "actions": list(Action.objects.filter(meeting=meeting).order_by("pk").values()),
        "booking": list(Booking.objects.filter(meeting=meeting).values()),
    }
    return json.dumps(rows, default=str, sort_keys=True)


# Approval ---------------------------------------------------------------------------------------


def test_approval_is_refused_without_minutes_text_or_attendance(client, rag, demo_registry):
    meeting = agenda.arrange_meeting(rag, HELD)
    with pytest.raises(MinutesRefused) as refused:
        approve_minutes(meeting)
    assert isinstance(refused.value, RefusedInput)
    assert [field for field, _ in refused.value.missing] == ["text", "attendance"]
    # As the chair on the page: the error summary names both, and nothing is approved.
    chair = user_with_role("m-chair", demo_registry, "chair")
    client.force_login(chair)
    url = f"/meetings/lancashire-south/meeting/{meeting.pk}/minutes/approve"
    page = client.post(url)
    text = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in text
    assert "no text yet" in text and "Record who attended" in text
    assert 'href="#minutes-text"' in text and 'href="#attendance"' in text
    assert "approved and published" not in text
    assert not Minutes.objects.filter(meeting=meeting, approved=True).exists()
    # Text alone is not enough; attendance alone is not either.
    agenda.save_minutes(meeting, "The group met.", 0)
    page = client.post(url)
    assert page.status_code == 400 and "Record who attended" in page.content.decode()
    assert "no text yet" not in page.content.decode()
    slug = "chorley-chief-executive"
    agenda.record_attendance(meeting, seat_of(rag, slug), person(slug), "present")
    assert client.post(url).status_code == 302
    assert Minutes.objects.get(meeting=meeting).approved


def test_a_meeting_that_has_not_happened_cannot_have_approved_minutes(rag):
    meeting = agenda.arrange_meeting(rag, dt.date.today() + dt.timedelta(days=30))
    agenda.save_minutes(meeting, "Written in advance.", 0)
    slug = "chorley-chief-executive"
    with pytest.raises(MinutesRefused) as refused:
        approve_minutes(meeting)
    assert refused.value.field == "date" and "after it has taken place" in refused.value.message
    agenda.record_attendance(meeting, seat_of(rag, slug), person(slug), "present")
    with pytest.raises(MinutesRefused):
        approve_minutes(meeting)


def test_the_model_refuses_approval_without_text_or_attendance_whatever_saves_it(rag):
    meeting = agenda.arrange_meeting(rag, HELD)
    with pytest.raises(MinutesLocked):
        Minutes(meeting=meeting, text="", approved=True).save()
    assert not Minutes.objects.filter(meeting=meeting).exists()
    # Nor in bulk: an update that approves checks each row as a save would.
    agenda.save_minutes(meeting, "The group met.", 0)
    with pytest.raises(MinutesLocked) as refused:
        Minutes.objects.filter(meeting=meeting).update(approved=True)
    assert refused.value.field == "attendance"
    assert not Minutes.objects.get(meeting=meeting).approved


# Quorum -----------------------------------------------------------------------------------------


def test_an_inquorate_meetings_majority_is_for_ratification_never_carried(
    client, users, rag, demo_registry
):
    meeting = agenda.arrange_meeting(rag, HELD)
    few = voters(rag, HELD)[:2]  # two bodies of ten: the quorum is six
    decision = record_decision(
        meeting, "Fund the youth diversion scheme", [(m.person, "for") for m in few]
    )
    assert decision.result == Decision.Result.RATIFY and decision.votes_for == 2
    assert not agenda.quorum(meeting).quorate
    assert not strategy_decisions(demo_registry).filter(pk=decision.pk).exists()
    # Who voted is recorded as present: the attendance and the decision agree.
    assert len(agenda.quorum(meeting).bodies_present) == decision.bodies_present == 2
    # Against or tied, it is no decision; never carried.
    lost = record_decision(meeting, "Close the office", [(few[0].person, "against")])
    assert lost.result == Decision.Result.INQUORATE
    # The meeting can be minuted and approved, and says so.
    agenda.save_minutes(meeting, "Only two bodies came.", 0)
    approve_minutes(meeting)
    client.force_login(users["member"])
    page = client.get(f"/meetings/lancashire-south/meeting/{meeting.pk}/").content.decode()
    assert "Not quorate: for ratification" in page and "Carried" not in page
    document = client.get(f"/meetings/lancashire-south/meeting/{meeting.pk}/minutes").content
    document = document.decode()
    assert "The meeting was not quorate" in document
    assert "Not quorate: for ratification (not carried: the meeting was not quorate)" in document
    assert "Carried" not in document


def test_a_decision_at_a_meeting_whose_recorded_attendance_is_not_quorate_is_not_carried(rag):
    meeting = agenda.arrange_meeting(rag, HELD)
    chosen = voters(rag, HELD)
    # Most bodies sent apologies; the few present vote, and the rest cannot be counted present.
    for m in chosen[2:]:
        agenda.record_attendance(meeting, m.seat, m.person, "apologies")
    with pytest.raises(Exception) as refused:
        record_decision(meeting, "Adopt", [(m.person, "for") for m in chosen])
    assert "apologies" in str(refused.value).lower()
    assert not meeting.decisions.exists()
    decision = record_decision(meeting, "Adopt", [(m.person, "for") for m in chosen[:2]])
    assert decision.result == Decision.Result.RATIFY


def test_a_quorate_meeting_carries_and_its_attendance_shows_the_quorum(rag):
    meeting = agenda.arrange_meeting(rag, HELD)
    chosen = voters(rag, HELD)
    decision = record_decision(meeting, "Adopt", [(m.person, "for") for m in chosen])
    assert decision.result == Decision.Result.CARRIED
    q = agenda.quorum(meeting)
    assert q.quorate and len(q.bodies_present) == decision.bodies_present == len(chosen)


# Locked by every service and model path ---------------------------------------------------------


def test_every_service_call_on_an_approved_meeting_raises_and_changes_nothing(
    rag, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    meeting = held_meeting(rag, HELD)
    before = dump(meeting)
    chosen = voters(rag, HELD)
    item = meeting.agenda.first()
    minutes = Minutes.objects.get(meeting=meeting)
    calls = {
        "record_attendance": lambda: agenda.record_attendance(
            meeting, chosen[0].seat, chosen[0].person, "apologies"
        ),
        "save_minutes": lambda: agenda.save_minutes(meeting, "Rewritten.", minutes.version),
        "record_decision": lambda: record_decision(
            meeting, "Late motion", [(m.person, "for") for m in chosen]
        ),
        "decide": lambda: decide(rag, HELD, "Late motion", [(m.person, "for") for m in chosen]),
        "raise_action": lambda: agenda.raise_action(
            meeting, "Late action", chosen[0].person, HELD.replace(day=28)
        ),
        "prepare_agenda": lambda: agenda.prepare_agenda(meeting),
        "add_paper": lambda: __import__("cdrp.meetings.papers", fromlist=["x"]).add_paper(
            item, SimpleUploadedFile("late.csv", b"a,b\n1,2\n"), "Late paper"
        ),
        "approve_minutes": lambda: approve_minutes(meeting),
    }
    for name, call in calls.items():
        with pytest.raises(MinutesLocked) as refused:
            call()
        assert isinstance(refused.value, RefusedInput), name
        assert dump(meeting) == before, name
    # A second meeting arranged on the same day does not open the date to decisions either.
    Meeting(group=rag, date=HELD).save()
    with pytest.raises(MinutesLocked):
        decide(rag, HELD, "Late motion", [(m.person, "for") for m in chosen])
    assert not Decision.objects.filter(motion="Late motion").exists()


def test_no_model_path_changes_an_approved_meeting(rag, demo_registry):
    meeting = held_meeting(rag, HELD)
    before = dump(meeting)
    decision = meeting.decisions.first()
    vote = decision.votes.first()
    attendance = meeting.attendance.first()
    minutes = Minutes.objects.get(meeting=meeting)
    someone = person("chorley-director")
    writes = {
        "attendance save": lambda: (setattr(attendance, "status", "absent"), attendance.save()),
        "attendance delete": attendance.delete,
        "attendance update": lambda: Attendance.objects.filter(meeting=meeting).update(
            status="absent"
        ),
        "attendance bulk_create": lambda: Attendance.objects.bulk_create(
            [Attendance(meeting=meeting, seat=attendance.seat, person=someone, status="absent")]
        ),
        "decision save": lambda: (setattr(decision, "result", "lost"), decision.save()),
        "decision delete": decision.delete,
        "decision update": lambda: Decision.objects.filter(pk=decision.pk).update(votes_for=0),
        "decision save_checked": lambda: decision.save_checked(decision.version),
        "vote save": lambda: (setattr(vote, "choice", "against"), vote.save()),
        "vote delete": vote.delete,
        "vote update": lambda: Vote.objects.filter(pk=vote.pk).update(choice="against"),
        "vote cast_by add": lambda: vote.cast_by.add(someone),
        "vote cast_by clear": vote.cast_by.clear,
        "person's votes cleared": lambda: vote.cast_by.first().votes_cast.clear(),
        "minutes save": lambda: (setattr(minutes, "text", "Rewritten"), minutes.save()),
        "minutes unapprove": lambda: (setattr(minutes, "approved", False), minutes.save()),
        "minutes delete": minutes.delete,
        "minutes update": lambda: Minutes.objects.filter(pk=minutes.pk).update(text="x"),
        "meeting save": lambda: (setattr(meeting, "date", HELD.replace(day=4)), meeting.save()),
        "meeting delete": meeting.delete,
        "meetings of the group deleted": lambda: Meeting.objects.filter(group=rag).delete(),
        "group deleted (cascade)": rag.delete,
        "agenda item delete": meeting.agenda.first().delete,
        "new decision": lambda: Decision(meeting=meeting, motion="x", result="carried").save(),
        "new action": lambda: Action(
            partnership=demo_registry,
            group=rag,
            meeting=meeting,
            description="x",
            owner=someone,
            due=HELD,
        ).save(),
    }
    for name, write in writes.items():
        # Each write in its own transaction, as a request or a service makes it: a refused
        # delete or many-to-many change rolls back the transaction it is in.
        with pytest.raises(MinutesLocked), transaction.atomic():
            write()
        meeting.refresh_from_db()
        assert dump(meeting) == before, name
    # Closing an action raised at the meeting is its follow-up, not a change of the minutes.
    agenda.close_action(meeting.actions_raised.first(), "Circulated", dt.date.today())


def test_admin_cannot_change_or_delete_an_approved_meetings_records(client, rag):
    superuser = user_with_role("root", superuser=True)
    meeting = held_meeting(rag, HELD)
    before = dump(meeting)
    client.force_login(superuser)
    records = {
        "meeting": meeting,
        "minutes": Minutes.objects.get(meeting=meeting),
        "attendance": meeting.attendance.first(),
        "decision": meeting.decisions.first(),
        "vote": Vote.objects.filter(decision__meeting=meeting).first(),
    }
    for name, record in records.items():
        change = f"/admin/meetings/{name}/{record.pk}/change/"
        shown = client.get(change)
        assert shown.status_code == 200, name
        assert 'name="_save"' not in shown.content.decode(), name  # read-only
        assert (
            client.post(change, {"status": "absent", "text": "x", "motion": "x"}).status_code == 403
        )
        assert (
            client.post(f"/admin/meetings/{name}/{record.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
        bulk = client.post(
            f"/admin/meetings/{name}/",
            {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
        )
        assert bulk.status_code in (200, 302, 403), name
        assert dump(meeting) == before, name
    # An unapproved meeting's records can still be corrected there.
    open_meeting = held_meeting(rag, HELD.replace(day=10), approved=False)
    change = f"/admin/meetings/minutes/{Minutes.objects.get(meeting=open_meeting).pk}/change/"
    assert 'name="_save"' in client.get(change).content.decode()


# Amendments -------------------------------------------------------------------------------------


def test_an_amendment_agreed_at_a_later_meeting_makes_a_new_version_and_keeps_the_old(
    client, users, rag
):
    from cdrp.accounts.models import AuditEvent

    meeting = held_meeting(rag, HELD)
    before = dump(meeting)
    original = Minutes.objects.get(meeting=meeting).text
    later = agenda.arrange_meeting(rag, HELD.replace(month=4))
    chosen = voters(rag, later.date)
    own = meeting.decisions.first()
    # Not by a decision of the same meeting, nor by one not carried.
    with pytest.raises(MinutesRefused) as refused:
        amend_minutes(meeting, "Corrected.", "Apologies omitted", own)
    assert refused.value.field == "decision"
    inquorate = record_decision(later, "Amend the minutes", [(chosen[0].person, "for")])
    with pytest.raises(MinutesRefused):
        amend_minutes(meeting, "Corrected.", "Apologies omitted", inquorate)
    with pytest.raises(MinutesRefused) as refused:
        amend_minutes(meeting, "", "", None)
    assert [f for f, _ in refused.value.missing] == ["text", "reason", "decision"]
    assert dump(meeting) == before
    agreed = record_decision(
        later,
        f"That the minutes of {meeting.date:%-d %B %Y} be amended",
        [(m.person, "for") for m in chosen],
    )
    client.force_login(users["coordinator"])
    url = f"/meetings/lancashire-south/meeting/{meeting.pk}/minutes/amend"
    form = client.get(url).content.decode()
    assert "That the minutes of" in form and "Adopt the tasking protocol" not in form
    response = client.post(
        url,
        {
            "decision": agreed.pk,
            "reason": "The fire service's apologies were omitted",
            "text": original + "\n\nApologies: the fire service.",
        },
    )
    assert response.status_code == 302
    amendment = MinutesAmendment.objects.get(minutes__meeting=meeting)
    assert amendment.number == 2 and amendment.decision == agreed
    assert Minutes.objects.get(meeting=meeting).text == original  # version 1 is kept
    audited = AuditEvent.objects.get(model="meetings.MinutesAmendment", object_id=str(amendment.pk))
    assert audited.user == users["coordinator"] and audited.partnership_id == rag.partnership_id
    page = client.get(f"/meetings/lancashire-south/meeting/{meeting.pk}/").content.decode()
    assert "Version 1" in page and "Version 2" in page
    assert "The fire service&#x27;s apologies were omitted" in page
    assert f"/meetings/lancashire-south/meeting/{later.pk}/" in page
    assert original in page and "Apologies: the fire service." in page
    document = client.get(f"/meetings/lancashire-south/meeting/{meeting.pk}/minutes").content
    assert b"Apologies: the fire service." in document and b"Version 2 of these minutes" in document
    # The amendment itself never changes, and the decision cannot be used twice.
    with pytest.raises(MinutesLocked):
        amendment.reason = "Changed"
        amendment.save()
    with pytest.raises(MinutesLocked), transaction.atomic():
        amendment.delete()
    with pytest.raises(MinutesRefused):
        amend_minutes(meeting, "Again.", "Again", agreed)


# Every write route, generated from the URL conf -------------------------------------------------

WRITE_KWARGS = {"meeting_id", "item_id", "group"}


def meeting_routes():
    """(template, is_api) of every meetings page naming a meeting, its agenda items or its
    group, and every operation of the meetings API."""
    out = []
    for template, pattern, namespace in _walk(get_resolver().url_patterns):
        kwargs = {m.group(2) for m in re.finditer(r"<(?:(\w+):)?(\w+)>", template)}
        if namespace == "api":
            view = _path_view(pattern.callback)
            if view is None:
                continue
            modules = {op.view_func.__module__ for op in view.operations}
            if "cdrp.meetings.api" in modules and any(
                "POST" in op.methods for op in view.operations
            ):
                out.append((template, True))
        elif (
            namespace == "meetings"
            and kwargs & WRITE_KWARGS
            and kwargs <= WRITE_KWARGS | {"partnership"}
        ):
            out.append((template, False))
    return out


def _path(template, meeting):
    item = meeting.agenda.order_by("position").first()
    values = {
        "partnership": meeting.group.partnership.slug,
        "meeting_id": meeting.pk,
        "item_id": item.pk if item else 0,
        "group": meeting.group.slug,
    }
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(values[m.group(2)]), template)


def _form(meeting):
    """Plausible data for any meetings form, aimed at `meeting`."""
    members = Membership.objects.current(meeting.date).filter(seat__group=meeting.group)
    record = Minutes.objects.filter(meeting=meeting).first()
    data = {
        "text": "Rewritten minutes.",
        "version": str(record.version if record else 0),
        "reason": "A correction",
        # A decision of the meeting itself: never one that may amend its minutes.
        "decision": str(meeting.decisions.first().pk),
        "description": "A new action",
        "owner": str(members.first().person_id),
        "due": (meeting.date + dt.timedelta(days=14)).isoformat(),
        "date": meeting.date.isoformat(),
        "motion": "A late motion",
        "casting_vote": "",
        "title": "A late paper",
        "file": SimpleUploadedFile("late.csv", b"area,count\nChorley,3\n", "text/csv"),
    }
    for m in members:
        data[f"status-{m.seat_id}-{m.person_id}"] = "apologies"
        data[f"vote_{m.pk}"] = "for" if m.seat.voting else "present"
    return data


def _body(meeting):
    chosen = voters(meeting.group, meeting.date)
    return {
        "group": meeting.group.slug,
        "date": meeting.date.isoformat(),
        "motion": "A late motion",
        "ballots": [{"person": m.person.slug, "choice": "for"} for m in chosen],
        "present": [],
    }


def _post(client, template, api, meeting):
    path = _path(template, meeting)
    if api:
        return client.post(path, json.dumps(_body(meeting)), content_type="application/json")
    return client.post(path, _form(meeting))


def _refused(response) -> bool:
    return 400 <= response.status_code < 500


def test_every_write_route_is_refused_for_an_approved_meeting_and_changes_nothing(
    client, rag, demo_registry, tmp_path, settings, record_property
):
    settings.MEDIA_ROOT = tmp_path
    superuser = user_with_role("root", superuser=True)
    routes = meeting_routes()
    names = {t for t, _ in routes}
    # The generator finds the routes this test is about (so a rename cannot make it vacuous).
    known = (
        "attendance",
        "minutes/edit",
        "minutes/approve",
        "actions",
        "agenda",
        "papers",
        "pin",
        "decisions/new/",
        "minutes/amend",
    )
    for suffix in known:
        assert any(t.endswith(suffix) for t in names), suffix
    assert any(api for _, api in routes)

    chair = user_with_role("r-chair", demo_registry, "chair")
    people = {"chair": chair, "site administrator": superuser}
    day = iter(range(1, 60))

    # The control: the same posts to meetings whose minutes are not approved tell the routes
    # that write to a meeting, for each of the two people (so neither is refused for want of a
    # permission alone).
    writes: dict[str, set] = {role: set() for role in people}
    for role, user in people.items():
        client.force_login(user)
        for template, api in routes:
            control = held_meeting(
                rag,
                dt.date(2026, 1, 4) + dt.timedelta(days=next(day)),
                approved=False,
                with_agenda="agenda" not in template,
            )
            before = dump(control)
            response = _post(client, template, api, control)
            assert response.status_code < 500, (template, role, response.status_code)
            if dump(control) != before:
                writes[role].add(template)
        # Every route that writes to a meeting is found by the control (the amendment route
        # writes only to approved minutes, and is checked below); the API's decisions too.
        # (Pinning a meeting and the API's decisions need the coordinators' permission to edit
        # the registry, which a chair has not: the site administrator's control finds them.)
        for suffix in known[:-1]:
            if role == "chair" and suffix == "pin":
                continue
            assert any(t.endswith(suffix) for t in writes[role]), f"{role}: no change by {suffix}"
        if role != "chair":
            assert any(api and t in writes[role] for t, api in routes), role

    approved = held_meeting(rag, HELD)
    before = dump(approved)
    refusals = []
    for role, user in people.items():
        client.force_login(user)
        for template, api in routes:
            response = _post(client, template, api, approved)
            if (template in writes[role] or template.endswith("minutes/amend")) and not _refused(
                response
            ):
                refusals.append(f"{role} POST {template}: {response.status_code}")
            if dump(approved) != before:
                refusals.append(f"{role} POST {template} changed the meeting's rows")
                before = dump(approved)
    assert not refusals, refusals
    record_property(
        "summary",
        f"approved minutes: {len(routes)} meetings routes and API operations posted as "
        f"{len(people)} people; write routes found by the control: "
        + ", ".join(f"{role} {len(found)}" for role, found in writes.items())
        + "; every one refused on the approved meeting, its rows unchanged",
    )
    # The refusal says why and what to do instead.
    client.force_login(chair)
    page = client.post(
        _path(next(t for t in names if t.endswith("attendance")), approved), _form(approved)
    )
    assert page.status_code == 409 and "are approved" in page.content.decode()
    assert "amend the minutes" in page.content.decode().lower()
