"""The one place that decides who may do what, per partnership.

Every view (through `requires`) and every API endpoint (through `cdrp.api.allow`) asks `allows`.
Anonymous visitors are `Role.PUBLIC`; a superuser is an administrator of every partnership.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["Role", "Action", "GRANTS", "roles_of", "allows", "requires", "public"]


class Role(StrEnum):
    PUBLIC = "public"
    MEMBER = "member"
    ANALYST = "analyst"
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return {"member": "Partner member"}.get(self.value, self.value.capitalize())


class Action(StrEnum):
    VIEW_PUBLIC = "view_public"  # published documents and aggregate statistics
    VIEW_MEMBER = "view_member"  # the partnership's working records
    ANALYSE = "analyse"  # import data, build assessments
    EDIT = "edit"  # change governance records
    APPROVE = "approve"  # approve documents and decisions for the strategy group
    MINUTE = "minute"  # record a meeting: attendance, votes, actions
    ADMINISTER = "administer"  # roles, audit trail, site administration


_STAFF = {Role.MEMBER, Role.ANALYST, Role.COORDINATOR, Role.CHAIR, Role.ADMINISTRATOR}
GRANTS: dict[Action, frozenset[Role]] = {
    Action.VIEW_PUBLIC: frozenset(Role),
    Action.VIEW_MEMBER: frozenset(_STAFF),
    Action.ANALYSE: frozenset({Role.ANALYST, Role.COORDINATOR, Role.ADMINISTRATOR}),
    Action.EDIT: frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    Action.APPROVE: frozenset({Role.CHAIR, Role.ADMINISTRATOR}),
    Action.MINUTE: frozenset({Role.COORDINATOR, Role.CHAIR, Role.ADMINISTRATOR}),
    Action.ADMINISTER: frozenset({Role.ADMINISTRATOR}),
}


def roles_of(user, partnership=None) -> set[Role]:
    """The user's roles in `partnership`, or in any partnership when it is None."""
    roles = {Role.PUBLIC}
    if user is None or not user.is_authenticated or not user.is_active:
        return roles
    if user.is_superuser:
        return set(Role)
    cache = getattr(user, "_cdrp_roles", None)
    if cache is None:
        cache = list(user.cdrp_roles.values_list("partnership_id", "role"))
        user._cdrp_roles = cache
    pid = getattr(partnership, "pk", partnership)
    roles.update(Role(role) for p, role in cache if pid is None or p == pid)
    return roles


def allows(user, action: Action, partnership=None) -> bool:
    """May `user` do `action` in `partnership` (a Partnership, its id, or None for any)?"""
    return bool(roles_of(user, partnership) & GRANTS[action])


def _partnership_from(kwargs: dict):
    from cdrp.partnerships.models import Partnership

    slug = kwargs.get("partnership")
    if slug is None:
        return None
    return Partnership.objects.filter(slug=slug).first()


def requires(action: Action):
    """View decorator: check `action` against the partnership named by the `partnership` URL
    argument (a slug) or against any partnership. Anonymous visitors are sent to sign in,
    signed-in users without the role get 403. The action is recorded on the view so tests can
    check every URL pattern."""

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login
            from django.core.exceptions import PermissionDenied
            from django.http import Http404

            partnership = _partnership_from(kwargs)
            if "partnership" in kwargs and partnership is None:
                if not allows(request.user, action):
                    if not request.user.is_authenticated:
                        return redirect_to_login(request.get_full_path())
                    raise PermissionDenied
                raise Http404("No such partnership")
            if not allows(request.user, action, partnership):
                if not request.user.is_authenticated and action != Action.VIEW_PUBLIC:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            request.partnership = partnership
            return view(request, *args, **kwargs)

        wrapped.cdrp_action = action
        return wrapped

    return decorate


def public(view):
    """Mark a view as open to everyone (it still shows only public information)."""
    view.cdrp_action = Action.VIEW_PUBLIC
    return view


# Restricted records -----------------------------------------------------------------------------
# Offender cohorts and domestic-abuse cases are need-to-know. What is restricted is said by the
# records (a restricted group, a restricted agenda item: cdrp.meetings.restricted); who may read
# it is decided here, and only here. No role reaches it: a partnership administrator or a site
# superuser who does not sit on the group sees that a record exists, never what it says.

__all__ += ["may_see_restricted"]


def may_see_restricted(user, group) -> bool:
    """May `user` read the restricted records of `group` (a Group or its id)?

    Only the group's current members may: the user's own person record (``Person.account``)
    holds a seat on the group today. The answer is cached on the user object for the request.
    """
    if group is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    cache = getattr(user, "_cdrp_member_groups", None)
    if cache is None:
        from cdrp.partnerships.models import Membership

        cache = frozenset(
            Membership.objects.current()
            .filter(person__account=user)
            .values_list("seat__group_id", flat=True)
        )
        user._cdrp_member_groups = cache
    return getattr(group, "pk", group) in cache
