"""Notifications (issue 17, item 4): made when an action is assigned and when papers are
published, listed and marked read in the service, and e-mailed either at once or as one daily
digest, as each person chooses (the clock frozen)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from conftest import FROZEN_TODAY

pytestmark = pytest.mark.usefixtures("frozen_today")


def _link(user, slug, email):
    from cdrp.partnerships.models import Person

    user.email = email
    user.save()
    person = Person.objects.get(slug=slug)
    person.account = user
    person.save()
    return person


@pytest.fixture
def meeting(south_registry):
    from cdrp.meetings.agenda import arrange_meeting
    from cdrp.partnerships.models import Group

    strategy = south_registry.groups.get(kind=Group.Kind.STRATEGY)
    return arrange_meeting(strategy, FROZEN_TODAY + dt.timedelta(days=14))


def test_an_assigned_action_notifies_its_owner(member, meeting):
    from cdrp.accounts.models import Notification
    from cdrp.meetings.agenda import raise_action

    owner = _link(member, "chorley-director", "member@example.org")
    action = raise_action(meeting, "Map the late-night venues", owner, dt.date(2026, 12, 31))
    (n,) = Notification.objects.filter(user=member)
    assert n.kind == Notification.Kind.ACTION_ASSIGNED
    assert n.title == "You have a new action: “Map the late-night venues”, due 31 December 2026"
    assert n.url == "/#my-actions"
    assert n.partnership_id == meeting.group.partnership_id
    assert n.key == f"action-assigned:{action.pk}"
    assert n.read_at is None


def _pdf() -> bytes:
    import pikepdf

    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return out.getvalue()


def test_a_published_paper_notifies_the_groups_members_but_not_its_uploader(
    member, chair, coordinator, meeting, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cdrp.accounts.models import Notification
    from cdrp.meetings.papers import add_paper

    settings.MEDIA_ROOT = tmp_path
    _link(member, "chorley-director", "member@example.org")
    _link(chair, "divisional-commander", "chair@example.org")
    _link(coordinator, "chorley-csm", "coordinator@example.org")
    item = meeting.agenda.order_by("position").first()
    add_paper(item, SimpleUploadedFile("report.pdf", _pdf()), "Quarterly performance", coordinator)
    told = Notification.objects.filter(kind=Notification.Kind.PAPERS)
    assert sorted(n.user.username for n in told) == ["chair", "member"]
    n = told.get(user=member)
    assert n.title == (
        "Paper published for the Responsible Authorities Group meeting of 9 December 2026: "
        "“Quarterly performance”"
    )
    assert n.url == f"/meetings/lancashire-south/meeting/{meeting.pk}/"


def test_the_header_counts_unread_and_the_list_marks_them_read(client, member, partnership):
    from cdrp.accounts.notifications import Kind, notify

    notify([member], Kind.DATA_MONTH, "police.uk data for October 2026 is loaded", "/")
    notify([member], Kind.APPROVAL, "Approval requested: Plan 2027", "/plans/")
    client.force_login(member)
    html = client.get("/notifications/").content.decode()
    assert 'class="cdrp-count">2<span class="govuk-visually-hidden"> unread</span>' in html
    assert "Approval requested: Plan 2027" in html
    first = member.notifications.get(kind=Kind.APPROVAL)
    response = client.post("/notifications/read", {"notification": first.pk, "go": "1"})
    assert response["Location"] == "/plans/"
    first.refresh_from_db()
    assert first.read_at is not None
    html = client.get("/notifications/?show=unread").content.decode()
    assert "Approval requested" not in html and "October 2026" in html
    assert 'class="cdrp-count">1<' in html
    client.post("/notifications/read")
    assert 'class="cdrp-count"' not in client.get("/notifications/").content.decode()


def test_someone_elses_notification_cannot_be_marked(client, member, chair, partnership):
    from cdrp.accounts.notifications import Kind, notify

    (n,) = notify([chair], Kind.APPROVAL, "Approval requested", "/")
    client.force_login(member)
    assert client.post("/notifications/read", {"notification": n.pk}).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_preferences_page_saves_the_choice(client, member, partnership):
    from cdrp.accounts.notifications import delivery_of

    client.force_login(member)
    assert delivery_of(member) == "daily"
    page = client.get("/notifications/settings").content.decode()
    assert "A weekly digest by e-mail (on Mondays)" in page
    assert client.post("/notifications/settings", {"delivery": "immediate"}).status_code == 302
    assert delivery_of(member) == "immediate"
    assert client.post("/notifications/settings", {"delivery": "hourly"}).status_code == 400


def test_immediate_email_and_a_daily_digest(
    member, chair, partnership, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from cdrp.accounts.models import NotificationPreference
    from cdrp.accounts.notifications import Kind, notify, send_digests

    member.email, chair.email = "member@example.org", "chair@example.org"
    member.save()
    chair.save()
    NotificationPreference.objects.create(user=member, delivery="immediate")
    # The chair has not chosen: the daily digest.
    with django_capture_on_commit_callbacks(execute=True):
        for k in range(3):
            notify(
                [member, chair],
                Kind.PAPERS,
                f"Paper {k + 1} published",
                f"/meetings/x/{k}/",
                key=f"paper:{k}",
            )
        # The same key again tells nobody twice.
        assert notify([member, chair], Kind.PAPERS, "Paper 1 published", key="paper:0") == []
    assert [m.to for m in mailoutbox] == [["member@example.org"]] * 3
    assert [m.subject for m in mailoutbox] == [f"Paper {k} published" for k in (1, 2, 3)]
    assert "http://localhost:8000/meetings/x/0/" in mailoutbox[0].body
    mailoutbox.clear()

    now = timezone.now()
    assert send_digests(now) == {"chair@example.org": 3}
    (digest,) = mailoutbox
    assert digest.to == ["chair@example.org"]
    assert digest.subject == "Your daily summary: 3 notifications"
    for k in (1, 2, 3):
        assert f"- Paper {k} published (Papers published)" in digest.body
    # Sent: nothing more today, even with a new notification.
    notify([chair], Kind.APPROVAL, "Approval requested: Plan 2027", "/plans/")
    assert send_digests(now + dt.timedelta(hours=2)) == {}
    # Tomorrow morning: one e-mail with the one new item.
    assert send_digests(now + dt.timedelta(days=1)) == {"chair@example.org": 1}
    assert mailoutbox[-1].subject == "Your daily summary: 1 notification"
    assert len(mailoutbox) == 2


def test_a_weekly_digest_waits_for_monday(member, partnership, mailoutbox):
    from cdrp.accounts.models import NotificationPreference
    from cdrp.accounts.notifications import Kind, notify, send_digests

    member.email = "member@example.org"
    member.save()
    NotificationPreference.objects.create(user=member, delivery="weekly")
    notify([member], Kind.DATA_MONTH, "police.uk data for October 2026 is loaded")
    wednesday = dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC)  # FROZEN_TODAY
    assert send_digests(wednesday) == {}
    monday = dt.datetime(2026, 11, 30, 7, tzinfo=dt.UTC)
    assert send_digests(monday) == {"member@example.org": 1}
    assert mailoutbox[0].subject == "Your weekly summary: 1 notification"


def test_overdue_actions_are_notified_once_by_the_morning_check(member, meeting):
    from cdrp.accounts.models import Notification
    from cdrp.accounts.notifications import run_checks
    from cdrp.meetings.agenda import raise_action

    owner = _link(member, "chorley-director", "member@example.org")
    raise_action(meeting, "Map the late-night venues", owner, dt.date(2026, 12, 31))
    run_checks(dt.date(2026, 12, 31))
    assert not Notification.objects.filter(kind="action_overdue").exists()
    run_checks(dt.date(2027, 1, 1))
    run_checks(dt.date(2027, 1, 2))
    (n,) = Notification.objects.filter(kind="action_overdue")
    assert n.title == "Overdue since 31 December 2026: “Map the late-night venues”"


def test_an_assessment_awaiting_approval_asks_the_chair(chair, member, south_registry):
    from django.utils import timezone

    from cdrp.accounts.models import Notification
    from cdrp.intelligence.assessments import advance
    from cdrp.intelligence.models import Assessment

    draft = Assessment.objects.create(
        partnership=south_registry,
        title="Strategic assessment 2026",
        period_start="2025-10",
        period_end="2026-09",
        document={},
        fingerprint={},
        built_at=timezone.now(),
    )
    _link(member, "chorley-director", "member@example.org")  # sits on the strategy group
    advance(draft, chair)
    told = Notification.objects.filter(kind=Notification.Kind.APPROVAL)
    assert sorted(n.user.username for n in told) == ["chair", "member"]
    assert told.first().title == "Approval requested: Strategic assessment 2026"


def test_the_morning_checks_tell_of_a_due_assessment_and_a_new_month(
    analyst, member, south_with_incidents
):
    from cdrp.accounts.models import Notification
    from cdrp.accounts.notifications import run_checks
    from cdrp.partnerships import evidence as ev

    approved = [ev.Evidence(ev.STRATEGIC_ASSESSMENT, dt.date(2026, 1, 10), "Assessment 2026")]

    def provider(p):
        return approved

    ev.register(ev.STRATEGIC_ASSESSMENT, provider)
    try:
        run_checks(FROZEN_TODAY)
        run_checks(FROZEN_TODAY)  # twice: nobody is told twice
    finally:
        ev.unregister(ev.STRATEGIC_ASSESSMENT, provider)
    stale = Notification.objects.filter(kind=Notification.Kind.STALE_ASSESSMENT)
    # The refresh is late (10 January + 183 days); the annual one is due within 60 days.
    assert sorted((n.user.username, n.title) for n in stale) == [
        (
            "analyst",
            "Lancashire South Strategic CDRP: the annual strategic assessment is due by "
            "10 January 2027",
        ),
        (
            "analyst",
            "Lancashire South Strategic CDRP: the six-month refresh of the assessment was due "
            "on 12 July 2026",
        ),
    ]
    data = Notification.objects.filter(kind=Notification.Kind.DATA_MONTH)
    assert sorted(n.user.username for n in data) == ["analyst", "member"]
    assert data.first().title == "police.uk data for November 2022 is loaded (Lancashire)"
