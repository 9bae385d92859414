"""Atom feeds of a partnership's public records: plans, minutes, decisions and consultations.

Only what the public pages show: approved plans, approved minutes and the decisions of public
meetings of groups that are not restricted, and surveys that are open or have published results.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from cdrp.accounts.policy import partnership_by_slug, public
from cdrp.community.models import Survey
from cdrp.meetings.models import Decision, Meeting

__all__ = ["FEEDS"]


def _when(day: dt.date | None) -> dt.datetime:
    day = day or dt.date(2000, 1, 1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


class _PartnershipFeed(Feed):
    feed_type = Atom1Feed
    what = ""

    def get_object(self, request, partnership):
        found = partnership_by_slug(partnership)
        if found is None:
            raise Http404("No such partnership")
        return found

    def title(self, obj):
        return f"{obj.name}: {self.what}"

    def link(self, obj):
        return reverse("community:surveys", args=[obj.slug])

    def subtitle(self, obj):
        return f"{self.what.capitalize()} published by {obj.name}"

    def item_updateddate(self, item):
        return self.item_pubdate(item)

    def item_author_name(self, item):
        return self._author

    def __call__(self, request, *args, **kwargs):
        self._author = "cdrp"
        return super().__call__(request, *args, **kwargs)


class PlansFeed(_PartnershipFeed):
    what = "partnership plans"

    def items(self, obj):
        try:
            plan_model = apps.get_model("plans", "Plan")
        except LookupError:
            return []
        return plan_model.objects.filter(partnership=obj, status="approved").order_by("-revision")[
            :20
        ]

    def item_title(self, item):
        return f"{item.title} (revision {item.revision})"

    def item_description(self, item):
        return item.summary or item.title

    def item_link(self, item):
        return reverse("plans:published-plan", args=[item.partnership.slug, item.revision])

    def item_pubdate(self, item):
        return _when(item.approved_on)


def _public_meetings(obj):
    return Meeting.objects.filter(group__partnership=obj, public=True, group__restricted=False)


class MinutesFeed(_PartnershipFeed):
    what = "minutes of public meetings"

    def items(self, obj):
        return (
            _public_meetings(obj)
            .filter(minutes_record__approved=True)
            .select_related("group")
            .order_by("-date")[:30]
        )

    def item_title(self, item):
        return f"Minutes: {item.group.name}, {item.date:%-d %B %Y}"

    def item_description(self, item):
        return f"The approved minutes of the {item.group.name} meeting of {item.date:%-d %B %Y}."

    def item_link(self, item):
        return reverse("meetings:public-minutes", args=[item.group.partnership.slug, item.pk])

    def item_pubdate(self, item):
        return _when(item.date)


class DecisionsFeed(_PartnershipFeed):
    what = "decisions"

    def items(self, obj):
        return (
            Decision.objects.filter(meeting__in=_public_meetings(obj))
            .select_related("meeting__group__partnership")
            .order_by("-meeting__date", "-pk")[:50]
        )

    def item_title(self, item):
        return f"{item.get_result_display()}: {item.motion[:120]}"

    def item_description(self, item):
        return (
            f"{item.meeting.group.name}, {item.meeting.date:%-d %B %Y}: {item.motion} "
            f"({item.votes_for} for, {item.votes_against} against, {item.abstentions} "
            "abstaining)"
        )

    def item_link(self, item):
        slug = item.meeting.group.partnership.slug
        return reverse("meetings:public", args=[slug]) + f"#decision-{item.pk}"

    def item_pubdate(self, item):
        return _when(item.meeting.date)


class ConsultationsFeed(_PartnershipFeed):
    what = "consultations and surveys"

    def items(self, obj):
        return Survey.objects.filter(
            partnership=obj, status__in=[Survey.Status.OPEN, Survey.Status.PUBLISHED]
        ).order_by("-closes_on")[:30]

    def item_title(self, item):
        if item.status == Survey.Status.PUBLISHED:
            return f"Results: {item.title}"
        return f"Have your say: {item.title} (closes {item.closes_on:%-d %B %Y})"

    def item_description(self, item):
        return item.description or item.title

    def item_link(self, item):
        name = (
            "community:survey-results"
            if item.status == Survey.Status.PUBLISHED
            else ("community:survey-answer")
        )
        return reverse(name, args=[item.partnership.slug, item.pk])

    def item_guid(self, item):
        return f"{self.item_link(item)}#{item.status}"

    def item_pubdate(self, item):
        return _when(item.published_on or item.opened_on or item.closes_on)


FEEDS = {
    "plans": public(PlansFeed()),
    "minutes": public(MinutesFeed()),
    "decisions": public(DecisionsFeed()),
    "consultations": public(ConsultationsFeed()),
}
