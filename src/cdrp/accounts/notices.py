"""Emails that tell a person their sign-in details changed (ASVS 2.2.3), so a change they did not
make does not go unnoticed. Sent only when the account has an address; a failure to send is logged,
never shown (the change itself has happened)."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cdrp.accounts.throttle import client_ip
from cdrp.core.context_processors import SERVICE_NAME

__all__ = ["security_notice"]

log = logging.getLogger(__name__)


def security_notice(request, user, change: str) -> bool:
    """Email `user` that `change` (e.g. "Your password was changed") happened just now."""
    if not user.email:
        return False
    body = render_to_string(
        "accounts/security_notice_email.txt",
        {
            "user": user,
            "change": change,
            "at": timezone.localtime(),
            "address": client_ip(request) or "an unknown address",
            "service_name": SERVICE_NAME,
            "reset_url": request.build_absolute_uri(reverse("accounts:password-reset")),
        },
    )
    try:
        send_mail(f"{change} – {SERVICE_NAME}", body, None, [user.email])
    except Exception:  # the mail server's problem must not undo or hide the change
        log.exception("Could not send a security notice to user %s", user.pk)
        return False
    return True
