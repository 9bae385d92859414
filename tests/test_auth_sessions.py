"""Sessions (ASVS V3): a new key at sign-in, gone from the server at sign-out, an idle timeout and
an absolute lifetime, other sessions ended by a password change; the account page shows the
previous sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
SIGN_IN = "/accounts/sign-in/"
CHANGE = "/accounts/password/"
NEW = "a-long-new-passphrase-17"


def _sign_in(client, username="member", password=PASSWORD, address="127.0.0.1"):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sessions_have_their_documented_lifetimes(settings):
    assert settings.SESSION_IDLE_TIMEOUT == timedelta(minutes=30)
    assert settings.SESSION_ABSOLUTE_TIMEOUT == timedelta(hours=12)
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_signing_in_gives_a_new_session_key(client, member):
    client.get(SIGN_IN)
    client.session.save()
    before = client.session.session_key
    _sign_in(client)
    assert client.session.session_key != before


def test_signing_out_ends_the_session_on_the_server(client, member):
    _sign_in(client)
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/sign-out/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    response = replay.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_an_idle_session_ends_after_30_minutes_without_a_request(client, member):
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as clock:
        _sign_in(client)
        clock.shift(timedelta(minutes=29))
        assert client.get("/accounts/").status_code == 200  # a request: the idle clock restarts
        clock.shift(timedelta(minutes=29))
        assert client.get("/accounts/").status_code == 200
        clock.shift(timedelta(minutes=30, seconds=1))
        response = client.get("/accounts/")
        assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
        page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    assert "_auth_user_id" not in client.session


def test_a_session_ends_after_12_hours_however_busy(client, member, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(hours=24)  # only the absolute lifetime applies
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as clock:
        _sign_in(client)
        clock.shift(timedelta(hours=11, minutes=59))
        assert client.get("/accounts/").status_code == 200
        clock.shift(timedelta(minutes=2))
        response = client.get("/accounts/")
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you signed in 12 hours ago" in page


def test_changing_the_password_ends_other_sessions_but_not_this_one(member):
    here, elsewhere = Client(), Client()
    _sign_in(here)
    _sign_in(elsewhere, address="198.51.100.4")
    page = here.get(CHANGE).content.decode()
    assert "Change your password" in page
    response = here.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    account = here.get("/accounts/").content.decode()
    assert "Your password has been changed" in account
    assert elsewhere.get("/accounts/")["Location"].startswith(SIGN_IN)
    member.refresh_from_db()
    assert member.check_password(NEW)


def test_a_password_change_needs_the_current_password_and_follows_the_rules(client, member):
    client.force_login(member)
    page = client.post(
        CHANGE, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    ).content.decode()
    assert "There is a problem" in page and "Your old password was entered incorrectly" in page
    page = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    ).content.decode()
    assert "at least 12 characters" in page and "entirely numeric" in page
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_the_password_rules_are_on(settings):
    from django.contrib.auth.password_validation import get_default_password_validators

    names = {type(v).__name__: v for v in get_default_password_validators()}
    assert set(names) == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    assert names["MinimumLengthValidator"].min_length == 12


def test_the_account_page_shows_the_previous_sign_in(member):
    first, second = Client(), Client()
    with time_machine.travel(datetime(2025, 3, 3, 9, 5, tzinfo=UTC), tick=False):
        _sign_in(first, address="198.51.100.4")
    with time_machine.travel(datetime(2025, 3, 4, 14, 30, tzinfo=UTC), tick=False):
        _sign_in(second, address="203.0.113.9")
        page = second.get("/accounts/").content.decode()
    assert "Last signed in" in page
    assert "3 March 2025 at 9:05am" in page and "198.51.100.4" in page


def test_the_account_page_says_when_this_is_the_first_sign_in(client, member):
    _sign_in(client)
    assert "This is your first sign-in" in client.get("/accounts/").content.decode()


def test_a_password_change_is_notified_by_email(client, member, mailoutbox):
    member.email = "casey@example.org"
    member.save()
    client.force_login(member)
    client.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["casey@example.org"]
    assert message.subject == "Your password was changed – Community safety partnership"
    assert "account member" in message.body and "from 127.0.0.1" in message.body
    assert "http://testserver/accounts/reset-password/" in message.body
