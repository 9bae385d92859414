"""Two-factor sign-in with TOTP (ASVS 2.7/2.8): offered to everyone on the account page, required of
site administrators; the code is asked for after the password; wrong codes are throttled."""

from __future__ import annotations

import io
import re
from base64 import b32decode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, verify_two_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
SIGN_IN = "/accounts/sign-in/"
VERIFY = "/accounts/two-factor/verify/"
SET_UP = "/accounts/two-factor/set-up/"
TURN_OFF = "/accounts/two-factor/turn-off/"
BACKUP = "/accounts/two-factor/backup-codes/"


def _code(device, offset=0) -> str:
    return f"{totp(device.bin_key, drift=offset):06d}"


def _authenticator(user, **kwargs) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True, **kwargs)


def _sign_in(client, username, password=PASSWORD, next_=""):
    return client.post(
        SIGN_IN + (f"?next={next_}" if next_ else ""),
        {"username": username, "password": password, "next": next_},
    )


def _verified(client) -> bool:
    return "otp_device_id" in client.session


# Enrolment on the account page


def test_the_account_page_offers_two_factor_to_everyone(client, member):
    client.force_login(member)
    page = client.get("/accounts/").content.decode()
    assert "Two-factor authentication" in page and "Off" in page
    assert f'href="{SET_UP}"' in page


def test_setting_up_shows_the_secret_and_a_qr_code_drawn_here(client, member):
    client.force_login(member)
    page = client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=member)
    assert not device.confirmed
    secret = re.search(r'<code id="secret"[^>]*>([A-Z2-7 ]+)</code>', page).group(1)
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert "<path" in svg and 'role="img"' in svg
    assert "https://" not in svg and "<script" not in svg.lower()
    # Reloading the page shows the same secret: the app the person is setting up still works.
    assert secret in client.get(SET_UP).content.decode()
    assert TOTPDevice.objects.filter(user=member).count() == 1


def test_a_wrong_code_does_not_turn_two_factor_on(client, member):
    client.force_login(member)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=member)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SET_UP, {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "The code is not right" in page
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1


def test_the_right_code_turns_two_factor_on_and_shows_backup_codes_once(client, member):
    client.force_login(member)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=member)
    response = client.post(SET_UP, {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == BACKUP
    device.refresh_from_db()
    assert device.confirmed and _verified(client)
    page = client.get(BACKUP).content.decode()
    codes = re.findall(r'<li class="cdrp-backup-code">([a-z2-7]{8})</li>', page)
    stored = set(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert len(codes) == 10 and set(codes) == stored
    assert "Two-factor authentication is on" in page
    again = client.get(BACKUP).content.decode()
    assert not any(code in again for code in codes) and "10 backup codes left" in again


def test_someone_with_an_authenticator_cannot_set_up_a_second_one(client, member):
    _authenticator(member)
    client.force_login(member)
    verify_two_factor(client, member)
    response = client.get(SET_UP)
    assert response.status_code == 302 and response["Location"] == "/accounts/"


# Signing in: the password, then the code


def test_with_an_authenticator_the_code_is_asked_for_after_the_password(client, member):
    device = _authenticator(member)
    response = _sign_in(client, "member", next_="/partnerships/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/partnerships/"
    assert not _verified(client)
    # Until the code is given, no other page opens.
    for path in ["/", "/partnerships/", "/accounts/", "/accounts/tokens/", "/api/me", SET_UP]:
        blocked = client.get(path)
        assert blocked.status_code in {302, 403}, path
        if blocked.status_code == 302:
            assert blocked["Location"].startswith(VERIFY), path
    page = client.get(f"{VERIFY}?next=/partnerships/").content.decode()
    assert "Enter the code from your authenticator app" in page
    response = client.post(f"{VERIFY}?next=/partnerships/", {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/partnerships/"
    assert _verified(client)
    assert client.get("/accounts/").status_code == 200


def test_verifying_the_code_gives_a_new_session_key(client, member):
    device = _authenticator(member)
    _sign_in(client, "member")
    before = client.session.session_key
    client.post(VERIFY, {"code": _code(device)})
    assert client.session.session_key != before and _verified(client)


def test_without_an_authenticator_a_member_signs_in_with_the_password_alone(client, member):
    response = _sign_in(client, "member")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/accounts/").status_code == 200


def test_a_code_is_accepted_once_only(client, member):
    device = _authenticator(member)
    _sign_in(client, "member")
    code = _code(device)
    client.post(VERIFY, {"code": code})
    other = Client()
    _sign_in(other, "member")
    page = other.post(VERIFY, {"code": code}).content.decode()
    assert "The code is not right" in page and not _verified(other)


def test_the_verify_page_goes_only_to_addresses_on_this_site(client, member):
    device = _authenticator(member)
    _sign_in(client, "member")
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_codes_are_throttled_with_a_growing_wait(client, member):
    device = _authenticator(member)
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as clock:
        _sign_in(client, "member")
        for _ in range(5):
            client.post(VERIFY, {"code": "000000"})
            clock.shift(timedelta(seconds=20))
        device.refresh_from_db()
        failures = device.throttling_failure_count
        assert failures == 5  # each came after the previous wait had passed
        clock.shift(timedelta(seconds=-20 + 1))  # 1 s after the fifth failure: 16 s to wait
        page = client.post(VERIFY, {"code": _code(device)}).content.decode()
        assert "Too many wrong codes" in page and "wait 15 seconds" in page
        assert not _verified(client)
        clock.shift(timedelta(seconds=16))
        response = client.post(VERIFY, {"code": _code(device)})
        assert response.status_code == 302 and _verified(client)


def test_unlock_also_lifts_the_two_factor_wait(client, member):
    device = _authenticator(member, throttling_failure_count=12)
    device.throttling_failure_timestamp = datetime.now(UTC)
    device.save()
    _sign_in(client, "member")
    assert "Too many wrong codes" in client.post(VERIFY, {"code": _code(device)}).content.decode()
    out = io.StringIO()
    call_command("unlock", "member", stdout=out)
    assert "two-factor" in out.getvalue()
    assert client.post(VERIFY, {"code": _code(device)}).status_code == 302


def test_a_backup_code_works_once_instead_of_the_app(client, member):
    _authenticator(member)
    backup = StaticDevice.objects.create(user=member, name="Backup codes", confirmed=True)
    backup.token_set.create(token="abcd2345")
    _sign_in(client, "member")
    assert client.post(VERIFY, {"code": "abcd 2345"}).status_code == 302
    assert not backup.token_set.exists()
    other = Client()
    _sign_in(other, "member")
    assert "The code is not right" in other.post(VERIFY, {"code": "abcd2345"}).content.decode()


def test_new_backup_codes_replace_the_old_ones(client, member):
    _authenticator(member)
    client.force_login(member)
    verify_two_factor(client, member)
    backup = StaticDevice.objects.create(user=member, name="Backup codes", confirmed=True)
    backup.token_set.create(token="abcd2345")
    response = client.post(BACKUP)
    assert response.status_code == 302
    tokens = set(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert len(tokens) == 10 and "abcd2345" not in tokens


# Turning it off


def test_turning_two_factor_off_needs_a_current_code(client, member):
    device = _authenticator(member)
    StaticDevice.objects.create(user=member, name="Backup codes", confirmed=True)
    client.force_login(member)
    verify_two_factor(client, member)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        page = client.post(TURN_OFF, {"code": "000000"}).content.decode()
        assert "The code is not right" in page
        assert TOTPDevice.objects.filter(pk=device.pk).exists()
        clock.shift(timedelta(seconds=2))  # a wrong code makes the next wait a second
        response = client.post(TURN_OFF, {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    assert "Two-factor authentication is off" in client.get("/accounts/").content.decode()


# Site administrators must use it


def test_a_site_administrator_without_an_authenticator_must_set_one_up(superuser):
    client = Client()  # Django's own: no automatic second factor
    response = _sign_in(client, "root", next_="/partnerships/")
    assert response["Location"] == f"{SET_UP}?next=/partnerships/"
    for path in ["/", "/partnerships/", "/admin/", "/accounts/audit/", "/accounts/tokens/"]:
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"].startswith(SET_UP), path
    assert client.get("/api/me").status_code == 403
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 302
    assert not superuser.api_tokens.exists()
    # Allowed: the account page, setting up, and signing out.
    assert client.get("/accounts/").status_code == 200
    assert client.get(SET_UP).status_code == 200
    device = TOTPDevice.objects.get(user=superuser)
    response = client.post(f"{SET_UP}?next=/partnerships/", {"code": _code(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.post("/accounts/sign-out/").status_code == 302


def test_a_site_administrator_with_an_authenticator_gives_the_code_before_anything(superuser):
    device = _authenticator(superuser)
    client = Client()
    response = _sign_in(client, "root", next_="/admin/")
    assert response["Location"] == f"{VERIFY}?next=/admin/"
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert client.get("/accounts/")["Location"].startswith(VERIFY)
    response = client.post(f"{VERIFY}?next=/admin/", {"code": _code(device)})
    assert response["Location"] == "/admin/"
    assert "Site administration" in client.get("/admin/").content.decode()


def test_the_test_client_passes_the_second_factor_for_administrators(client, superuser):
    client.force_login(superuser)
    assert _verified(client)
    assert client.get("/admin/").status_code == 200


def test_the_site_administration_itself_requires_a_verified_session(rf, superuser):
    from django.contrib import admin
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site, OTPAdminSite)
    request = rf.get("/admin/")
    request.session = SessionStore()
    superuser.is_verified = lambda: False
    request.user = superuser
    assert not admin.site.has_permission(request)


def test_the_admin_sign_in_page_sends_people_to_the_service_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/admin/"


def test_a_site_administrator_who_turns_it_off_must_set_it_up_again(client, superuser):
    client.force_login(superuser)
    device = TOTPDevice.objects.get(user=superuser)
    device.last_t = -1  # the test sign-in used this step's code
    device.save()
    response = client.post(TURN_OFF, {"code": _code(device, offset=1)})
    assert response.status_code == 302
    assert client.get("/partnerships/")["Location"].startswith(SET_UP)


def test_the_site_administration_never_shows_an_authenticator_s_secret(client, superuser, member):
    device = _authenticator(member)
    client.force_login(superuser)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403


def test_turning_two_factor_on_and_off_is_notified_by_email(client, member, mailoutbox):
    member.email = "casey@example.org"
    member.save()
    client.force_login(member)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=member)
    client.post(SET_UP, {"code": _code(device)})
    client.post(BACKUP)
    device.refresh_from_db()
    device.last_t = -1  # let this half-minute's code be used again to turn it off
    device.save()
    client.post(TURN_OFF, {"code": _code(device)})
    assert [m.subject.split(" – ")[0] for m in mailoutbox] == [
        "Two-factor authentication was turned on",
        "New backup codes were made, and the old ones stopped working",
        "Two-factor authentication was turned off",
    ]


def test_the_verify_page_sends_on_someone_with_nothing_to_verify(client, member):
    client.force_login(member)
    response = client.get(f"{VERIFY}?next=/partnerships/")
    assert response.status_code == 302 and response["Location"] == "/partnerships/"
