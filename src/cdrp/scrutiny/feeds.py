"""The Community Call for Action log as an Atom feed (django.contrib.syndication): one entry per
call, updated whenever a step is taken, its summary the call's status and dated steps."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from cdrp.accounts.policy import partnership_by_slug, public
from cdrp.scrutiny.models import CommunityCall


class CallLogFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, partnership):
        p = partnership_by_slug(partnership)
        if p is None:
            raise Http404("No such partnership")
        return p

    def title(self, obj):
        return f"Community Call for Action log – {obj.name}"

    def subtitle(self, obj):
        return "Every call raised by a ward councillor, its status and each step, dated."

    def link(self, obj):
        return reverse("scrutiny:calls", args=[obj.slug])

    def feed_url(self, obj):
        return reverse("scrutiny:calls-feed", args=[obj.slug])

    def items(self, obj):
        return (
            CommunityCall.objects.filter(partnership=obj)
            .select_related("councillor__person", "partnership")
            .order_by("-updated_at")[:100]
        )

    def item_title(self, item: CommunityCall):
        return f"{item.reference}: {item.title} – {item.get_status_display()}"

    def item_description(self, item: CommunityCall):
        lines = [f"{s['on']:%-d %B %Y}: {s['what']}" for s in item.steps()]
        if item.response_due and not item.responded_on:
            lines.append(f"Response due by {item.response_due:%-d %B %Y}")
        return "\n".join(lines)

    def item_link(self, item: CommunityCall):
        return reverse("scrutiny:call", args=[item.partnership.slug, item.pk])

    def item_guid(self, item: CommunityCall):
        return f"tag:cdrp,{item.submitted_on:%Y-%m-%d}:ccfa/{item.partnership_id}/{item.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: CommunityCall):
        return timezone.make_aware(dt.datetime.combine(item.submitted_on, dt.time(9)))

    def item_updateddate(self, item: CommunityCall):
        return item.updated_at

    def item_author_name(self, item: CommunityCall):
        return str(item.councillor)


call_log_feed = public(CallLogFeed())
