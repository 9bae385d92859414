"""E-mail subscriptions per area: double opt-in by a signed link, and a one-click unsubscribe
(RFC 8058 ``List-Unsubscribe-Post``) on every message. Links are signed tokens
(`django.core.signing`), so nothing secret is stored; a confirmation link lasts seven days and
an unconfirmed subscription is deleted by the daily retention task after that."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from cdrp.community.models import Subscription

__all__ = [
    "CONFIRM_DAYS",
    "confirm",
    "notify",
    "subscribe",
    "unsubscribe",
    "unsubscribe_url",
]

CONFIRM_DAYS = 7
_SALT = "cdrp.community.subscription"


def _token(subscription: Subscription, purpose: str) -> str:
    return signing.dumps({"s": subscription.pk, "e": subscription.email, "p": purpose}, salt=_SALT)


def _read(token: str, purpose: str, max_age: int | None = None) -> Subscription | None:
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if data.get("p") != purpose:
        return None
    return Subscription.objects.filter(pk=data.get("s"), email=data.get("e")).first()


def _area_name(subscription: Subscription) -> str:
    ward = subscription.ward
    return ward.name if ward is not None else subscription.partnership.name


def unsubscribe_url(subscription: Subscription, base: str) -> str:
    return base + reverse("community:unsubscribe", args=[_token(subscription, "unsubscribe")])


def subscribe(partnership, ward, email: str, base: str) -> Subscription:
    """Record the request and send the confirmation e-mail (again, if asked again). The answer
    is the same whether or not the address was subscribed already."""
    subscription, _ = Subscription.objects.get_or_create(
        partnership=partnership, ward=ward, email=email.strip().lower()
    )
    if subscription.confirmed_at is None:
        link = base + reverse("community:confirm", args=[_token(subscription, "confirm")])
        EmailMessage(
            subject=f"Confirm your alerts for {_area_name(subscription)}",
            body=(
                f"Someone, probably you, asked for e-mail alerts about {_area_name(subscription)}"
                f" from {partnership.name}.\n\nTo start them, open this link within "
                f"{CONFIRM_DAYS} days:\n{link}\n\nIf it was not you, ignore this message: "
                "nothing will be sent and the address will be forgotten.\n"
            ),
            to=[subscription.email],
        ).send()
    return subscription


def confirm(token: str) -> Subscription | None:
    subscription = _read(token, "confirm", max_age=CONFIRM_DAYS * 86400)
    if subscription is not None and subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save()
    return subscription


def unsubscribe(token: str) -> bool:
    subscription = _read(token, "unsubscribe")
    if subscription is None:
        return False
    subscription.delete()
    return True


def notify(partnership, ward, subject: str, body: str, base: str) -> int:
    """E-mail the confirmed subscribers to news of `ward` (those of the whole partnership and
    of that ward), or of the whole partnership when `ward` is None (every subscriber of it),
    each with their own one-click unsubscribe link; returns how many were sent."""
    from django.db.models import Q

    wanted = Q(ward__isnull=True) | Q(ward=ward) if ward is not None else Q()
    sent = 0
    for subscription in Subscription.objects.filter(
        wanted, partnership=partnership, confirmed_at__isnull=False
    ):
        url = unsubscribe_url(subscription, base)
        EmailMessage(
            subject=subject,
            body=f"{body}\n\nTo stop these alerts: {url}\n",
            to=[subscription.email],
            headers={
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        ).send()
        sent += 1
    return sent


def forget_unconfirmed(now: dt.datetime) -> int:
    stale = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - dt.timedelta(days=CONFIRM_DAYS)
    )
    count = stale.count()
    stale.delete()
    return count
