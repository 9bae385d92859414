"""Duplicated effort: repeated agenda items and terms of reference (TF-IDF cosine), the same
people in several meetings in a week, groups that never decide; none in a clean structure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import user_with_role

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2024, 3, 4)


def _group(p, slug, name, kind, terms):
    from cdrp.partnerships.models import Group

    g = Group(
        partnership=p,
        slug=slug,
        name=name,
        kind=kind,
        terms_of_reference=terms,
        meeting_frequency="monthly",
    )
    g.save()
    return g


def _member(group, slug, name):
    from cdrp.partnerships.models import Membership, Person, Seat

    person = Person.objects.filter(slug=slug).first()
    if person is None:
        person = Person(slug=slug, name=name)
        person.save()
    seat = Seat(group=group, label=f"Member {slug}", voting=False)
    seat.save()
    Membership(seat=seat, person=person).save()
    return person


def _meeting(group, on, items, owner=None):
    from cdrp.meetings.agenda import arrange_meeting, raise_action
    from cdrp.meetings.models import AgendaItem

    m = arrange_meeting(group, on)
    for i, title in enumerate(items, start=10):
        AgendaItem(meeting=m, position=i, kind=AgendaItem.Kind.ITEM, title=title).save()
    if owner is not None:
        raise_action(m, f"Follow up {items[0].lower()}", owner, on + dt.timedelta(days=20))
    return m


@pytest.fixture
def clean(partnership):
    from cdrp.accounts.audit import acting_as

    with acting_as(None, "test"):
        strategy = _group(
            partnership,
            "rag",
            "Responsible Authorities Group",
            "strategy",
            "Sets the partnership's strategy; approves the strategic assessment, the three-year "
            "plan and the budget; holds partners to account for delivery.",
        )
        tasking = _group(
            partnership,
            "matac",
            "Multi-agency tasking",
            "tasking",
            "Monthly tasking of police patrols, wardens and youth outreach to the hot-spots in "
            "the tactical assessment; reviews results of last month's deployments.",
        )
        chair = _member(strategy, "chief-exec", "Chief Executive (placeholder)")
        inspector = _member(tasking, "inspector", "Inspector (placeholder)")
        _meeting(strategy, MONDAY, ["Approve the partnership plan 2024 to 2027"], chair)
        _meeting(
            tasking,
            MONDAY + dt.timedelta(days=14),
            ["Burglary series in the north ward"],
            inspector,
        )
    return partnership


@pytest.fixture
def duplicated(clean):
    from cdrp.accounts.audit import acting_as
    from cdrp.partnerships.models import Group, Person

    with acting_as(None, "test"):
        safer = _group(
            clean,
            "safer-streets",
            "Safer streets group",
            "thematic",
            "Monthly tasking of police patrols, wardens and youth outreach to the hot-spots in "
            "the tactical assessment, and reviews of last month's deployments.",
        )
        _member(safer, "inspector", "Inspector (placeholder)")
        tasking = Group.objects.get(slug="matac")
        _meeting(
            tasking,
            MONDAY + dt.timedelta(days=28),
            ["Anti-social behaviour in the town centre"],
            Person.objects.get(slug="inspector"),
        )
        _meeting(safer, MONDAY + dt.timedelta(days=30), ["Town centre anti-social behaviour"])
    return clean


def test_a_clean_structure_has_no_duplication(clean):
    from cdrp.health.duplication import report

    r = report(clean, dt.date(2024, 6, 30))
    assert r["meetings"] == 2 and r["groups"] == 2
    assert r["clean"] and r["actions"] == []


def test_seeded_duplicates_are_found_with_their_pairs(duplicated, client):
    from cdrp.health.duplication import report

    r = report(duplicated, dt.date(2024, 6, 30))
    assert [(x["a"].meeting.group.slug, x["b"].meeting.group.slug) for x in r["item_pairs"]] == [
        ("matac", "safer-streets")
    ]
    assert r["item_pairs"][0]["score"] == 1.0
    assert [{x["a"].slug, x["b"].slug} for x in r["terms_pairs"]] == [{"matac", "safer-streets"}]
    assert r["terms_pairs"][0]["score"] > 0.8
    assert [(b["person"].slug, b["week"], len(b["meetings"])) for b in r["busy"]] == [
        ("inspector", MONDAY + dt.timedelta(days=28), 2)
    ]
    assert [g["group"].slug for g in r["idle"]] == ["safer-streets"]
    assert len(r["actions"]) == 4
    client.force_login(user_with_role("reader", duplicated, "member"))
    page = client.get(
        reverse("health:duplication", kwargs={"partnership": duplicated.slug}),
        {"as_at": "2024-06-30"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Town centre anti-social behaviour" in html and "Safer streets group" in html
    client.force_login(user_with_role("stranger", None, None))
    assert (
        client.get(
            reverse("health:duplication", kwargs={"partnership": duplicated.slug})
        ).status_code
        == 403
    )
