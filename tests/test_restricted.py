"""Restricted groups: everything raised at or belonging to a prolific-offender or domestic-abuse
group (its actions, decisions, minutes, agenda items and papers) is read only by the group's
current members, on every page, calendar, export and API, never in public, and each read is
audited once. A restricted agenda item in an ordinary group stays restricted on its own."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import get_resolver

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.meetings.agenda import arrange_meeting, raise_action, save_minutes
from cdrp.meetings.models import Action, AgendaItem, Meeting, Minutes, Paper
from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat
from cdrp.partnerships.services import record_decision

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
DAY = TODAY - dt.timedelta(days=7)
# Every restricted text carries this token, so one search finds any of them anywhere.
TOKEN = "QX7731"
SECRET = {
    "agenda": f"Cohort review of nominal {TOKEN}",
    "paper": f"Risk assessment of nominal {TOKEN}",
    "action": f"Disrupt nominal {TOKEN} at the weekend",
    "decision": f"Nominal {TOKEN} moves to the enforcement tier",
    "minutes": f"Nominal {TOKEN} was arrested on Tuesday",
}


def build_restricted_group(partnership, make_user, kind="ppo", slug="ppo"):
    """A restricted group with one member who has an account (`insider`), a meeting with a
    restricted agenda item, a paper, an action, a decision with its vote, and minutes."""
    with acting_as(None, "test"):
        police, _ = Organisation.objects.get_or_create(
            slug="police", defaults={"name": "Constabulary", "kind": "police"}
        )
        group = Group(partnership=partnership, slug=slug, name="PPO Catch and Convict", kind=kind)
        group.restricted = True
        group.save()
        seat = Seat(group=group, label="Police lead", organisation=police)
        seat.save()
        insider = make_user(f"{slug}-insider", "coordinator")  # the group's clerk
        lead = Person(slug=f"{slug}-lead", name="PPO lead", account=insider, email="lead@x.org")
        lead.save()
        Membership(seat=seat, person=lead, role="chair").save()
        meeting = Meeting(group=group, date=DAY)
        meeting.save()
        item = AgendaItem(meeting=meeting, position=1, title=SECRET["agenda"])
        item.save()
        paper = Paper(item=item, title=SECRET["paper"], kind="csv", size=4)
        paper.file.save(f"cohort-{TOKEN}.csv", ContentFile(b"a,b\n"), save=False)
        paper.save()
        action = raise_action(meeting, SECRET["action"], lead, TODAY + dt.timedelta(days=3))
        decision = record_decision(meeting, SECRET["decision"], [(lead, "for")])
        minutes = save_minutes(meeting, SECRET["minutes"], None)
    return SimpleNamespace(
        group=group,
        insider=insider,
        lead=lead,
        meeting=meeting,
        item=item,
        paper=paper,
        action=action,
        decision=decision,
        minutes=minutes,
    )


@pytest.fixture
def ppo(partnership, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_restricted_group(partnership, make_user)


def views_of(user) -> list[tuple[str, str]]:
    return sorted(
        AuditEvent.objects.filter(action="view", user=user).values_list("model", "object_id")
    )


# Every page, calendar, export and API operation ------------------------------------------------


def _routes():
    """Every GET route of the URL conf (pages and API operations)."""
    from test_access import _walk

    for route, pattern, namespace in _walk(get_resolver().url_patterns):
        if namespace == "admin":
            continue
        yield route


def _fill(route: str, ppo) -> str:
    """The route addressing the restricted group's records wherever it names one."""
    values = {
        "partnership": ppo.group.partnership.slug,
        "group": ppo.group.slug,
        "meeting_id": ppo.meeting.pk,
        "item_id": ppo.item.pk,
        "paper_id": ppo.paper.pk,
        "action_id": ppo.action.pk,
        "person": ppo.lead.slug,
        "fmt": "json",
    }

    def sub(m):
        conv, name = m.group(1) or "str", m.group(2)
        return str(values.get(name, "1" if conv == "int" else "x"))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")


@pytest.mark.parametrize("who", ["anonymous", "member", "administrator", "superuser"])
def test_outside_the_group_no_page_calendar_export_or_api_shows_its_records(
    client, ppo, make_user, who
):
    client.raise_request_exception = False  # another feature's error must not hide a leak
    if who == "superuser":
        client.force_login(make_user("outside-root", superuser=True))
    elif who != "anonymous":
        client.force_login(make_user(f"outside-{who}", who))
    slug, m = ppo.group.partnership.slug, ppo.meeting.pk
    paths = {_fill(route, ppo) for route in _routes()} | {
        f"/meetings/{slug}/actions/?show=all",
        f"/meetings/{slug}/actions/?show=all&group={ppo.group.pk}",
        f"/meetings/{slug}/meetings.ics?group={ppo.group.slug}",
        f"/meetings/{slug}/meeting/{m}/minutes?format=pdf",
        "/api/audit?limit=1000",
    }
    leaks = []
    for path in sorted(paths):
        response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        if TOKEN.encode() in body:
            leaks.append((path, response.status_code))
    assert not leaks, f"{who} read restricted records at {leaks}"
    assert len(paths) > 120  # every route was addressed, not a handful
    assert not AuditEvent.objects.filter(action="view").exists()


def test_outside_the_group_its_minutes_papers_and_actions_are_not_found_nor_changed(
    client, ppo, make_user
):
    coordinator = make_user("outside-coordinator", "coordinator")
    client.force_login(coordinator)
    base = f"/meetings/{ppo.group.partnership.slug}/meeting/{ppo.meeting.pk}/"
    for path in [
        base + "minutes",
        base + "minutes?format=pdf",
        base + "minutes/edit",
        f"/meetings/{ppo.group.partnership.slug}/papers/{ppo.paper.pk}/",
    ]:
        assert client.get(path).status_code == 404, path
    before = AuditEvent.objects.count()
    posts = {
        base + "minutes/edit": {"text": "overwritten", "version": ppo.minutes.version},
        base + "actions": {"description": "x", "owner": ppo.lead.pk, "due": "1/1/2099"},
        base + f"items/{ppo.item.pk}/papers": {"title": "x"},
        f"/meetings/{ppo.group.partnership.slug}/actions/{ppo.action.pk}/close": {
            "outcome": "done"
        },
    }
    for path, data in posts.items():
        assert client.post(path, data).status_code == 404, path
    assert AuditEvent.objects.count() == before  # nothing written, nothing read
    page = client.get(base).content.decode()
    assert "is a restricted group" in page and TOKEN not in page


def test_a_member_of_the_group_reads_its_records_and_each_read_is_audited_once(client, ppo):
    client.force_login(ppo.insider)
    slug = ppo.group.partnership.slug
    base = f"/meetings/{slug}/meeting/{ppo.meeting.pk}/"
    page = client.get(base).content.decode()
    assert all(SECRET[k] in page for k in ("agenda", "paper", "action", "decision"))
    one_each = sorted(
        [
            ("meetings.AgendaItem", str(ppo.item.pk)),
            ("meetings.Action", str(ppo.action.pk)),
            ("meetings.Decision", str(ppo.decision.pk)),
        ]
    )
    assert views_of(ppo.insider) == one_each
    AuditEvent.objects.filter(action="view").delete()

    minutes = client.get(base + "minutes").content.decode()
    assert all(SECRET[k] in minutes for k in ("agenda", "action", "decision", "minutes"))
    assert views_of(ppo.insider) == sorted([*one_each, ("meetings.Minutes", str(ppo.minutes.pk))])
    AuditEvent.objects.filter(action="view").delete()

    assert client.get(base + "minutes?format=pdf")["Content-Type"] == "application/pdf"
    assert len(views_of(ppo.insider)) == 4  # the PDF is one read of the same four records
    AuditEvent.objects.filter(action="view").delete()

    for path, model, pk in [
        (f"/meetings/{slug}/actions/?show=all", "meetings.Action", ppo.action.pk),
        (f"/meetings/{slug}/papers/{ppo.paper.pk}/", "meetings.Paper", ppo.paper.pk),
        (
            f"/partnerships/{slug}/groups/{ppo.group.slug}/",
            "meetings.Decision",
            ppo.decision.pk,
        ),
        (base + "minutes/edit", "meetings.Minutes", ppo.minutes.pk),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert views_of(ppo.insider) == [(model, str(pk))], path
        AuditEvent.objects.filter(action="view").delete()
    client.get(base)
    client.get(base)
    assert len(views_of(ppo.insider)) == 6  # two views, three records each


def test_a_former_member_no_longer_reads_the_groups_records(client, ppo):
    membership = Membership.objects.get(person=ppo.lead)
    membership.end = TODAY - dt.timedelta(days=1)
    membership.save()
    client.force_login(ppo.insider)
    page = client.get(f"/meetings/{ppo.group.partnership.slug}/meeting/{ppo.meeting.pk}/")
    assert TOKEN not in page.content.decode()


def test_reminder_emails_never_carry_a_restricted_actions_text(ppo, mailoutbox):
    from cdrp.meetings.reminders import send_reminders

    assert send_reminders(TODAY) == {"lead@x.org": 1}
    body = mailoutbox[0].body
    assert TOKEN not in body and "an action of a restricted group" in body


def test_the_tactical_pack_lists_a_restricted_tasking_groups_actions_to_its_members_only(
    partnership, make_user, settings, tmp_path
):
    from cdrp.intelligence.tactical import open_actions

    settings.MEDIA_ROOT = tmp_path
    tasking = build_restricted_group(partnership, make_user, kind="tasking", slug="matac")
    outsider = make_user("outside-analyst", "analyst")
    assert open_actions(partnership) == [] and open_actions(partnership, outsider) == []
    assert not AuditEvent.objects.filter(action="view").exists()
    (row,) = open_actions(partnership, tasking.insider)
    assert row["description"] == SECRET["action"]
    assert views_of(tasking.insider) == [("meetings.Action", str(tasking.action.pk))]


def test_a_restricted_groups_meetings_are_never_public(client, ppo):
    with pytest.raises(ValidationError, match="restricted group: its meetings are never open"):
        arrange_meeting(ppo.group, TODAY + dt.timedelta(days=30), public=True)
    with acting_as(None, "test"):
        ppo.meeting.public = True  # set behind the service's back
        ppo.meeting.save()
        Minutes.objects.filter(pk=ppo.minutes.pk).update(approved=True)
    slug = ppo.group.partnership.slug
    assert ppo.group.name not in client.get(f"/meetings/{slug}/public/").content.decode()
    assert client.get(f"/meetings/{slug}/public/{ppo.meeting.pk}/minutes").status_code == 404
    assert ppo.group.name not in client.get(f"/meetings/{slug}/meetings.ics").content.decode()


def test_a_restricted_item_in_an_ordinary_group_is_restricted_on_its_own(
    client, partnership, make_user
):
    with acting_as(None, "test"):
        group = Group(partnership=partnership, slug="owg", name="Officer group", kind="officer")
        group.save()
        meeting = Meeting(group=group, date=DAY)
        meeting.save()
        AgendaItem(meeting=meeting, position=1, title=SECRET["agenda"], restricted=True).save()
        AgendaItem(meeting=meeting, position=2, title="Street lighting").save()
        owner = Person(slug="officer", name="Officer")
        owner.save()
        raise_action(meeting, "Fix the lights", owner, TODAY)
    client.force_login(make_user("outside-member", "member"))
    page = client.get(f"/meetings/{partnership.slug}/meeting/{meeting.pk}/").content.decode()
    assert TOKEN not in page and "Restricted item: visible to members of this group only" in page
    assert "Street lighting" in page and "Fix the lights" in page  # the rest is ordinary


def test_prolific_offender_and_domestic_abuse_groups_are_imported_restricted(db):
    from cdrp.partnerships.structure import export_structure, import_structure

    text = """\
cdrp-structure: 1
partnership: {slug: wyre, name: Wyre CSP}
groups:
  - {slug: board, name: Board, kind: strategy}
  - {slug: ppo, name: PPO group, kind: ppo}
  - {slug: marac, name: MARAC, kind: domestic_abuse}
  - {slug: da-forum, name: Domestic abuse forum, kind: domestic_abuse, restricted: false}
  - {slug: asb, name: ASB case panel, kind: thematic, restricted: true}
"""
    (p,) = import_structure(text, "wyre.yaml")
    assert dict(p.groups.values_list("slug", "restricted")) == {
        "board": False,
        "ppo": True,
        "marac": True,
        "da-forum": False,
        "asb": True,
    }
    assert "restricted: true" in export_structure(p)


def test_a_strategy_group_cannot_be_restricted(db):
    from cdrp.partnerships.structure import StructureError, import_structure

    text = """\
cdrp-structure: 1
partnership: {slug: wyre, name: Wyre CSP}
groups:
  - {slug: board, name: Board, kind: strategy, restricted: true}
"""
    with pytest.raises(StructureError) as exc:
        import_structure(text, "wyre.yaml")
    assert exc.value.problems == [
        "wyre.yaml line 4: restricted: A strategy group answers to the public, so it cannot be "
        "restricted: mark single agenda items as restricted instead."
    ]
    assert not Group.objects.exists()


def test_the_migration_restricts_existing_offender_and_victim_groups(partnership):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("cdrp.partnerships.migrations.0005_group_restricted_records")
    with acting_as(None, "test"):
        for slug, kind in [("ppo", "ppo"), ("marac", "domestic_abuse"), ("owg", "officer")]:
            Group(partnership=partnership, slug=slug, name=slug, kind=kind).save()
    migration.restrict_offender_and_victim_groups(apps, None)
    assert dict(Group.objects.values_list("slug", "restricted")) == {
        "ppo": True,
        "marac": True,
        "owg": False,
    }


def test_action_records_of_a_restricted_group_say_so(ppo):
    from cdrp.meetings.restricted import restricting_group

    assert restricting_group(Action.objects.get()) == ppo.group
    assert restricting_group(ppo.paper) == ppo.group
    assert restricting_group(ppo.decision.votes.get()) == ppo.group
