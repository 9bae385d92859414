"""cdrp unlock: let a locked-out user name or address sign in again before the cool-off ends."""

from __future__ import annotations

import ipaddress

from django.core.management.base import BaseCommand, CommandError


def _attempts(count: int) -> str:
    return f"{count} failed sign-in attempt{'s' if count != 1 else ''}"


class Command(BaseCommand):
    help = (
        "Let a user name (from any address) or an address (for any user name) sign in again at "
        "once: clears django-axes' failed attempts, and for a user name any wait after wrong "
        "two-factor codes"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="the user name to unlock")
        parser.add_argument("--ip", metavar="ADDR", help="the IP address to unlock")

    def handle(self, *args, username, ip, **options):
        from axes.handlers.proxy import AxesProxyHandler
        from axes.models import AccessAttempt
        from django.contrib.auth import get_user_model
        from django.db.models import Sum

        from cdrp.accounts import two_factor

        if not username and not ip:
            raise CommandError("Name a user name, or an address with --ip ADDR")
        if ip:
            try:
                ip = str(ipaddress.ip_address(ip))
            except ValueError:
                raise CommandError(f"--ip: {ip!r} is not an IP address") from None
        targets = [("for the user name", "username", username), ("from", "ip_address", ip)]
        for label, field, value in targets:
            if not value:
                continue
            attempts = AccessAttempt.objects.filter(**{field: value})
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            AxesProxyHandler.reset_attempts(**{field: value})
            if count:
                self.stdout.write(f"Cleared {_attempts(count)} {label} {value}.")
            else:
                self.stdout.write(f"No failed sign-in attempts {label} {value}.")
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is not None and two_factor.clear_throttling(user):
                self.stdout.write(f"Ended the wait after wrong two-factor codes for {username}.")
