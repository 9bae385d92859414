"""Search finds the public records of the community, scrutiny and sharing apps (their
`searchable.py`), and never what their public pages hide: draft surveys and agreements,
unpublished survey results, cancelled sessions, private PACT meetings, person-level records;
nor another partnership's records."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.accounts.audit import acting_as
from cdrp.community.models import PactMeeting, PactPriority, Survey
from cdrp.meetings.models import Meeting
from cdrp.partnerships.models import Organisation, Person
from cdrp.scrutiny.models import CommunityCall, Councillor, PublicSession, Recommendation, Review
from cdrp.search.query import search
from cdrp.sharing.models import Agreement
from community_fixtures import area_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def kinds(user, partnership, q: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for hit in search(user, partnership, q).hits:
        found.setdefault(hit.kind, []).append(str(hit.title))
    return found


def survey(partnership, title, status):
    return Survey.objects.create(
        partnership=partnership,
        title=title,
        description="What worries you about your streets",
        status=status,
        closes_on=DAY,
        retain_until=DAY + dt.timedelta(days=365),
    )


def test_surveys_are_found_once_public_and_drop_out_when_taken_back(
    partnership, other_partnership, member
):
    with acting_as(None, "test"):
        open_one = survey(partnership, "Feeling safe in the zzparkland", Survey.Status.OPEN)
        survey(partnership, "Draft about zzparkland lighting", Survey.Status.DRAFT)
        survey(partnership, "Closed zzparkland results unpublished", Survey.Status.CLOSED)
        survey(partnership, "Published zzparkland results", Survey.Status.PUBLISHED)
        survey(other_partnership, "Another area's zzparkland", Survey.Status.OPEN)
    titles = sorted(kinds(member, partnership, "zzparkland")["survey"])
    assert [
        t.replace('<mark class="cdrp-search-mark">', "").replace("</mark>", "") for t in titles
    ] == [
        "Feeling safe in the zzparkland",
        "Published zzparkland results",
    ]
    hit = next(h for h in search(member, partnership, "zzparkland").hits if "Feeling" in h.title)
    assert hit.url == f"/community/{partnership.slug}/surveys/{open_one.pk}/"
    with acting_as(None, "test"):
        open_one.status = Survey.Status.DRAFT
        open_one.save()
    assert len(kinds(member, partnership, "zzparkland")["survey"]) == 1


def test_pact_priorities_of_public_meetings_only(area_world, member):
    partnership = area_world["tasking"].partnership
    ward = next(iter(area_world["wards"].values()))
    with acting_as(None, "test"):
        public = Meeting.objects.create(group=area_world["tasking"], date=DAY, public=True)
        private = Meeting.objects.create(
            group=area_world["tasking"], date=DAY + dt.timedelta(days=1), public=False
        )
        for meeting, title in (
            (public, "Zzspeeding on Station Road"),
            (private, "Zzspeeding private"),
        ):
            pact = PactMeeting.objects.create(
                partnership=partnership, meeting=meeting, ward=ward, period="spring"
            )
            PactPriority.objects.create(pact=pact, title=title, votes=5, chosen=True)
    found = kinds(member, partnership, "zzspeeding")
    assert len(found["pact-priority"]) == 1
    assert "Station" in found["pact-priority"][0]


def test_scrutiny_reviews_recommendations_calls_and_sessions(partnership, member, make_user):
    with acting_as(None, "test"):
        review = Review.objects.create(
            partnership=partnership,
            title="Review of zzgraffiti work",
            committee="Overview and Scrutiny Committee",
            started_on=DAY,
            summary="The committee heard from the council.",
        )
        person = Person.objects.create(slug="cllr-zz", name="Councillor Zed")
        Recommendation.objects.create(
            review=review,
            owner=person,
            text="Clean zzgraffiti within a week",
            due=DAY,
            decision="accepted",
            response="We will report zzgraffiti removal monthly",
            responded_on=DAY,
        )
        councillor = Councillor.objects.create(
            partnership=partnership, person=person, ward="Riverside ward"
        )
        CommunityCall.objects.create(
            partnership=partnership,
            number=1,
            councillor=councillor,
            title="Zzgraffiti on the underpass",
            matter="Persistent tagging",
            on_behalf_of="Residents of Riverside",
            submitted_on=DAY,
        )
        for status, title in (
            ("planned", "Zzgraffiti questions night"),
            ("cancelled", "Zzgraffiti cancelled"),
        ):
            PublicSession.objects.create(
                partnership=partnership, title=title, date=DAY, venue="Town hall", status=status,
                starts=dt.time(18, 30),
                questions_close=DAY,
            )  # fmt: skip
    found = kinds(member, partnership, "zzgraffiti")
    assert set(found) == {"scrutiny-review", "scrutiny-recommendation", "ccfa", "face-the-people"}
    assert len(found["face-the-people"]) == 1 and "night" in found["face-the-people"][0]
    # The response is searched too.
    assert "scrutiny-recommendation" in kinds(member, partnership, "removal monthly")


def test_agreements_by_their_public_fields_never_drafts_or_datasets(partnership, member):
    with acting_as(None, "test"):
        police = Organisation.objects.create(slug="police", name="Constabulary", kind="police")
        for status, title in (
            ("active", "Zzprotocol for offenders"),
            ("draft", "Zzprotocol draft"),
        ):
            a = Agreement.objects.create(
                partnership=partnership, title=title, purpose="Reducing re-offending",
                datasets=["ppo_offences"], personal="personal", retention="Six zzyears kept",
                starts=DAY, review_date=DAY, status=status,
            )  # fmt: skip
            a.parties.set([police])
    found = kinds(member, partnership, "zzprotocol")
    assert len(found["sharing-agreement"]) == 1 and "offenders" in found["sharing-agreement"][0]
    # The retention (shown to members only on the register) is not in the index.
    assert kinds(member, partnership, "zzyears") == {}


def test_another_partnerships_member_finds_none_of_them(
    client, partnership, other_partnership, make_user, member
):
    outsider = make_user("outsider-search", "member", other_partnership)
    with acting_as(None, "test"):
        survey(partnership, "Zzlantern survey", Survey.Status.OPEN)
        Review.objects.create(
            partnership=partnership, title="Zzlantern review", committee="C", started_on=DAY
        )
    assert set(kinds(member, partnership, "zzlantern")) == {"survey", "scrutiny-review"}
    assert kinds(outsider, other_partnership, "zzlantern") == {}
    client.force_login(outsider)
    page = client.get(f"/partnerships/{partnership.slug}/search/", {"q": "zzlantern"})
    assert page.status_code in (403, 404)
    assert b"Zzlantern" not in page.content
