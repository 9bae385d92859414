"""Every write to a governance record is audited (who, when, before → after) and visible to
administrators; concurrent edits never lose an update."""

import datetime as dt

import pytest

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.core.models import ConflictError
from cdrp.partnerships.models import Partnership

pytestmark = pytest.mark.django_db


def test_create_change_and_delete_are_recorded_with_before_and_after(coordinator):
    with acting_as(coordinator):
        p = Partnership.objects.create(slug="wyre", name="Wyre CSP")
        p.name = "Wyre Community Safety Partnership"
        p.save()
        pk = p.pk
        p.delete()
    events = list(
        AuditEvent.objects.filter(model="partnerships.Partnership", object_id=str(pk)).order_by(
            "id"
        )
    )
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert all(e.user == coordinator and e.actor == "coordinator" for e in events)
    assert events[0].changes["name"] == [None, "Wyre CSP"]
    assert events[1].changes == {"name": ["Wyre CSP", "Wyre Community Safety Partnership"]}
    assert events[2].changes["slug"] == ["wyre", None]


def test_a_save_that_changes_nothing_writes_no_event(partnership):
    before = AuditEvent.objects.count()
    partnership.save()
    assert AuditEvent.objects.count() == before


def test_administrators_see_their_partnerships_trail_and_members_are_refused(
    client, partnership, administrator, member, other_partnership
):
    with acting_as(None, "test"):
        partnership.name = "Changed here"
        partnership.save()
        other_partnership.name = "Changed elsewhere"
        other_partnership.save()
    client.force_login(member)
    assert client.get("/accounts/audit/").status_code == 403
    client.force_login(administrator)
    page = client.get("/accounts/audit/").content.decode()
    assert "Changed here" in page and "Changed elsewhere" not in page


def test_a_stale_save_is_refused_and_loses_nothing(partnership):
    first = Partnership.objects.get(pk=partnership.pk)
    second = Partnership.objects.get(pk=partnership.pk)
    first.name = "First editor's name"
    first.save_checked(expected_version=first.version)
    second.name = "Second editor's name"
    with pytest.raises(ConflictError, match="changed by someone else"):
        second.save_checked(expected_version=second.version)
    stored = Partnership.objects.get(pk=partnership.pk)
    assert stored.name == "First editor's name" and stored.version == 2


# Restricted records in the trail ---------------------------------------------------------------


@pytest.fixture
def ppo(partnership, make_user, settings, tmp_path):
    from test_restricted import build_restricted_group

    settings.MEDIA_ROOT = tmp_path
    return build_restricted_group(partnership, make_user)


def _trail(client, user):
    """The audit page and /api/audit as `user` sees them."""
    from cdrp.accounts.models import ApiToken

    client.force_login(user)
    page = client.get("/accounts/audit/?page=1").content.decode()
    _, key = ApiToken.issue(user, "audit")
    api = client.get("/api/audit?limit=1000", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200
    return page, api.json()


def test_an_administrator_outside_a_restricted_group_reads_no_title_in_the_trail(
    client, ppo, administrator
):
    from test_restricted import TOKEN

    client.force_login(ppo.insider)
    client.get(f"/meetings/lancashire-south/meeting/{ppo.meeting.pk}/")  # three audited reads
    page, events = _trail(client, administrator)
    assert TOKEN not in page and TOKEN not in str(events)
    assert "Restricted record" in page
    restricted = {(e["model"], e["action"]) for e in events if e["redacted"]}
    assert {
        ("meetings.AgendaItem", "create"),
        ("meetings.AgendaItem", "view"),
        ("meetings.Paper", "create"),
        ("meetings.Action", "create"),
        ("meetings.Action", "view"),
        ("meetings.Minutes", "create"),
        ("meetings.Decision", "create"),
        ("meetings.Vote", "create"),
    } <= restricted
    (action,) = [e for e in events if e["model"] == "meetings.Action" and e["action"] == "create"]
    assert action["object_repr"] == "Restricted record"
    assert action["changes"]["description"] == ["(restricted)", "(restricted)"]
    # Dates, flags and the ids of related records say nothing of the case and stay readable.
    assert action["changes"]["due"] == [None, ppo.action.due.isoformat()]
    assert action["changes"]["group_id"] == [None, ppo.group.pk]
    # The group itself and its meeting are not restricted: people may know a group meets.
    assert any(e["object_repr"] == "PPO Catch and Convict" for e in events)
    assert not any(e["redacted"] for e in events if e["model"] == "meetings.Meeting")


def test_a_superuser_outside_the_group_reads_no_title_either(client, ppo, superuser):
    from test_restricted import TOKEN

    page, events = _trail(client, superuser)
    assert TOKEN not in page and TOKEN not in str(events)
    assert sorted(e["model"] for e in events if e["redacted"]) == [
        "meetings.Action",
        "meetings.AgendaItem",
        "meetings.Decision",
        "meetings.Minutes",
        "meetings.Paper",
        "meetings.Vote",
    ]


def test_an_administrator_who_sits_on_the_group_reads_its_trail_in_full(client, ppo, make_user):
    from cdrp.accounts.models import PartnershipRole
    from test_restricted import SECRET

    PartnershipRole.objects.create(
        user=ppo.insider, partnership=ppo.group.partnership, role="administrator"
    )
    page, events = _trail(client, ppo.insider)
    assert SECRET["action"] in page and SECRET["paper"] in str(events)
    assert not any(e["redacted"] for e in events)
    assert any(e["restricted"] for e in events)


def test_a_deleted_restricted_record_stays_redacted(client, ppo, administrator):
    from test_restricted import TOKEN

    with acting_as(None, "test"):
        ppo.paper.delete()
        ppo.item.delete()
    page, events = _trail(client, administrator)
    assert TOKEN not in page and TOKEN not in str(events)
    deleted = [e for e in events if e["action"] == "delete"]
    assert {e["model"] for e in deleted} == {"meetings.Paper", "meetings.AgendaItem"}
    assert all(e["redacted"] for e in deleted)


def test_a_restricted_agenda_item_of_an_ordinary_group_is_redacted_in_the_trail(
    client, partnership, administrator, make_user
):
    from cdrp.meetings.models import AgendaItem, Meeting
    from cdrp.partnerships.models import Group

    with acting_as(None, "test"):
        group = Group(partnership=partnership, slug="rag", name="Board", kind="strategy")
        group.save()
        meeting = Meeting(group=group, date=dt.date(2026, 5, 12))
        meeting.save()
        AgendaItem(meeting=meeting, position=1, title="Named victim ZK2218", restricted=True).save()
        AgendaItem(meeting=meeting, position=2, title="Street lighting").save()
    page, events = _trail(client, administrator)
    assert "ZK2218" not in page and "ZK2218" not in str(events)
    assert "Street lighting" in page


def test_the_api_reads_the_trail_through_the_accounts_service_not_a_view():
    import ast
    import inspect

    import cdrp.accounts.api

    imports = {
        node.module
        for node in ast.walk(ast.parse(inspect.getsource(cdrp.accounts.api)))
        if isinstance(node, ast.ImportFrom)
    }
    assert "cdrp.accounts.audit_trail" in imports
    assert not any(m.endswith(".views") for m in imports if m)
