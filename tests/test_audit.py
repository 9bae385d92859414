"""Every write to a governance record is audited (who, when, before → after) and visible to
administrators; concurrent edits never lose an update."""

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
