"""Two-factor sign-in with time-based codes (TOTP, RFC 6238) through django-otp.

A person has at most one authenticator app (a confirmed TOTPDevice) and, alongside it, a set of
single-use backup codes (a StaticDevice). Site administrators must use it; everyone may. Wrong codes
are throttled by django-otp: after n failures the next try waits 2^(n-1) seconds.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

__all__ = [
    "APP_NAME",
    "BACKUP_NAME",
    "BACKUP_CODE_COUNT",
    "CheckResult",
    "required_for",
    "has_authenticator",
    "pending_authenticator",
    "confirm",
    "check_code",
    "new_backup_codes",
    "backup_codes_left",
    "turn_off",
    "clear_throttling",
    "secret_for_display",
    "qr_svg",
]

APP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10


def required_for(user) -> bool:
    """Site administrators (anyone who can open /admin/) must sign in with a second factor."""
    return bool(user.is_superuser or user.is_staff)


def has_authenticator(user) -> bool:
    # Backup codes exist only alongside an app (turning the app off removes them), so one query
    # on the app answers "does this person sign in with a code?".
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user) -> TOTPDevice:
    """The app being set up: the same secret until it is confirmed, so a reload changes nothing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


@dataclass(frozen=True)
class CheckResult:
    device: object | None  # the device that accepted the code
    wait_until: datetime | None = None  # set when every device is waiting after wrong codes

    @property
    def wait_seconds(self) -> int:
        if self.wait_until is None:
            return 0
        return max(1, int((self.wait_until - timezone.now()).total_seconds() + 0.999))


def _normalise(code: str) -> str:
    return "".join(code.split()).lower()


def _check(devices, code: str) -> CheckResult:
    """Try `code` on each device; a waiting device is not tried (django-otp's throttle)."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            waits.append((info or {}).get("locked_until"))
            continue
        if device.verify_token(code):
            return CheckResult(device)
    if devices and len(waits) == len(devices):
        return CheckResult(None, min(w for w in waits if w) if any(waits) else None)
    return CheckResult(None)


def check_code(user, code: str) -> CheckResult:
    """Check a code from the app (6 digits) or a backup code against the user's devices.

    Rows are locked while checking so two requests cannot both use one code."""
    code = _normalise(code)
    model = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        devices = list(
            model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        )
        return _check(devices, code)


def confirm(device: TOTPDevice, code: str) -> CheckResult:
    """Confirm the app being set up with a code it shows; its backup codes are made afresh."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        result = _check([device], _normalise(code))
        if result.device is not None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return result


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with BACKUP_CODE_COUNT new ones; returned once, to show."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def turn_off(user) -> None:
    """Remove the user's app and backup codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def clear_throttling(user) -> int:
    """End any wait after wrong codes (for `cdrp unlock`); returns how many devices were waiting."""
    waiting = 0
    for model in (TOTPDevice, StaticDevice):
        waiting += model.objects.filter(user=user, throttling_failure_count__gt=0).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    return waiting


def secret_for_display(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The app's setup address as a QR code, drawn here as inline SVG (nothing is fetched)."""
    import segno

    qr = segno.make(device.config_url, error="m")
    title = "QR code for your authenticator app"
    svg = qr.svg_inline(scale=5, border=4, dark="#0b0c0c", light="#ffffff", title=title)
    return svg.replace("<svg ", '<svg role="img" ', 1)
