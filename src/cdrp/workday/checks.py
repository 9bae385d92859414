"""The morning checks that notify people (run before the digests by
`cdrp.accounts.notifications.digest_task`; the data check also after each police.uk import):
actions gone overdue, strategic assessments due or overdue, a new month of police.uk data.
Each notification has a key, so a check run twice tells nobody twice."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from cdrp.accounts.models import PartnershipRole
from cdrp.accounts.notifications import Kind, notify
from cdrp.accounts.policy import Role
from cdrp.analysis.months import label
from cdrp.meetings.models import Action
from cdrp.partnerships.models import Partnership
from cdrp.workday.dashboard import deadlines, freshness

__all__ = ["overdue_actions", "stale_assessments", "new_months"]


def overdue_actions(today: dt.date) -> int:
    """Each owner (with an account) of an open action past its due date hears of it once."""
    told = 0
    for action in Action.objects.filter(
        status=Action.Status.OPEN, due__lt=today, owner__account__isnull=False
    ).select_related("owner__account", "group", "partnership"):
        what = (
            f"an action of the {action.group.name}"
            if action.group.restricted
            else f"“{action.description[:120]}”"
        )
        told += len(
            notify(
                [action.owner.account],
                Kind.ACTION_OVERDUE,
                f"Overdue since {action.due:%-d %B %Y}: {what}",
                reverse("core:home") + "#my-actions",
                partnership=action.partnership,
                key=f"action-overdue:{action.pk}",
            )
        )
    return told


def _staff(p: Partnership, roles) -> list:
    return [
        r.user
        for r in PartnershipRole.objects.filter(partnership=p, role__in=roles).select_related(
            "user"
        )
    ]


def stale_assessments(today: dt.date) -> int:
    """A partnership's coordinators, analysts and chairs hear when its annual strategic
    assessment or its six-month refresh is due within DUE_SOON_DAYS days or overdue (once per
    deadline)."""
    told = 0
    for p in Partnership.objects.exclude(status=Partnership.Status.HISTORICAL):
        for d in deadlines(p, today):
            if "assessment" not in d.what or d.due is None or d.state not in ("soon", "overdue"):
                continue
            when = (
                f"was due on {d.due:%-d %B %Y}"
                if d.state == "overdue"
                else f"is due by {d.due:%-d %B %Y}"
            )
            told += len(
                notify(
                    _staff(p, [Role.COORDINATOR, Role.ANALYST, Role.CHAIR]),
                    Kind.STALE_ASSESSMENT,
                    f"{p.name}: the {d.what.lower()} {when}",
                    reverse("intelligence:assessment-list", kwargs={"partnership": p.slug}),
                    partnership=p,
                    key=f"stale:{p.pk}:{d.what}:{d.due:%Y-%m-%d}",
                )
            )
    return told


def new_months(today: dt.date) -> int:
    """A partnership's staff hear when a new latest month of police.uk data for its force is
    loaded (once per force and month)."""
    told = 0
    for p in Partnership.objects.exclude(status=Partnership.Status.HISTORICAL):
        staff = _staff(p, list(Role))
        if not staff:
            continue
        for f in freshness([p], today):
            if f.latest is None:
                continue
            told += len(
                notify(
                    staff,
                    Kind.DATA_MONTH,
                    f"police.uk data for {label(f.latest)} is loaded ({f.force})",
                    reverse("intelligence:coverage"),
                    partnership=p,
                    key=f"data:{f.force}:{f.latest}",
                )
            )
    return told
