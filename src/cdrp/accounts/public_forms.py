"""Abuse controls for every public form (no account needed): one small interface.

- ``@rate_limited("scope")`` on a view: each client (``cdrp.accounts.throttle.client_ip``) may
  post to the scope at most ``CDRP_PUBLIC_FORM_LIMIT`` times (default 5) in
  ``CDRP_PUBLIC_FORM_WINDOW`` seconds (default 600); a burst beyond that, and any post larger than
  ``CDRP_PUBLIC_FORM_MAX_BYTES`` (default 20 000), is refused with a GOV.UK page: 429 "Too many
  responses from your connection" / 413. Only POSTs count; GETs pass. Counts live in Django's
  default cache, which every worker process shares (CDRP_CACHE_URL, cdrp.config.cache: files in
  the data directory by default, Redis for several machines), so a burst spread over the
  workers is still one burst.
- ``HoneypotMixin`` for a form: adds a field people never see (``HONEYPOT_FIELD``); a form with it
  filled in is invalid. Render it with ``{% include "accounts/_honeypot.html" %}``.
- ``text_field(...)``: a free-text form field capped at ``CDRP_PUBLIC_TEXT_MAX`` characters
  (default 2 000).
- ``needs_moderation(text)``: True when free text contains what looks like an e-mail address or
  a UK telephone number, so the response must wait in a moderation queue before anyone else sees
  it; ``personal_details(text)`` lists what was found.

>>> needs_moderation("Speeding on Station Road, call me on 07700 900123")
True
>>> needs_moderation("write to jo.bloggs@example.org")
True
>>> needs_moderation("Ring 101 or 999 in an emergency; 30 cars a day")
False
"""

from __future__ import annotations

import math
import re
import time
from functools import wraps

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from cdrp.accounts.throttle import client_ip

__all__ = [
    "HONEYPOT_FIELD",
    "HoneypotMixin",
    "needs_moderation",
    "personal_details",
    "rate_limited",
    "refused_burst",
    "text_field",
    "text_max",
]

HONEYPOT_FIELD = "website"


def _limit() -> int:
    return int(getattr(settings, "CDRP_PUBLIC_FORM_LIMIT", 5))


def _window() -> int:
    return int(getattr(settings, "CDRP_PUBLIC_FORM_WINDOW", 600))


def _max_bytes() -> int:
    return int(getattr(settings, "CDRP_PUBLIC_FORM_MAX_BYTES", 20_000))


def text_max() -> int:
    """The longest free-text answer a public form accepts (characters)."""
    return int(getattr(settings, "CDRP_PUBLIC_TEXT_MAX", 2_000))


def refused_burst(request, scope: str) -> bool:
    """Count one submission by this client to `scope`; True when it is over the limit (the
    submission must then be refused). The window starts at the client's first submission and
    is the same in every process: the count lives in the default cache, with the window's end
    beside it, so a backend whose increment rewrites the entry (files) keeps the window."""
    key = f"cdrp:public-form:{scope}:{client_ip(request) or 'unknown'}"
    window = _window()
    now = time.time()
    if cache.add(key, 1, timeout=window):
        cache.set(f"{key}:ends", now + window, timeout=window)
        return 1 > _limit()
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        cache.set(f"{key}:ends", now + window, timeout=window)
        count = 1
    ends = cache.get(f"{key}:ends")
    if ends is not None:
        cache.touch(key, timeout=max(1, math.ceil(ends - now)))
    return count > _limit()


def _refuse(request, status: int, title: str, message: str):
    return render(
        request,
        "accounts/public_form_refused.html",
        {"page_title": title, "title": title, "message": message},
        status=status,
    )


def rate_limited(scope: str):
    """View decorator for a public form: refuse too-large posts (413) and bursts (429)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    length = int(request.META.get("CONTENT_LENGTH") or 0)
                except ValueError:
                    length = 0
                if length > _max_bytes():
                    return _refuse(
                        request,
                        413,
                        "Your response is too long",
                        "Shorten your answers and send them again.",
                    )
                if refused_burst(request, scope):
                    minutes = max(1, _window() // 60)
                    return _refuse(
                        request,
                        429,
                        "Too many responses from your connection",
                        f"We have received several responses from your connection in a short "
                        f"time, so we cannot accept another one yet. Try again in {minutes} "
                        f"minute{'s' if minutes != 1 else ''}.",
                    )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


class HoneypotMixin(forms.Form):
    """A field hidden from people (and from assistive technology); bots that fill every input
    fill it too, and the form is then invalid."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        value = self.cleaned_data.get(HONEYPOT_FIELD, "")
        if value:
            raise forms.ValidationError("This response could not be accepted.")
        return value


def text_field(*, label: str = "", required: bool = False, max_length: int | None = None):
    """A free-text field (textarea) capped at `max_length` or `text_max()` characters."""
    limit = max_length or text_max()
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea", "maxlength": limit}),
        error_messages={"max_length": f"Answer must be {limit} characters or fewer"},
    )


_EMAIL = re.compile(
    r"[\w.+'-]+\s*(?:@|\(at\)|\[at\]|\sat\s)\s*[\w-]+(?:(?:\.|\s*\(dot\)\s*|\s*\[dot\]\s*|\sdot\s)[\w-]+)+",
    re.IGNORECASE,
)
# A run that starts like a UK number (0… or +44…) and continues with digits, spaces, dashes,
# dots or brackets; it is a number when it holds the right count of digits.
_PHONE = re.compile(r"(?:\+\s*44|\(?\b0)[\d\s\-().]{8,18}\d")


def _uk_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip().startswith("+"):
        digits = digits[2:]  # 44
        if digits.startswith("0"):
            digits = digits[1:]  # +44 (0)…
        return len(digits) in (9, 10) and digits[0] in "12357"
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] in "12357"


def personal_details(text: str) -> list[str]:
    """The e-mail addresses and UK telephone numbers found in `text`, as written."""
    text = text or ""
    found = [m.group(0).strip() for m in _EMAIL.finditer(text)]
    found += [m.group(0).strip() for m in _PHONE.finditer(text) if _uk_phone(m.group(0))]
    return found


def needs_moderation(text: str) -> bool:
    """Does free text hold an e-mail address or a UK telephone number (so it must wait for a
    moderator before it is shown or counted in published themes)?"""
    return bool(personal_details(text))
