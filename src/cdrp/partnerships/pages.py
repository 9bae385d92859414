"""What later apps show on the registry's pages, without the registry importing them.

An app registers a provider in its `AppConfig.ready`; the group page asks every provider for the
context it adds (the meetings app adds the group's decisions). With no provider the page simply
shows none.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from cdrp.partnerships.models import Group

__all__ = ["register_group_context", "group_context"]

GroupContext = Callable[[HttpRequest, Group], dict]
_GROUP_CONTEXT: list[GroupContext] = []


def register_group_context(provider: GroupContext) -> None:
    """Add `provider(request, group) -> dict` to the group page's context (once)."""
    if provider not in _GROUP_CONTEXT:
        _GROUP_CONTEXT.append(provider)


def group_context(request: HttpRequest, group: Group) -> dict:
    """The context every registered provider adds to `group`'s page."""
    context: dict = {}
    for provider in _GROUP_CONTEXT:
        context.update(provider(request, group))
    return context
