"""What the meetings app adds to the registry's pages (registered in `MeetingsConfig.ready`)."""

from __future__ import annotations

from cdrp.accounts.audit import record_view
from cdrp.accounts.policy import may_see_restricted
from cdrp.meetings.models import Decision
from cdrp.partnerships.models import Group

__all__ = ["group_decisions"]


def group_decisions(request, group: Group) -> dict:
    """The registry's group page shows the group's latest decisions (registered in the app's
    `ready`). A restricted group's decisions are for its members only (each read audited),
    never public."""
    withheld = group.restricted and not may_see_restricted(request.user, group)
    decisions = (
        []
        if withheld
        else list(
            Decision.objects.filter(meeting__group=group)
            .select_related("meeting")
            .prefetch_related("votes__cast_by")
            .order_by("-meeting__date", "-pk")[:20]
        )
    )
    if group.restricted:
        for d in decisions:
            record_view(d)
    return {"decisions": decisions, "decisions_withheld": withheld}
