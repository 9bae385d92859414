"""Sign-in throttling (ASVS 2.2.1): after AXES_FAILURE_LIMIT failures a user name (from any address)
and an address (for any user name) are refused until AXES_COOLOFF_TIME has passed since the last
attempt; the lockout page never says whether the account exists; `cdrp unlock` lifts a lockout."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from cdrp.accounts.models import ApiToken
from conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
SIGN_IN = "/accounts/sign-in/"
HERE = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


def _try(client, username, password, address=HERE):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _lock(client, username, address=HERE, times=None):
    from django.conf import settings

    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        response = _try(client, username, "not-the-password", address)
    return response


def test_throttling_has_its_documented_defaults(settings):
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_fifty_wrong_passwords_then_the_right_one_is_refused(client, member):
    responses = [_try(client, "member", f"guess-{i}") for i in range(50)]
    assert responses[0].status_code == 200  # the ordinary error, at first
    assert responses[-1].status_code == 429
    response = _try(client, "member", PASSWORD)
    assert response.status_code == 429 and not _signed_in(client)
    page = response.content.decode()
    assert "Too many attempts to sign in" in page
    assert "try again in 15 minutes" in page and "ask an administrator" in page
    assert 'href="/accounts/reset-password/"' in page


def test_the_attempt_that_reaches_the_limit_gets_the_lockout_page(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, "member", "wrong").status_code == 200
    assert _try(client, "member", "wrong").status_code == 429


def test_after_the_cool_off_the_right_password_works(client, member):
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as clock:
        _lock(client, "member")
        clock.shift(timedelta(minutes=14))
        # Still locked; and trying again during a lockout starts the cool-off again.
        assert _try(client, "member", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=14))
        assert _try(client, "member", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=15, seconds=1))
        response = _try(client, "member", PASSWORD)
        assert response.status_code == 302 and _signed_in(client)


def test_a_user_name_is_locked_out_whatever_the_address(client, member, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "member", "wrong", address=f"198.51.100.{i + 1}")
    assert _try(client, "member", PASSWORD, address=ELSEWHERE).status_code == 429


def test_an_address_trying_many_user_names_is_locked_out_for_every_name(
    client, member, analyst, settings
):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _try(client, f"guess-{i}", "wrong")
    assert _try(client, "analyst", PASSWORD).status_code == 429
    # The same person from another address is not affected.
    assert _try(client, "analyst", PASSWORD, address=ELSEWHERE).status_code == 302


def _normalised(response) -> str:
    # A CSP nonce, if any, differs between any two responses.
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


def test_the_lockout_page_is_the_same_for_an_account_that_does_not_exist(client, member):
    real = _lock(client, "member", address="198.51.100.1")
    made_up = _lock(client, "nobody-by-this-name", address="198.51.100.2")
    assert real.status_code == made_up.status_code == 429
    assert _normalised(real) == _normalised(made_up)
    assert "member" not in _normalised(real) and "nobody" not in _normalised(made_up)


def test_a_wrong_password_reads_the_same_for_an_account_that_does_not_exist(client, member):
    real = _try(client, "member", "wrong", address="198.51.100.1")
    made_up = _try(client, "nobody-by-this-name", "wrong", address="198.51.100.2")
    assert real.status_code == made_up.status_code == 200
    strip = re.compile(r'(value="[^"]*"|nonce="[^"]*")')
    assert strip.sub("", real.content.decode()) == strip.sub("", made_up.content.decode())


def test_unlock_by_user_name_lets_that_user_sign_in_at_once(client, member):
    _lock(client, "member")
    out = io.StringIO()
    call_command("unlock", "member", stdout=out)
    assert "Cleared 10 failed sign-in attempts for the user name member" in out.getvalue()
    assert _try(client, "member", PASSWORD).status_code == 302


def test_unlock_by_address_lets_that_address_sign_in_again(client, member, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _try(client, f"guess-{i}", "wrong")
    assert _try(client, "member", PASSWORD).status_code == 429
    out = io.StringIO()
    call_command("unlock", "--ip", HERE, stdout=out)
    assert f"Cleared 11 failed sign-in attempts from {HERE}" in out.getvalue()
    assert _try(client, "member", PASSWORD).status_code == 302


def test_unlock_says_so_when_there_was_nothing_to_clear(member):
    out = io.StringIO()
    call_command("unlock", "member", stdout=out)
    assert "No failed sign-in attempts for the user name member" in out.getvalue()


def test_unlock_needs_a_user_name_or_an_address():
    with pytest.raises(CommandError, match="Name a user name, or an address with --ip"):
        call_command("unlock")
    with pytest.raises(CommandError, match="--ip: 'not-an-address' is not an IP address"):
        call_command("unlock", "--ip", "not-an-address")


def test_by_default_the_address_is_the_connection_s_and_x_forwarded_for_is_ignored(settings):
    from cdrp.accounts.throttle import client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    assert client_ip(request) == "192.0.2.1"  # a client cannot rotate its address by a header


def test_behind_trusted_proxies_the_address_is_the_one_they_appended(settings):
    from cdrp.accounts.throttle import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    forged_then_real = "203.0.113.50, 198.51.100.23"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged_then_real
    )
    assert client_ip(request) == "198.51.100.23"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.50"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer addresses than proxies: the connection's address
    assert client_ip(request) == "10.0.0.2"


def test_api_tokens_are_too_long_to_guess_and_only_their_digest_is_kept(member):
    token, key = ApiToken.issue(member, "spreadsheet")
    secret = key.removeprefix("cdrp_")
    assert len(secret) >= 43  # 32 random bytes: 256 bits, beyond any guessing rate
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert secret not in token.digest and token.prefix == secret[:8]


def test_a_wrong_bearer_token_is_refused_and_not_counted_against_a_user(client, member):
    ApiToken.issue(member, "spreadsheet")
    for i in range(20):
        response = client.get("/api/me", headers={"Authorization": f"Bearer cdrp_guess{i}"})
        assert response.status_code == 401
    assert _try(client, "member", PASSWORD).status_code == 302


def test_a_bad_number_in_the_environment_is_a_one_line_error(monkeypatch):
    from cdrp.config import ConfigError, env_int

    monkeypatch.setenv("CDRP_SIGN_IN_FAILURE_LIMIT", "ten")
    with pytest.raises(ConfigError, match="CDRP_SIGN_IN_FAILURE_LIMIT='ten' is not a whole number"):
        env_int("CDRP_SIGN_IN_FAILURE_LIMIT", 10, minimum=1)
    monkeypatch.setenv("CDRP_SIGN_IN_FAILURE_LIMIT", "0")
    with pytest.raises(ConfigError, match="must be at least 1"):
        env_int("CDRP_SIGN_IN_FAILURE_LIMIT", 10, minimum=1)
    monkeypatch.setenv("CDRP_SIGN_IN_FAILURE_LIMIT", " 25 ")
    assert env_int("CDRP_SIGN_IN_FAILURE_LIMIT", 10, minimum=1) == 25
