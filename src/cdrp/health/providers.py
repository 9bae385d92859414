"""Where the hallmarks self-assessment finds records kept by apps it does not know: community
consultations (the community app) and responses to Community Calls for Action (the scrutiny
app). Such an app registers a provider in its AppConfig.ready():

    from cdrp.health import providers
    providers.register(providers.CONSULTATION, lambda partnership, start, end: [...Item...])

A provider returns the records dated within [start, end]. Until some provider is registered for
a kind, the criteria that need it say "not recorded yet": never a pass, never a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "Item",
    "KINDS",
    "CONSULTATION",
    "CCFA_RESPONSE",
    "register",
    "unregister",
    "items",
]

CONSULTATION = "consultation"  # date: held (closed); on_time: unused
CCFA_RESPONSE = "ccfa_response"  # date: responded; on_time: within the time the law allows

KINDS = {
    CONSULTATION: "consultations with the community",
    CCFA_RESPONSE: "responses to Community Calls for Action",
}


@dataclass(frozen=True)
class Item:
    """One record a criterion can cite, with the address of its page."""

    kind: str
    date: dt.date
    title: str
    url: str = ""
    on_time: bool | None = None


Provider = Callable[[object, dt.date, dt.date], Iterable[Item]]
_providers: dict[str, list[Provider]] = {}


def register(kind: str, provider: Provider) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
    if provider not in _providers.setdefault(kind, []):
        _providers[kind].append(provider)


def unregister(kind: str, provider: Provider) -> None:
    if provider in _providers.get(kind, []):
        _providers[kind].remove(provider)


def items(partnership, kind: str, start: dt.date, end: dt.date) -> list[Item] | None:
    """The records of `kind` dated from `start` to `end`, newest first; None when no app
    provides that kind yet."""
    providers = _providers.get(kind)
    if not providers:
        return None
    found = [
        i
        for provider in providers
        for i in provider(partnership, start, end)
        if i.kind == kind and start <= i.date <= end
    ]
    return sorted(found, key=lambda i: i.date, reverse=True)
