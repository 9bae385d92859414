"""The site's home page for a signed-in person: the shell's home (`core:home`) hands them to the
dashboard a higher app registers here (the workday app), since this app imports none above it."""

from __future__ import annotations

from collections.abc import Callable

_dashboard: list[Callable] = []

__all__ = ["register_dashboard", "dashboard"]


def register_dashboard(view: Callable) -> None:
    """`view(request)` answers the home page for signed-in users."""
    _dashboard[:] = [view]


def dashboard() -> Callable | None:
    return _dashboard[0] if _dashboard else None
