"""Notifications: `notify(...)` records one for each person who should know (shown in the
service under the bell in the header) and e-mails it at once to those who asked for that;
`send_digests(now)` e-mails everyone else's unsent notifications as one daily or weekly digest.

Producers (meetings, intelligence, the workday checks) call `notify`; it sits in the accounts app
so every app above may. An e-mail leaves the service, so titles must never carry what a
restricted record says: producers give a title fit to be read anywhere, and a link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from cdrp.accounts.models import Notification, NotificationPreference

__all__ = [
    "Kind",
    "Delivery",
    "notify",
    "delivery_of",
    "unread_count",
    "mark_read",
    "send_digests",
    "digest_task",
    "register_check",
    "run_checks",
]

Kind = Notification.Kind
Delivery = NotificationPreference.Delivery
LONDON = ZoneInfo("Europe/London")
SEND_AT = dt.time(7, 0)


def delivery_of(user) -> str:
    """The user's choice (the daily digest when they have not chosen)."""
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.delivery if pref is not None else Delivery.DAILY


def _absolute(url: str) -> str:
    base = getattr(settings, "CDRP_SITE_URL", "") or "http://localhost:8000/"
    return urljoin(base, url) if url else base


def notify(
    users: Iterable, kind: str, title: str, url: str = "", partnership=None, key: str = ""
) -> list[Notification]:
    """Record a notification of `kind` for each of `users` (None and repeats skipped); with a
    `key`, a user who already has that key's notification gets no second one. Those who chose
    immediate e-mail are sent it once the transaction commits. Returns the new notifications."""
    made = []
    seen = set()
    for user in users:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                made.append(
                    Notification.objects.create(
                        user=user,
                        kind=kind,
                        title=title[:300],
                        url=url[:500],
                        partnership=partnership,
                        key=key[:120],
                    )
                )
        except IntegrityError:  # the same key written at the same moment: one is enough
            continue
    immediate = [n for n in made if n.user.email and delivery_of(n.user) == Delivery.IMMEDIATE]
    if immediate:
        transaction.on_commit(lambda: _send_each([n.pk for n in immediate]))
    return made


def _send_each(ids: list[int]) -> None:
    for n in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "user"
    ):
        send_mail(
            subject=n.title,
            message=f"{n.get_kind_display()}: {n.title}\n\n{_absolute(n.url)}\n\n{_footer()}",
            from_email=None,
            recipient_list=[n.user.email],
        )
        n.emailed_at = timezone.now()
        n.save(update_fields=["emailed_at"])


def _footer() -> str:
    return (
        "You can choose how these reach you (each one, a daily or weekly digest, or none) on "
        f"your notification settings page: {_absolute('/notifications/settings')}"
    )


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications `ids` (all of them when None) read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def _due(pref_delivery: str, last: dt.datetime | None, now: dt.datetime) -> bool:
    """Is a digest due now? Daily: not sent in the last 20 hours. Weekly: on a Monday (London
    time), not sent in the last 6 days."""
    if pref_delivery == Delivery.DAILY:
        return last is None or now - last >= dt.timedelta(hours=20)
    if pref_delivery == Delivery.WEEKLY:
        monday = now.astimezone(LONDON).weekday() == 0
        return monday and (last is None or now - last >= dt.timedelta(days=6))
    return False


def send_digests(now: dt.datetime | None = None) -> dict[str, int]:
    """One e-mail per person whose digest is due and who has notifications not yet e-mailed,
    listing them all; returns {address: notifications listed}."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for n in pending:
        by_user.setdefault(n.user_id, []).append(n)
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(by_user))}
    sent = {}
    for user_id, items in by_user.items():
        pref = prefs.get(user_id)
        delivery = pref.delivery if pref else Delivery.DAILY
        if delivery in (Delivery.NONE, Delivery.IMMEDIATE):
            continue  # immediate ones went as they happened; none: never
        if not _due(delivery, pref.last_digest_at if pref else None, now):
            continue
        user = items[0].user
        what = "daily" if delivery == Delivery.DAILY else "weekly"
        lines = [f"- {n.title} ({n.get_kind_display()})\n  {_absolute(n.url)}" for n in items]
        send_mail(
            subject=f"Your {what} summary: {len(items)} notification"
            + ("s" if len(items) != 1 else ""),
            message=f"Dear {user.get_full_name() or user.get_username()},\n\n"
            + "\n".join(lines)
            + f"\n\n{_footer()}\n",
            from_email=None,
            recipient_list=[user.email],
        )
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        NotificationPreference.objects.update_or_create(
            user_id=user_id, defaults={"last_digest_at": now, "delivery": delivery}
        )
        sent[user.email] = len(items)
    return sent


def _next_morning(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(LONDON)
    target = dt.datetime.combine(local.date() + dt.timedelta(days=1), SEND_AT, tzinfo=LONDON)
    return target.astimezone(dt.UTC)


# Checks run before each morning's digests (overdue actions, stale assessments): registered by
# the apps that know those records (the workday app), since this one imports none of them.
_checks: dict[str, Callable[[dt.date], object]] = {}


def register_check(name: str, check: Callable[[dt.date], object]) -> None:
    """Run `check(today)` before each morning's digests (it calls `notify` as it finds things,
    with keys, so running it twice tells nobody twice). `name` lets a producer run one check
    on its own (`run_checks(only=...)`: the data check after an import)."""
    _checks[name] = check


def run_checks(today: dt.date | None = None, only: str | None = None) -> None:
    today = today or timezone.localdate()
    for name, check in list(_checks.items()):
        if only is None or name == only:
            check(today)


@task()
def digest_task(reschedule: bool = True) -> int:
    """Run the morning checks, send the digests that are due, then queue itself for the next
    morning at 07:00."""
    run_checks()
    sent = send_digests()
    if reschedule:
        digest_task.using(run_after=_next_morning(timezone.now())).enqueue()
    return sum(sent.values())
