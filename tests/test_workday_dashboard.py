"""The person's home page (issue 17, item 3): their own actions, closed with a note by them and
nobody else; records waiting for their group's approval; the statutory deadlines and the
police.uk data freshness, on the demo registry with the clock frozen."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import DEMO_DATA, FROZEN_TODAY

pytestmark = pytest.mark.usefixtures("frozen_today")


def _link(user, slug):
    from cdrp.partnerships.models import Person

    person = Person.objects.get(slug=slug)
    person.account = user
    person.save()
    return person


@pytest.fixture
def strategy(south_registry):
    from cdrp.partnerships.models import Group

    return south_registry.groups.get(kind=Group.Kind.STRATEGY)


@pytest.fixture
def members(member, make_user, south_registry):
    """The member fixture linked to a strategy group member, and a second member linked to
    another: both partner members of the partnership."""
    other = make_user("member2", "member")
    return _link(member, "chorley-director"), _link(other, "south-ribble-director"), other


@pytest.fixture
def action(members, strategy):
    from cdrp.meetings.agenda import arrange_meeting, raise_action

    owner = members[0]
    meeting = arrange_meeting(strategy, FROZEN_TODAY + dt.timedelta(days=14))
    return raise_action(
        meeting,
        "Report back on the licensing review",
        owner,
        FROZEN_TODAY + dt.timedelta(days=30),
    )


def test_member_sees_their_own_action_and_closes_it_with_a_note(client, member, action):
    from cdrp.accounts.models import AuditEvent
    from cdrp.meetings.models import Action

    client.force_login(member)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your day" in html and 'id="my-actions"' in html
    assert "Report back on the licensing review" in html
    assert 'Due</dt><dd class="govuk-summary-list__value">25 December 2026' in html
    close = f"/my/lancashire-south/actions/{action.pk}/close"
    assert close in html
    # The next meeting of the group the member sits on, where the action was raised.
    assert "Wednesday 9 December 2026" in html

    response = client.post(close, {"note": "Reviewed with licensing; report circulated"})
    assert response.status_code == 302 and response["Location"] == "/#my-actions"
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.outcome == "Reviewed with licensing; report circulated"
    assert action.closed_on == FROZEN_TODAY
    event = AuditEvent.objects.filter(
        model="meetings.Action", object_id=str(action.pk), action="update"
    ).get()
    assert event.user == member
    assert event.changes["status"] == ["open", "done"]
    assert event.changes["outcome"][1] == "Reviewed with licensing; report circulated"
    # Closed, it leaves the home page's list.
    assert "Report back on the licensing review" not in _actions(client.get("/"))


def _actions(response) -> str:
    html = response.content.decode()
    return html[html.index('id="my-actions"') : html.index('id="next-meetings"')]


def test_member_notes_progress_without_closing(client, member, action):
    client.force_login(member)
    url = f"/my/lancashire-south/actions/{action.pk}/update"
    assert client.post(url, {"note": "Met licensing on Monday"}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.outcome) == ("open", "Met licensing on Monday")
    assert "Met licensing on Monday" in client.get("/").content.decode()
    # An empty note is refused, nothing changes.
    client.post(url, {"note": "  "})
    action.refresh_from_db()
    assert action.outcome == "Met licensing on Monday"


def test_another_member_may_not_close_it(client, members, action):
    _, _, other = members
    client.force_login(other)
    assert "Report back on the licensing review" not in _actions(client.get("/"))
    for verb in ("close", "update"):
        response = client.post(
            f"/my/lancashire-south/actions/{action.pk}/{verb}", {"note": "Not mine to close"}
        )
        assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "open" and action.outcome == ""


def test_the_service_refuses_anyone_but_the_owner_or_a_clerk(members, action, coordinator):
    from django.core.exceptions import PermissionDenied

    from cdrp.meetings.services import close_action

    with pytest.raises(PermissionDenied):
        close_action(action, members[2], "no")
    # A coordinator minutes meetings: they may close anyone's action.
    closed = close_action(action, coordinator, "Closed at the meeting", dropped=True)
    assert closed.status == "dropped"


def test_another_partnerships_user_cannot_see_or_close_it(
    client, action, outsider, other_partnership
):
    client.force_login(outsider)
    assert "Report back on the licensing review" not in client.get("/").content.decode()
    # Through the action's own partnership: no role there.
    url = f"/my/lancashire-south/actions/{action.pk}/close"
    assert client.post(url, {"note": "x"}).status_code == 403
    # Through their own partnership: it holds no such action.
    url = f"/my/{other_partnership.slug}/actions/{action.pk}/close"
    assert client.post(url, {"note": "x"}).status_code == 404
    action.refresh_from_db()
    assert action.status == "open"


def test_a_member_without_a_linked_person_is_told_how_to_link(client, member, south_registry):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "not linked to a person" in html


def test_approvals_waiting_show_a_draft_assessment_to_the_chair(client, chair, south_registry):
    from django.utils import timezone

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
    Assessment.objects.create(
        partnership=south_registry,
        title="Strategic assessment 2025",
        period_start="2024-10",
        period_end="2025-09",
        status=Assessment.Status.PUBLISHED,
        document={},
        fingerprint={},
        built_at=timezone.now(),
    )
    client.force_login(chair)
    html = client.get("/").content.decode()
    section = html[html.index('id="approvals"') : html.index('id="notifications"')]
    assert "Strategic assessment 2026" in section
    assert f"/intelligence/assessments/lancashire-south/{draft.pk}/" in section
    assert "Draft: awaits review, then the strategy group&#x27;s approval" in section
    assert "Strategic assessment 2025" not in section  # published: nothing to approve


def test_a_member_who_does_not_sit_on_the_strategy_group_has_no_approvals(
    client, member, south_registry
):
    from django.utils import timezone

    from cdrp.intelligence.models import Assessment

    Assessment.objects.create(
        partnership=south_registry,
        title="Strategic assessment 2026",
        period_start="2025-10",
        period_end="2026-09",
        document={},
        fingerprint={},
        built_at=timezone.now(),
    )
    client.force_login(member)  # a partner member, linked to nobody
    html = client.get("/").content.decode()
    assert "Strategic assessment 2026" not in html
    assert "Nothing is waiting for a decision of a group you sit on" in html


@pytest.fixture
def cycle(south_registry):
    """The statutory records as the features would give them: an assessment approved on 30
    March 2026, the plan revised on 10 December 2025, no refresh and no skills review yet."""
    from cdrp.partnerships import evidence as ev

    records = {
        ev.STRATEGIC_ASSESSMENT: [
            ev.Evidence(ev.STRATEGIC_ASSESSMENT, dt.date(2026, 3, 30), "Assessment 2026"),
            ev.Evidence(ev.STRATEGIC_ASSESSMENT, dt.date(2025, 3, 28), "Assessment 2025"),
        ],
        ev.ASSESSMENT_REFRESH: [],
        ev.PARTNERSHIP_PLAN: [
            ev.Evidence(ev.PARTNERSHIP_PLAN, dt.date(2025, 12, 10), "Plan 2025-28, revision 2")
        ],
        ev.SKILLS_REVIEW: [],
    }
    providers = {kind: (lambda p, kind=kind: records[kind]) for kind in records}
    for kind, provider in providers.items():
        ev.register(kind, provider)
    yield south_registry
    for kind, provider in providers.items():
        ev.unregister(kind, provider)


def test_deadlines_follow_the_compliance_rules(cycle):
    from cdrp.workday.dashboard import deadlines

    found = {d.what: d for d in deadlines(cycle, FROZEN_TODAY)}
    annual = found["Annual strategic assessment"]
    assert (annual.due, annual.state, annual.days) == (dt.date(2027, 3, 30), "ok", 125)
    refresh = found["Six-month refresh of the assessment"]
    assert (refresh.due, refresh.state) == (dt.date(2026, 9, 29), "overdue")  # 30 March + 183 d
    plan = found["Annual revision of the partnership plan"]
    assert (plan.due, plan.state, plan.days) == (dt.date(2026, 12, 10), "soon", 15)
    skills = found["Review of members' skills and knowledge"]
    assert (skills.due, skills.state, skills.last) == (FROZEN_TODAY, "soon", "None recorded yet")
    # Soonest first: the overdue refresh leads.
    assert [d.what for d in deadlines(cycle, FROZEN_TODAY)][0] == refresh.what


def test_deadlines_on_the_home_page(client, chair, cycle):
    client.force_login(chair)
    html = client.get("/").content.decode()
    section = html[html.index('id="deadlines"') : html.index('id="data"')]
    assert "Overdue</strong> was due 29 September 2026" in section
    assert "Due soon</strong> by 10 December 2026" in section
    assert "By 30 March 2027" in section
    assert "Last approved 30 March 2026" in section


def _demo_months():
    return sorted(p.name for p in (DEMO_DATA / "police-uk-street-lancashire").iterdir())


def test_data_freshness_gives_the_latest_month_and_the_months_missing(
    client, member, south_with_incidents
):
    from cdrp.analysis.months import month_range
    from cdrp.workday.dashboard import freshness

    held = _demo_months()
    gaps = [m for m in month_range(held[0], held[-1]) if m not in held]
    assert gaps == ["2020-06", "2020-08", "2020-09"]  # as the bundled files stand
    (found,) = freshness([south_with_incidents], FROZEN_TODAY)
    assert found.force == "Lancashire"
    assert found.latest == held[-1] == "2022-11"
    assert found.gaps == gaps
    # Frozen on 25 November 2026, police.uk has published to September 2026.
    assert found.expected == "2026-09"
    assert found.behind == month_range("2022-12", "2026-09")
    assert len(found.missing) == 3 + 46

    client.force_login(member)
    html = client.get("/").content.decode()
    section = html[html.index('id="data"') :]
    assert "police.uk data loaded to <strong>November 2022</strong>" in section
    assert "46 months published since (December 2022 to September 2026)" in section
    assert "3 months (June 2020, August 2020, September 2020)" in section


def test_anonymous_visitors_still_get_the_public_front_page(client, partnership):
    html = client.get("/").content.decode()
    assert "Sign in" in html and "Your day" not in html


def test_coordinator_links_a_person_to_an_account(client, coordinator, member, south_registry):
    from cdrp.partnerships.models import Person

    person = Person.objects.get(slug="chorley-director")
    client.force_login(coordinator)
    url = f"/partnerships/lancashire-south/people/{person.slug}/edit/"
    form = client.get(url)
    if form.status_code == 404:
        pytest.skip("person edit address differs")
    html = form.content.decode()
    assert 'name="account"' in html
    assert f'<option value="{member.pk}">member</option>' in html


def test_the_demo_arranges_the_next_meetings_with_a_time_and_venue(demo_registry):
    import io

    from cdrp.meetings.models import Meeting
    from cdrp.workday import demo

    out = io.StringIO()
    demo.finish(out, {})
    arranged = Meeting.objects.filter(
        group__partnership=demo_registry, date__gte=dt.date.today()
    ).order_by("date")
    assert "2 next meetings arranged" in out.getvalue()
    assert arranged.count() >= 2
    for meeting in arranged:
        assert meeting.start_time is not None and meeting.venue, meeting
