"""Request and response guards Django and django-csp do not provide.

- `ControlCharactersMiddleware` refuses control characters in addresses and form values with a 400
  that names where they were. A NUL byte or another control character in a query parameter, the
  path or a submitted field is never meaningful input: it only fails later, deeper down
  (PostgreSQL refuses NUL in text, the spreadsheet and PDF writers refuse C0 characters) as a 500.
  Here it is refused at the door: pages get a GOV.UK error page and the API a JSON
  ``{"detail": ...}`` like its other errors. Query strings and paths may hold no control character
  at all; form fields may hold tab, line feed and carriage return (a multi-line text box sends
  CR LF), but no other.
- `PermissionsPolicyMiddleware` sets Permissions-Policy.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

__all__ = ["ControlCharactersMiddleware", "PermissionsPolicyMiddleware", "first_control"]

# Tab, line feed and carriage return: what a text box legitimately sends.
MULTI_LINE = frozenset("\t\n\r")


def first_control(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control character (Unicode category Cc: C0, DEL, C1) in `text` not in `allowed`."""
    for char in text:
        if char not in allowed and unicodedata.category(char) == "Cc":
            return char
    return None


def _shown(text: str) -> str:
    """The text with its control characters written as U+XXXX, safe to show in a message."""
    return "".join(f"U+{ord(c):04X}" if first_control(c) else c for c in text)


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._in_address(request)
        if problem:
            return self._refuse(request, *problem)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method != "POST":
            return None
        content_type = request.content_type or ""
        if content_type == "multipart/form-data" and getattr(view, "csrf_exempt", False):
            # A view exempt from CSRF may set its own upload handlers (streaming size limits),
            # which must happen before the body is parsed: its fields are its own to check.
            return None
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return None  # JSON and other bodies are validated by their schemas
        for name, values in request.POST.lists():
            for value in [name, *values]:
                char = first_control(value, MULTI_LINE)
                if char is not None:
                    return self._refuse(request, "field", name, char)
        return None

    def _in_address(self, request) -> tuple[str, str, str] | None:
        char = first_control(request.path)
        if char is not None:
            return "path", request.path, char
        for name, values in request.GET.lists():
            for value in [name, *values]:
                char = first_control(value)
                if char is not None:
                    return "parameter", name, char
        return None

    def _refuse(self, request, where: str, name: str, char: str):
        code = f"U+{ord(char):04X}"
        if where == "path":
            detail = f"path: the address contains a control character ({code})"
        else:
            kind = "query parameter" if where == "parameter" else "field"
            detail = f"{_shown(name)}: the {kind} contains a control character ({code})"
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=400)
        context = {"where": where, "name": _shown(name), "code": code}
        return render(request, "400.html", context, status=400)


class PermissionsPolicyMiddleware:
    """Switch off, for this site and anything it embeds, the browser features it never uses
    (settings.PERMISSIONS_POLICY names them): a script that got in still cannot reach the camera,
    the microphone, the location or payments."""

    def __init__(self, get_response):
        self.get_response = get_response
        features = getattr(settings, "PERMISSIONS_POLICY", [])
        self.header = ", ".join(f"{feature}=()" for feature in features)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
