"""Atom feeds (plans, minutes, decisions, consultations) parse with feedparser and hold only
public records; e-mail alerts per area use double opt-in and one-click unsubscribe; the daily
retention task deletes responses after the retention date and keeps the published figures."""

from __future__ import annotations

import datetime as dt
import re

import feedparser
import pytest
from django.core.cache import cache

from cdrp.community import surveys
from cdrp.community.models import Question, Response, Subscription, Survey
from community_fixtures import area_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def records(area_world):
    from cdrp.accounts.audit import acting_as
    from cdrp.meetings.models import Attendance, Decision, Meeting, Minutes
    from cdrp.partnerships.models import Seat

    p = area_world["partnership"]
    with acting_as(None, "test"):
        held = Meeting.objects.create(
            group=area_world["strategy"], date=dt.date(2026, 3, 30), public=True, status="held"
        )
        Decision.objects.create(meeting=held, motion="Adopt the partnership plan", result="carried")
        seat = Seat.objects.filter(group=area_world["strategy"]).first()
        Attendance.objects.create(
            meeting=held, seat=seat, person=seat.memberships.first().person, status="present"
        )
        Minutes.objects.create(meeting=held, text="Minutes of the meeting.", approved=True)
        private = Meeting.objects.create(
            group=area_world["tasking"], date=dt.date(2026, 4, 2), status="held"
        )
        Decision.objects.create(
            meeting=private, motion="A private tasking decision", result="carried"
        )
        survey = Survey.objects.create(
            partnership=p,
            title="Parks survey",
            closes_on=dt.date.today() + dt.timedelta(days=9),
            retain_until=dt.date.today() + dt.timedelta(days=100),
        )
        Question.objects.create(
            survey=survey, text="Do you feel safe?", kind="single", options=["Yes", "No"]
        )
        surveys.open_survey(survey, dt.date.today())
        Survey.objects.create(
            partnership=p,
            title="A draft nobody sees",
            closes_on=dt.date.today(),
            retain_until=dt.date.today(),
        )
    return area_world


@pytest.mark.parametrize(
    "feed,expected,absent",
    [
        ("plans", "Partnership plan 2026 to 2029 (revision 1)", None),
        ("minutes", "Minutes: Strategy group, 30 March 2026", "Neighbourhood tasking"),
        ("decisions", "Carried: Adopt the partnership plan", "A private tasking decision"),
        ("consultations", "Have your say: Parks survey", "A draft nobody sees"),
    ],
)
def test_feeds_parse_as_atom(client, records, feed, expected, absent):
    response = client.get(f"/community/lancashire-south/feeds/{feed}.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title.startswith("Lancashire South Strategic CDRP: ")
    titles = [e.title for e in parsed.entries]
    assert any(t.startswith(expected) for t in titles), titles
    if absent:
        assert not any(absent in t for t in titles)
    for entry in parsed.entries:
        assert entry.link.startswith("http://testserver/") and entry.updated_parsed


def test_an_unknown_partnership_has_no_feed(client, records):
    assert client.get("/community/nowhere/feeds/plans.atom").status_code == 404


def test_alerts_need_double_opt_in_and_stop_with_one_click(
    client, records, mailoutbox, coordinator
):
    page = client.post(
        "/community/area/E05005126/alerts/", {"email": "Resident@Example.org", "website": ""}
    )
    assert page.status_code == 200 and "Check your e-mail" in page.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.email == "resident@example.org" and subscription.confirmed_at is None
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/community/alerts/confirm/\S+/)", mailoutbox[0].body)
    assert link
    # nothing is sent before confirmation
    from cdrp.community import alerts

    assert alerts.notify(subscription.partnership, None, "x", "y", "http://testserver") == 0
    assert client.get(link.group(1)[:-5] + "xxxx/").status_code == 404  # tampered
    assert client.get(link.group(1)).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    # publishing results e-mails the subscriber, with a one-click unsubscribe
    survey = Survey.objects.get(title="Parks survey")
    client.force_login(coordinator)
    client.post(f"/community/lancashire-south/manage/surveys/{survey.pk}/close/")
    client.post(f"/community/lancashire-south/manage/surveys/{survey.pk}/publish/")
    client.logout()
    message = mailoutbox[-1]
    assert message.subject == "Parks survey: results are published"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop = message.extra_headers["List-Unsubscribe"].strip("<>").replace("http://testserver", "")
    from django.test import Client

    one_click = Client(enforce_csrf_checks=True)  # a mail client posts without a CSRF token
    assert one_click.get(stop).status_code == 200 and Subscription.objects.exists()
    assert one_click.post(stop, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscription.objects.exists()


def test_retention_deletes_answers_and_keeps_published_figures(records):
    from django.utils import timezone

    from cdrp.community.tasks import apply_retention

    survey = Survey.objects.get(title="Parks survey")
    q = survey.questions.get()
    for i in range(6):
        surveys.submit(survey, {q.pk: "Yes" if i < 5 else "No"}, dt.date.today())
    surveys.close(survey, dt.date.today())
    surveys.publish(survey, dt.date.today())
    stale = Subscription.objects.create(partnership=survey.partnership, email="old@example.org")
    Subscription.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    Subscription.objects.create(partnership=survey.partnership, email="new@example.org")
    # not yet: the answers stay; the unconfirmed address older than seven days goes
    assert apply_retention(dt.date.today()) == {
        "responses": 0,
        "subscriptions": 1,
        "surveys_closed": 0,
    }
    later = survey.retain_until + dt.timedelta(days=1)
    done = apply_retention(later)
    assert done == {"responses": 6, "subscriptions": 0, "surveys_closed": 0}
    assert not Response.objects.filter(survey=survey).exists()
    survey.refresh_from_db()
    assert survey.responses_deleted_on == later
    assert survey.results["respondents"] == 6
    assert list(Subscription.objects.values_list("email", flat=True)) == ["new@example.org"]


def test_the_daily_retention_task_queues_itself_for_the_night(records):
    from django_tasks_db.models import DBTaskResult

    from cdrp.community.tasks import daily_retention

    daily_retention.call()
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("daily_retention") and queued.run_after is not None
    assert queued.run_after.astimezone(dt.UTC).hour in (1, 2)  # 02:30 in London


def test_a_survey_past_its_closing_date_is_closed_by_the_task(records):
    from cdrp.community.tasks import apply_retention

    survey = Survey.objects.get(title="Parks survey")
    done = apply_retention(survey.closes_on + dt.timedelta(days=1))
    survey.refresh_from_db()
    assert done["surveys_closed"] == 1 and survey.status == "closed"


def test_the_retention_command_reports_and_schedules(records):
    import io

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    out = io.StringIO()
    call_command("community", "retention", "--schedule", stdout=out)
    assert "Retention: 0 responses deleted" in out.getvalue()
    assert DBTaskResult.objects.get().task_path.endswith("daily_retention")
