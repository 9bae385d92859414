"""The Community Call for Action: a ward councillor raises a call, the partnership screens it
against the published criteria, refers it to the council's crime and disorder committee, records
the committee's recommendations and publishes its response before the deadline; the public log
shows every step, dated. Deadline reminders fire on the right days with a frozen clock; the
log's Atom feed parses with feedparser; another partnership's coordinator reaches nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import feedparser
import pytest
import time_machine
from django.core import mail

from cdrp.accounts.models import AuditEvent
from cdrp.partnerships.models import Organisation, Person
from cdrp.scrutiny import services
from cdrp.scrutiny.models import CommunityCall, Councillor
from cdrp.scrutiny.reminders import OVERDUE, daily_call_reminders, send_call_reminders
from conftest import user_with_role

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON), tick=False)


@pytest.fixture
def councillor(partnership):
    council = Organisation(slug="ward-council", name="Borough Council", kind="district_council")
    council.save()
    partnership.responsible_authorities.add(council)
    account = user_with_role("cllr-jones")
    person = Person(slug="cllr-jones", name="Councillor A. Jones", account=account)
    person.save()
    c = Councillor(partnership=partnership, person=person, ward="Riverside ward", council=council)
    c.save()
    return c


@pytest.fixture
def coordinator_user(partnership):
    user = user_with_role("ccfa-coordinator", partnership, "coordinator")
    user.email = "coordinator@example.org"
    user.save()
    return user


@pytest.fixture
def new_call(councillor):
    """Raise a call in the ward councillor's name: `new_call("Title", on=date, **fields)`."""

    def make(title: str = "T", on: dt.date | None = None, **fields) -> CommunityCall:
        given = {"matter": "M", "on_behalf_of": "R", "routes_tried": "x", **fields}
        return services.raise_call(councillor, title=title, today=on, **given)

    return make


def _meets_the_criteria(call: CommunityCall, on: dt.date | None = None) -> CommunityCall:
    return services.screen(
        call,
        local_matter=True,
        persistent=True,
        routes_tried_first=True,
        reasons="ok",
        today=on,
    )


def _raise(client, partnership, title="Off-road bikes on the riverside path"):
    response = client.post(
        f"/scrutiny/{partnership.slug}/calls/new",
        {
            "councillor": Councillor.objects.get(partnership=partnership).pk,
            "title": title,
            "matter": "Bikes ridden at speed on the path every evening since the spring.",
            "on_behalf_of": "Residents of the riverside estate",
            "routes_tried": "Reported to the police (101) and the council's ASB team since March.",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    return CommunityCall.objects.get(partnership=partnership, title=title)


def test_a_councillors_call_is_screened_referred_and_answered_before_its_deadline(
    client, partnership, councillor, coordinator_user
):
    p = partnership.slug
    with at(dt.date(2026, 9, 1)):
        client.force_login(councillor.person.account)
        call = _raise(client, partnership)
        assert call.number == 1 and call.status == CommunityCall.Status.SUBMITTED
        assert call.submitted_by == councillor.person.account
        # The councillor reads the working page but takes no step: those are the partnership's.
        assert client.get(f"/scrutiny/{p}/manage/calls/{call.pk}/").status_code == 200
        refused = client.post(
            f"/scrutiny/{p}/manage/calls/{call.pk}/screen",
            {"local_matter": "yes", "persistent": "yes", "routes_tried": "yes", "reasons": "x"},
        )
        assert refused.status_code == 403

    client.force_login(coordinator_user)
    with at(dt.date(2026, 9, 8)):
        response = client.post(
            f"/scrutiny/{p}/manage/calls/{call.pk}/screen",
            {
                "local_matter": "yes",
                "persistent": "yes",
                "routes_tried": "yes",
                "reasons": "A local ASB matter, reported monthly since March through 101.",
            },
        )
        assert response.status_code == 302
    with at(dt.date(2026, 9, 15)):
        response = client.post(
            f"/scrutiny/{p}/manage/calls/{call.pk}/refer",
            {
                "referred": "yes",
                "committee": "Overview and Scrutiny Committee (crime and disorder)",
                "reason": "",
            },
        )
        assert response.status_code == 302
    with at(dt.date(2026, 10, 20)):
        response = client.post(
            f"/scrutiny/{p}/manage/calls/{call.pk}/recommendations",
            {
                "recommendations": "Joint patrols on summer evenings; barriers at two entrances.",
                "on": "14/10/2026",
            },
        )
        assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == CommunityCall.Status.RECOMMENDED
    assert call.response_due == dt.date(2026, 11, 11)  # 28 days after 14 October
    with at(dt.date(2026, 11, 2)):
        response = client.post(
            f"/scrutiny/{p}/manage/calls/{call.pk}/respond",
            {"response": "Patrols agreed from April; the council will fit barriers by March."},
        )
        assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == CommunityCall.Status.RESPONDED
    assert call.responded_on == dt.date(2026, 11, 2) and call.on_time()

    client.logout()
    log = client.get(f"/scrutiny/{p}/calls/").content.decode()
    for text in [
        "CCfA 1: Off-road bikes on the riverside path",
        "1 September 2026: Submitted",
        "8 September 2026: Screened: meets the criteria",
        "15 September 2026: Referred to Overview and Scrutiny Committee (crime and disorder)",
        "14 October 2026: Committee recommendations made",
        "2 November 2026: Partnership response published",
        "on time",
    ]:
        assert text in log, text
    page = client.get(f"/scrutiny/{p}/calls/{call.pk}/").content.decode()
    assert "Patrols agreed from April" in page and "Response due by" in page
    assert "11 November 2026" in page
    # Every step was a write of the call, each one audited with who took it.
    events = AuditEvent.objects.filter(model="scrutiny.CommunityCall", object_id=str(call.pk))
    assert events.filter(action="create", actor="cllr-jones").count() == 1
    assert events.filter(action="update", actor="ccfa-coordinator").count() == 4


def test_a_call_screened_out_is_closed_with_its_reasons(new_call):
    call = new_call(
        "Parking",
        on=dt.date(2026, 1, 5),
        matter="Cars on verges",
        on_behalf_of="A street",
        routes_tried="",
    )
    services.screen(
        call,
        local_matter=False,
        persistent=True,
        routes_tried_first=False,
        reasons="Parking is not a crime and disorder matter; not yet reported to the council.",
        today=dt.date(2026, 1, 6),
    )
    assert call.status == CommunityCall.Status.SCREENED_OUT
    assert call.steps()[-1]["what"] == "Screened: does not meet the criteria"
    with pytest.raises(services.Refused):
        services.refer(call, referred=True, committee="C")
    with pytest.raises(services.Refused):
        services.publish_response(call, "x")


def test_steps_are_taken_in_order_and_reasons_are_required(new_call):
    call = new_call(on=dt.date(2026, 3, 1))
    with pytest.raises(services.Refused):
        services.record_recommendations(call, "x")
    with pytest.raises(services.Refused) as exc:
        services.screen(
            call, local_matter=True, persistent=True, routes_tried_first=True, reasons=" "
        )
    assert exc.value.field == "reasons"
    with pytest.raises(services.Refused):  # dated before the call was raised
        _meets_the_criteria(call, dt.date(2026, 2, 1))
    _meets_the_criteria(call, dt.date(2026, 3, 2))
    with pytest.raises(services.Refused):
        services.refer(call, referred=False, reason="")
    services.refer(
        call, referred=False, reason="Resolved by a joint visit", today=dt.date(2026, 3, 3)
    )
    assert call.status == CommunityCall.Status.NOT_REFERRED
    assert call.response_due == dt.date(2026, 3, 31)
    services.publish_response(call, "Visit made; problem stopped.", today=dt.date(2026, 4, 2))
    assert call.on_time() is False  # published, and shown late


def test_the_deadline_is_configurable(new_call, settings):
    settings.CDRP_CCFA_RESPONSE_DAYS = 10
    call = _meets_the_criteria(new_call(on=dt.date(2026, 3, 1)), dt.date(2026, 3, 1))
    services.refer(call, referred=True, committee="C", today=dt.date(2026, 3, 1))
    services.record_recommendations(call, "R", on=dt.date(2026, 3, 5))
    assert call.response_due == dt.date(2026, 3, 15)


@pytest.fixture
def recommended(new_call):
    """A call the committee made its recommendations on, on `recommended(on)`."""

    def make(on: dt.date) -> CommunityCall:
        call = new_call("Deadline", on=on - dt.timedelta(days=30))
        _meets_the_criteria(call, on - dt.timedelta(days=20))
        services.refer(call, referred=True, committee="C", today=on - dt.timedelta(days=10))
        return services.record_recommendations(call, "R", on=on)

    return make


def test_reminders_fire_seven_days_and_one_day_before_and_once_when_overdue(
    recommended, coordinator_user
):
    call = recommended(dt.date(2026, 11, 1))
    assert call.response_due == dt.date(2026, 11, 29)
    fired = {}
    day = dt.date(2026, 11, 1)
    while day <= dt.date(2026, 12, 5):
        with at(day, 7):
            sent = daily_call_reminders.call(reschedule=False)
        if sent:
            fired[day] = mail.outbox[-1].subject
        day += dt.timedelta(days=1)
    assert list(fired) == [dt.date(2026, 11, 22), dt.date(2026, 11, 28), dt.date(2026, 11, 30)]
    assert fired[dt.date(2026, 11, 22)] == "CCfA 1: response due in 7 days (29 November 2026)"
    assert fired[dt.date(2026, 11, 28)] == "CCfA 1: response due in 1 day (29 November 2026)"
    assert fired[dt.date(2026, 11, 30)].startswith("CCfA 1 overdue")
    assert all(m.to == ["coordinator@example.org"] for m in mail.outbox)
    call.refresh_from_db()
    assert call.reminders_sent == [7, 1, OVERDUE]


def test_no_reminder_once_the_response_is_published(recommended, coordinator_user):
    call = recommended(dt.date(2026, 11, 1))
    services.publish_response(call, "Done", today=dt.date(2026, 11, 20))
    assert send_call_reminders(dt.date(2026, 11, 22)) == []
    assert send_call_reminders(dt.date(2026, 12, 2)) == []
    assert mail.outbox == []


def test_the_log_is_an_atom_feed_that_parses(client, partnership, new_call):
    first = _meets_the_criteria(
        new_call("Graffiti on the underpass", on=dt.date(2026, 5, 1)), dt.date(2026, 5, 4)
    )
    new_call("Drug dealing by the shops", on=dt.date(2026, 6, 1))
    response = client.get(f"/scrutiny/{partnership.slug}/calls/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == f"Community Call for Action log – {partnership.name}"
    titles = sorted(e.title for e in feed.entries)
    assert titles == [
        "CCfA 1: Graffiti on the underpass – Meets the criteria",
        "CCfA 2: Drug dealing by the shops – Submitted: waiting to be screened",
    ]
    entry = next(e for e in feed.entries if e.title.startswith("CCfA 1"))
    assert entry.link.endswith(f"/scrutiny/{partnership.slug}/calls/{first.pk}/")
    assert "4 May 2026: Screened: meets the criteria" in entry.summary
    assert client.get("/scrutiny/no-such-partnership/calls/feed.atom").status_code == 404


def test_only_the_councillor_or_an_editor_raises_a_call(client, partnership, councillor):
    p = partnership.slug
    assert client.get(f"/scrutiny/{p}/calls/new").status_code == 302  # sign in first
    client.force_login(user_with_role("resident"))
    assert client.get(f"/scrutiny/{p}/calls/new").status_code == 403
    client.force_login(user_with_role("a-member", partnership, "member"))
    assert client.get(f"/scrutiny/{p}/calls/new").status_code == 403
    # Another councillor of the partnership cannot raise a call in Jones's name.
    other_account = user_with_role("cllr-smith")
    smith = Person(slug="cllr-smith", name="Councillor B. Smith", account=other_account)
    smith.save()
    Councillor(partnership=partnership, person=smith, ward="Hill ward").save()
    client.force_login(other_account)
    response = client.post(
        f"/scrutiny/{p}/calls/new",
        {
            "councillor": councillor.pk,
            "title": "t",
            "matter": "m",
            "on_behalf_of": "r",
            "routes_tried": "x",
        },
    )
    assert response.status_code == 400
    assert not CommunityCall.objects.exists()


def test_another_partnerships_coordinator_reaches_none_of_the_calls(
    client, partnership, other_partnership, new_call
):
    call = new_call("Ours")
    outsider = user_with_role("other-coordinator", other_partnership, "coordinator")
    client.force_login(outsider)
    mine, theirs = partnership.slug, other_partnership.slug
    # Through their own partnership's address: no such record there.
    assert client.get(f"/scrutiny/{theirs}/calls/{call.pk}/").status_code == 404
    assert client.get(f"/scrutiny/{theirs}/manage/calls/{call.pk}/").status_code == 404
    for step in ("screen", "refer", "recommendations", "respond"):
        data = {
            "local_matter": "no",
            "persistent": "no",
            "routes_tried": "no",
            "reasons": "x",
            "referred": "no",
            "reason": "x",
            "recommendations": "x",
            "on": "1/1/2027",
            "response": "x",
        }
        assert (
            client.post(f"/scrutiny/{theirs}/manage/calls/{call.pk}/{step}", data).status_code
            == 404
        )
        # Through the call's own partnership: they hold no role there.
        assert (
            client.post(f"/scrutiny/{mine}/manage/calls/{call.pk}/{step}", data).status_code == 403
        )
    assert client.get(f"/scrutiny/{mine}/manage/calls/{call.pk}/").status_code == 403
    assert client.get(f"/scrutiny/{mine}/calls/new").status_code == 403
    call.refresh_from_db()
    assert call.status == CommunityCall.Status.SUBMITTED and call.version == 1


def test_the_remind_command_sends_what_is_due_and_queues_the_daily_task(
    recommended, coordinator_user
):
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    recommended(dt.date(2026, 11, 1))
    out = StringIO()
    with at(dt.date(2026, 11, 22)):
        call_command("scrutiny", "remind", "--schedule", stdout=out)
    assert "CCfA 1: reminder (7 days before) sent." in out.getvalue()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(task_path__endswith="daily_call_reminders").count() == 1


def test_the_log_offers_raising_a_call_only_to_who_may(client, partnership, councillor):
    link = "Raise a call (ward councillors)"
    assert link not in client.get(f"/scrutiny/{partnership.slug}/calls/").content.decode()
    client.force_login(user_with_role("someone"))
    assert link not in client.get(f"/scrutiny/{partnership.slug}/calls/").content.decode()
    client.force_login(councillor.person.account)
    assert link in client.get(f"/scrutiny/{partnership.slug}/calls/").content.decode()
