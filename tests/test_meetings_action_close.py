"""The action tracker's own close page: the closer writes the outcome note, says done or
dropped, and records the meeting whose minutes closed it; the page and the dashboard close
through one service (`cdrp.meetings.services.close_action`), with the same rule of who may."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import FROZEN_TODAY

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def setting(south_registry, member, make_user):
    from cdrp.meetings.agenda import arrange_meeting, raise_action
    from cdrp.partnerships.models import Group, Person

    strategy = south_registry.groups.get(kind=Group.Kind.STRATEGY)
    owner = Person.objects.get(slug="chorley-director")
    owner.account = member
    owner.save()
    raised_at = arrange_meeting(strategy, FROZEN_TODAY - dt.timedelta(days=60))
    closing = arrange_meeting(strategy, FROZEN_TODAY - dt.timedelta(days=3))
    future = arrange_meeting(strategy, FROZEN_TODAY + dt.timedelta(days=20))
    action = raise_action(raised_at, "Map the lighting faults on the towpath", owner, FROZEN_TODAY)
    return {"action": action, "raised_at": raised_at, "closing": closing, "future": future}


def _url(action) -> str:
    return f"/meetings/lancashire-south/actions/{action.pk}/close"


def test_the_owner_closes_it_with_a_note_at_the_meeting_that_closed_it(client, member, setting):
    from cdrp.accounts.models import AuditEvent
    from cdrp.meetings.models import Action

    action, closing = setting["action"], setting["closing"]
    client.force_login(member)
    listing = client.get("/meetings/lancashire-south/actions/").content.decode()
    assert _url(action) in listing  # the owner is offered the close page
    page = client.get(_url(action))
    assert page.status_code == 200
    html = page.content.decode()
    # The meetings offered: the group's, from the one that raised it up to today; GOV.UK dates.
    assert f'value="{closing.pk}"' in html and f'value="{setting["raised_at"].pk}"' in html
    assert f'value="{setting["future"].pk}"' not in html
    assert closing.date.strftime("%-d %B %Y") in html
    # A meeting not yet held is refused even when posted by hand; nothing is written.
    refused = client.post(_url(action), {"outcome": "Done", "meeting": setting["future"].pk})
    assert refused.status_code == 400
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
    # No note: refused, with the message beside the field.
    empty = client.post(_url(action), {"outcome": " ", "meeting": closing.pk})
    assert empty.status_code == 400
    assert "Say what was done" in empty.content.decode()

    response = client.post(
        _url(action), {"outcome": "Faults reported to the canal trust", "meeting": closing.pk}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.outcome == "Faults reported to the canal trust"
    assert action.closed_at == closing and action.closed_on == FROZEN_TODAY
    event = AuditEvent.objects.filter(
        model="meetings.Action", object_id=str(action.pk), action="update"
    ).get()
    assert event.user == member and event.changes["status"] == ["open", "done"]
    shown = client.get("/meetings/lancashire-south/actions/?show=all").content.decode()
    assert f"At the meeting of {closing.date:%-d %B %Y}" in shown
    # Closed, it cannot be closed again.
    again = client.post(_url(action), {"outcome": "Again"})
    assert again.status_code == 400
    action.refresh_from_db()
    assert action.outcome == "Faults reported to the canal trust"


def test_dropped_between_meetings_by_a_clerk(client, coordinator, setting):
    action = setting["action"]
    client.force_login(coordinator)
    response = client.post(
        _url(action), {"outcome": "Superseded by the lighting review", "dropped": "on"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.closed_at) == ("dropped", None)


def test_another_member_may_neither_see_the_form_nor_close_it(client, make_user, setting):
    other = make_user("member-close-2", "member")
    client.force_login(other)
    assert client.get(_url(setting["action"])).status_code == 403
    response = client.post(_url(setting["action"]), {"outcome": "Not mine"})
    assert response.status_code == 403
    listing = client.get("/meetings/lancashire-south/actions/").content.decode()
    assert _url(setting["action"]) not in listing
    setting["action"].refresh_from_db()
    assert setting["action"].status == "open"


def test_a_meeting_of_another_partnership_is_refused_by_the_service(
    setting, coordinator, other_partnership
):
    from cdrp.accounts.audit import acting_as
    from cdrp.meetings.agenda import arrange_meeting
    from cdrp.meetings.services import ActionRefused, close_action
    from cdrp.partnerships.models import Group

    with acting_as(None, "test"):
        group = Group.objects.create(
            partnership=other_partnership, slug="sg", name="Their group", kind="strategy"
        )
    theirs = arrange_meeting(group, FROZEN_TODAY - dt.timedelta(days=1))
    with pytest.raises(ActionRefused):
        close_action(setting["action"], coordinator, "Done", meeting=theirs)
    setting["action"].refresh_from_db()
    assert setting["action"].status == "open"
