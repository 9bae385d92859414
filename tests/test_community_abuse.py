"""Abuse controls for public forms (cdrp.accounts.public_forms): a burst from one connection is
refused with a clear GOV.UK message and 429, a too-large post with 413, a honeypot catches bots,
and free text with an e-mail address or a UK telephone number waits for moderation."""

from __future__ import annotations

import pytest
from django import forms
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from cdrp.accounts import public_forms
from cdrp.accounts.public_forms import (
    HoneypotMixin,
    needs_moderation,
    personal_details,
    rate_limited,
    text_field,
)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@rate_limited("test")
def _view(request):
    return HttpResponse("thanks")


def _post(address="198.51.100.7", data=None):
    return _view(RequestFactory().post("/respond/", data or {"a": "b"}, REMOTE_ADDR=address))


def test_a_burst_is_refused_with_a_clear_message(settings):
    settings.CDRP_PUBLIC_FORM_LIMIT = 3
    settings.CDRP_PUBLIC_FORM_WINDOW = 600
    codes = [_post().status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    page = _post().content.decode()
    assert "Too many responses from your connection" in page
    assert "Try again in 10 minutes" in page
    # another connection is not affected; reading the form never counts
    assert _post("203.0.113.9").status_code == 200
    get = _view(RequestFactory().get("/respond/", REMOTE_ADDR="198.51.100.7"))
    assert get.status_code == 200


def test_the_default_limit_is_five_in_ten_minutes():
    codes = [_post().status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_the_window_passes(settings):
    settings.CDRP_PUBLIC_FORM_LIMIT = 1
    assert _post().status_code == 200
    assert _post().status_code == 429
    cache.clear()  # the window's key expires with the cache timeout
    assert _post().status_code == 200


def test_a_too_large_post_is_refused(settings):
    settings.CDRP_PUBLIC_FORM_MAX_BYTES = 100
    response = _post(data={"text": "x" * 500})
    assert response.status_code == 413
    assert "Your response is too long" in response.content.decode()


class _Form(HoneypotMixin):
    comment = text_field(label="Comment", max_length=20)


def test_honeypot_filled_makes_the_form_invalid():
    assert _Form({"comment": "fine"}).is_valid()
    bot = _Form({"comment": "fine", "website": "http://spam.example"})
    assert not bot.is_valid()
    assert "website" in bot.errors


def test_text_is_capped():
    form = _Form({"comment": "x" * 21})
    assert not form.is_valid()
    assert form.errors["comment"] == ["Answer must be 20 characters or fewer"]
    assert isinstance(_Form.base_fields["comment"].widget, forms.Textarea)
    assert public_forms.text_max() == 2000


@pytest.mark.parametrize(
    "text",
    [
        "email me at jo.bloggs@example.org please",
        "jo dot bloggs at example dot com",
        "jo(at)example.co.uk",
        "call 07700 900123",
        "call 07700900123",
        "ring 01632 960 001 any evening",
        "ring (01632) 960001",
        "+44 7700 900123",
        "+44 (0)20 7946 0018",
        "020-7946-0018",
    ],
)
def test_personal_details_are_held_for_moderation(text):
    assert needs_moderation(text), text
    assert personal_details(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Speeding on the main road after 10pm",
        "Ring 101 or 999 in an emergency",
        "About 30 cars a day, 2021 to 2024",
        "Bus 0800 is late",  # too few digits for a number
        "The survey at the library was good",
        "We met at school. It was fine",
    ],
)
def test_ordinary_text_is_not_held(text):
    assert not needs_moderation(text), personal_details(text)


def test_docstring_examples():
    import doctest

    assert doctest.testmod(public_forms).failed == 0
