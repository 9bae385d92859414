"""The one place that decides who may do what, per partnership.

Every view (through `requires`) and every API endpoint (through `cdrp.accounts.api_auth.allow`)
asks `allows`. Anonymous visitors are `Role.PUBLIC`; a superuser is an administrator of every
partnership.

The policy reads the partnership registry (a partnership by its slug, the groups a user sits on)
through the two lookups the registry app registers in its `ready` (`register_registry`), so this
module, like the whole accounts app, imports nothing from the apps above it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from cdrp.accounts.throttle import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "Role",
    "Permission",
    "GRANTS",
    "roles_of",
    "allows",
    "requires",
    "public",
    "public_partnership",
    "partnership_by_slug",
    "register_registry",
    "may_see_contacts",
    "visible_audit_events",
    "monitoring_address",
    "requires_site_administrator_or_monitor",
]


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


class Permission(StrEnum):
    VIEW_PUBLIC = "view_public"  # published documents and aggregate statistics
    VIEW_MEMBER = "view_member"  # the partnership's working records
    ANALYSE = "analyse"  # import data, build assessments
    EDIT = "edit"  # change governance records
    APPROVE = "approve"  # approve documents and decisions for the strategy group
    MINUTE = "minute"  # record a meeting: attendance, votes, actions
    ADMINISTER = "administer"  # roles, audit trail, site administration
    ENGAGE = "engage"  # surveys, PACT meetings, moderation of residents' responses, summaries


_STAFF = {Role.MEMBER, Role.ANALYST, Role.COORDINATOR, Role.CHAIR, Role.ADMINISTRATOR}
GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_PUBLIC: frozenset(Role),
    Permission.VIEW_MEMBER: frozenset(_STAFF),
    Permission.ANALYSE: frozenset({Role.ANALYST, Role.COORDINATOR, Role.ADMINISTRATOR}),
    Permission.EDIT: frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    Permission.APPROVE: frozenset({Role.CHAIR, Role.ADMINISTRATOR}),
    Permission.MINUTE: frozenset({Role.COORDINATOR, Role.CHAIR, Role.ADMINISTRATOR}),
    Permission.ADMINISTER: frozenset({Role.ADMINISTRATOR}),
    Permission.ENGAGE: frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
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


def allows(user, action: Permission, partnership=None) -> bool:
    """May `user` do `action` in `partnership` (a Partnership, its id, or None for any)?"""
    return bool(roles_of(user, partnership) & GRANTS[action])


# The registry's lookups (registered by the partnerships app in its `ready`). Until then nothing
# is found: no partnership, no group membership, so nothing is allowed that needs one.
_registry: dict[str, Callable] = {
    "partnership": lambda slug: None,
    "member_groups": lambda user: frozenset(),
}


def register_registry(
    *,
    partnership: Callable[[str], object | None],
    member_groups: Callable[[object], frozenset[int]],
) -> None:
    """How the policy finds a partnership by its slug, and the ids of the groups on which a
    user's own person record holds a seat today."""
    _registry["partnership"] = partnership
    _registry["member_groups"] = member_groups


def partnership_by_slug(slug: str):
    """The partnership with this slug, or None."""
    return _registry["partnership"](slug)


def _partnership_from(kwargs: dict):
    slug = kwargs.get("partnership")
    if slug is None:
        return None
    return partnership_by_slug(slug)


def requires(action: Permission):
    """View decorator: check `action` against the partnership named by the `partnership` URL
    argument (a slug) or against any partnership. Anonymous visitors are sent to sign in,
    signed-in users without the role get 403. The action is recorded on the view so tests can
    check every URL pattern."""

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            # Imported here: Django's auth views import the auth models, and this module is
            # imported by cdrp.accounts.models while the apps load.
            from django.contrib.auth.views import redirect_to_login

            partnership = _partnership_from(kwargs)
            if "partnership" in kwargs and partnership is None:
                if not allows(request.user, action):
                    if not request.user.is_authenticated:
                        return redirect_to_login(request.get_full_path())
                    raise PermissionDenied
                raise Http404("No such partnership")
            if not allows(request.user, action, partnership):
                if not request.user.is_authenticated and action != Permission.VIEW_PUBLIC:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            request.partnership = partnership  # type: ignore[attr-defined]  # read by the views
            return view(request, *args, **kwargs)

        wrapped.cdrp_permission = action
        return wrapped

    return decorate


def public(view):
    """Mark a view as open to everyone (it still shows only public information)."""
    view.cdrp_permission = Permission.VIEW_PUBLIC
    return view


def public_partnership(view):
    """A public page of one partnership: open to everyone; the partnership its `partnership`
    URL argument names is `request.partnership` (404 when there is none)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        partnership = _partnership_from(kwargs)
        if partnership is None:
            raise Http404("No such partnership")
        request.partnership = partnership  # type: ignore[attr-defined]  # read by the views
        return view(request, *args, **kwargs)

    wrapped.cdrp_permission = Permission.VIEW_PUBLIC
    return wrapped


# Site and object rules --------------------------------------------------------------------------
#
# Who administers the site itself, and the one rule for records: a record is reached only through
# a partnership that holds it. A record of one partnership names it (`audit_partnership_id`); a
# record shared between partnerships declares every partnership that holds it
# (`holding_partnership_ids`: a person who sits in two partnerships, an organisation with a seat
# in one and a statutory duty in another). Pages and API endpoints resolve the records they name
# with `object_or_404`, and services check the same rule with `may_access`.


class _System:
    """The site itself, acting from the command line or the demo loader: trusted code, never a
    request. Services that take the acting user accept it where a person would need a role."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def get_username(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


def is_site_administrator(user) -> bool:
    """A superuser: administers the site itself (partnerships, every partnership's data)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
    )


def requires_site_administrator(view):
    """View decorator: site administrators only. Anonymous visitors are sent to sign in, anyone
    else gets 403. Declared as ADMINISTER so the access tests check the route."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login  # see `requires`

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_site_administrator(request.user):
            raise PermissionDenied
        request.partnership = None  # type: ignore[attr-defined]  # read by the views
        return view(request, *args, **kwargs)

    wrapped.cdrp_permission = Permission.ADMINISTER
    wrapped.cdrp_site = True
    return wrapped


def monitoring_address(request: HttpRequest) -> bool:
    """Whether the request comes from an address allowed to read the service's metrics
    (`MONITORING_ADDRESSES`: addresses or networks, e.g. a Prometheus server's)."""
    address = client_ip(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(net, strict=False) for net in settings.MONITORING_ADDRESSES
    )


def requires_site_administrator_or_monitor(view):
    """View decorator: a site administrator, or a request from a monitoring address
    (`monitoring_address`); anyone else as `requires_site_administrator`."""
    guarded = requires_site_administrator(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if monitoring_address(request):
            request.partnership = None  # type: ignore[attr-defined]  # read by the views
            return view(request, *args, **kwargs)
        return guarded(request, *args, **kwargs)

    wrapped.cdrp_permission = Permission.ADMINISTER
    wrapped.cdrp_site = True
    return wrapped


def may_create_partnership(user) -> bool:
    """Only site administrators add partnerships: a partnership administrator runs their own."""
    return is_site_administrator(user)


def holding_partnerships(obj) -> frozenset[int] | None:
    """Ids of the partnerships that hold `obj`, or None for a shared record that no partnership
    holds yet (a person or organisation just added, sitting nowhere)."""
    declared = getattr(obj, "holding_partnership_ids", None)
    if declared is not None:
        ids = frozenset(declared())
        return ids or None
    pid = obj.audit_partnership_id()
    return frozenset() if pid is None else frozenset({pid})


def held_by(obj, partnership) -> bool:
    """Does `partnership` (a Partnership or its id) hold `obj`? A shared record nobody holds yet
    may be reached through any partnership; any other record only through its own."""
    ids = holding_partnerships(obj)
    if ids is None:
        return True
    return getattr(partnership, "pk", partnership) in ids


def may_access(user, action: Permission, obj, partnership=None) -> bool:
    """The object rule. Through a partnership: it must hold `obj` and the user may do `action`
    there. Without one: the user may do `action` in some partnership that holds it (in any
    partnership, for a shared record nobody holds yet)."""
    if partnership is not None:
        return held_by(obj, partnership) and allows(user, action, partnership)
    ids = holding_partnerships(obj)
    if ids is None:
        return allows(user, action)
    return any(allows(user, action, pid) for pid in ids)


def may_see_contacts(user, person) -> bool:
    """Partner members of a partnership where the person sits (of any partnership, for someone
    who sits nowhere yet) see their email and phone; nobody else does."""
    return may_access(user, Permission.VIEW_MEMBER, person)


def visible_audit_events(user):
    """The audit events `user` may read: every event for a superuser, a partnership
    administrator's partnerships' events for anyone else."""
    # Imported here: cdrp.accounts.models imports this module (for Role) while apps load.
    from cdrp.accounts.models import AuditEvent, PartnershipRole

    events = AuditEvent.objects.all()
    if user.is_superuser:
        return events
    ids = PartnershipRole.objects.filter(user=user, role=Role.ADMINISTRATOR).values(
        "partnership_id"
    )
    return events.filter(partnership_id__in=ids)


def object_or_404(queryset, partnership, **lookup):
    """The record `lookup` names in `queryset` (or a model), resolved through `partnership`:
    404 when there is none and when the partnership does not hold it, the same answer either
    way, so an address tells nothing of another partnership's records."""

    obj = get_object_or_404(queryset, **lookup)
    if not held_by(obj, partnership):
        raise Http404("No such record in this partnership")
    return obj


def may_edit_shared(user, obj) -> bool:
    """May `user` change a record that several partnerships share (a person, an organisation)?

    Holding a record lets a partnership use it (seat the person, give the council a seat), not
    rewrite it for everyone: otherwise a coordinator could seat another partnership's officer and
    then change their e-mail. So a shared record is changed by someone who may edit in *every*
    partnership that holds it, by a site administrator, or (for a person) by that person through
    their own account. A record held by one partnership, or by none yet, is that partnership's
    to edit as usual (`may_access`). Historical holders do not count while a current one does
    (`_live`)."""
    if is_site_administrator(user):
        return True
    account_id = getattr(obj, "account_id", None)
    if account_id is not None and account_id == getattr(user, "pk", None):
        return True
    ids = holding_partnerships(obj)
    if ids is None:
        return allows(user, Permission.EDIT)
    return bool(ids) and all(allows(user, Permission.EDIT, pid) for pid in _live(ids))


def _live(ids: frozenset[int]) -> frozenset[int]:
    """Of the partnerships holding a shared record, those that still act: a historical
    partnership (merged or wound up) keeps its records but no longer has anyone who edits for
    it, so it does not stand in the way of the partnerships that hold the record today. When
    every holder is historical, all of them count (the record is closed history)."""
    # accounts.models imports this module (for Role): a real cycle, so imported here.
    from cdrp.accounts.models import partnership_model

    partnership = partnership_model()
    live = frozenset(
        partnership.objects.filter(pk__in=ids)
        .exclude(status=partnership.Status.HISTORICAL)
        .values_list("pk", flat=True)
    )
    return live or ids


def may_see_task(user, progress) -> bool:
    """A background task's progress: its requester and site administrators only (a task names
    no partnership, so no partnership's administrator may read another's)."""
    return (
        progress.requested_by_id is not None and progress.requested_by_id == getattr(user, "pk", 0)
    ) or is_site_administrator(user)


def may_see_raw_rows(user, partnerships) -> bool:
    """Raw rows of an import (quarantine, partner files): analysts of a partnership whose area
    the import covers, and site administrators."""
    return is_site_administrator(user) or any(
        allows(user, Permission.ANALYSE, p) for p in partnerships
    )


def may_see_partner_import(user, partnerships) -> bool:
    """A partner agency's import (its file, counts and rows listed): partner members of a
    partnership whose area it covers, and site administrators. police.uk data is public."""
    return is_site_administrator(user) or any(
        allows(user, Permission.VIEW_MEMBER, p) for p in partnerships
    )


# The merger workflow: a role in every partnership it changes.


def merger_action(to_stage: int) -> Permission:
    """The right a merger stage needs: the order (stage 6) ends the predecessors, so it needs
    APPROVE; every other step EDIT."""
    return Permission.APPROVE if int(to_stage) >= 6 else Permission.EDIT


def may_change_merger(user, merged, predecessors, action: Permission = Permission.EDIT) -> bool:
    """Proposing or advancing a merger needs `action` in the merged partnership and in every
    predecessor partnership."""
    return all(allows(user, action, p) for p in [merged, *predecessors])


def may_record_agreement(user, proposal, organisation) -> bool:
    """A responsible authority's agreement is recorded by someone who may edit a predecessor
    partnership where that organisation holds a seat or is a responsible authority (or, for an
    authority of the merged partnership alone, the merged partnership)."""
    predecessors = {p.pk for p in proposal.predecessors.all()}
    held = holding_partnerships(organisation) or frozenset()
    where = held & predecessors or held & {proposal.merged_id}
    return any(allows(user, Permission.EDIT, pid) for pid in where)


__all__ += [
    "SYSTEM",
    "is_site_administrator",
    "requires_site_administrator",
    "may_create_partnership",
    "holding_partnerships",
    "held_by",
    "may_access",
    "may_edit_shared",
    "object_or_404",
    "may_see_task",
    "may_see_raw_rows",
    "may_see_partner_import",
    "merger_action",
    "may_change_merger",
    "may_record_agreement",
]


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
        cache = frozenset(_registry["member_groups"](user))
        user._cdrp_member_groups = cache
    return getattr(group, "pk", group) in cache


# Restricted registers of the sharing app (offender cohorts, case lists) --------------------------
# A cohort member, a case, its offences and actions name their restricted group
# (`restricting_group_id`); only that group's current members read them, through the
# partnership that holds them. The partnership's administrator is its information governance
# lead: they read the access report and answer subject access requests, never the records'
# contents on a page unless they also sit on the group. A restricted dataset is shown to a
# partner member only under an active information sharing agreement covering it to which one of
# their organisations is a party (the sharing app registers that check; none registered: no).

__all__ += [
    "may_read_restricted_record",
    "restricted_records_visible",
    "is_governance_lead",
    "register_dataset_check",
    "may_see_dataset",
]

_dataset_check: list[Callable] = []


def register_dataset_check(check: Callable[[object, object, str], bool]) -> None:
    """How the policy learns whether an agreement covers a dataset for a user (sharing app)."""
    _dataset_check[:] = [check]


def may_see_dataset(user, partnership, dataset: str) -> bool:
    """May `user` see the restricted `dataset` of `partnership`? (False until the sharing app
    registers its agreement check.)"""
    return bool(_dataset_check) and _dataset_check[0](user, partnership, dataset)


def may_read_restricted_record(user, record, partnership=None) -> bool:
    """A cohort member, case, partner offence or case action: held by `partnership` (when given)
    and the user sits on its restricted group today. The site itself (`SYSTEM`: retention,
    a subject access export run from the command line) is trusted code."""
    if partnership is not None and not held_by(record, partnership):
        return False
    if user is SYSTEM:
        return True
    return may_see_restricted(user, record.restricting_group_id())


def restricted_records_visible(user, queryset, group_field: str = "group_id"):
    """The records of `queryset` whose restricted group `user` sits on (`group_field` names the
    group's id through the record's relations)."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    cache = getattr(user, "_cdrp_member_groups", None)
    if cache is None:
        cache = frozenset(_registry["member_groups"](user))
        user._cdrp_member_groups = cache
    return queryset.filter(**{f"{group_field}__in": list(cache)})


def is_governance_lead(user, partnership) -> bool:
    """The information governance lead of `partnership`: its administrators (and site
    administrators). Reads the access report, answers subject access requests."""
    return allows(user, Permission.ADMINISTER, partnership)


# Writing the restricted registers and the agreements register ---------------------------------
# A cohort member, a case or a case action is added and changed by the current members of its
# restricted group only, through the partnership holding it: the rule for reading it, since the
# form shows what the record says. No role reaches it. The agreements register (public in part)
# is kept by the partnership's coordinators and above, like its other governance records.

__all__ += ["may_write_restricted_record", "may_add_to_restricted_group", "may_edit_agreement"]


def may_write_restricted_record(user, record, partnership=None) -> bool:
    """May `user` change `record` (a cohort member, case or case action)? Its group's current
    members, through the partnership holding it; never the system's pages."""
    if user is SYSTEM:
        return False
    return may_read_restricted_record(user, record, partnership)


def may_add_to_restricted_group(user, group, partnership) -> bool:
    """May `user` add a record to the restricted `group`? A restricted group of `partnership`
    on which the user sits today."""
    if group is None or group.partnership_id != getattr(partnership, "pk", None):
        return False
    if not getattr(group, "restricted", False):
        return False
    return may_see_restricted(user, group)


def may_edit_agreement(user, partnership) -> bool:
    """May `user` add or change the partnership's information sharing agreements?"""
    return allows(user, Permission.EDIT, partnership)


# =============================================================================================
# Disclosure control
# =============================================================================================
# Who sees exact figures, the one threshold (the CDRP_SUPPRESS_BELOW setting), and how every
# public count is protected: primary and secondary cell suppression over a fixed publication
# grid, by the rule and with the limits stated in `cdrp.analysis.disclosure` (GSS guidance on
# disclosure control for tables from administrative sources). The arithmetic lives there; the
# decisions live here, and every public count passes through one of the functions below.

__all__ += [
    "SUPPRESSED",
    "public_counts_grid",
    "public_document",
    "sees_exact_figures",
    "suppress_below",
]

#: What a withheld figure reads as in public documents (the ONS/GSS symbol for confidential);
#: the same for a small count and for a figure withheld because it would reveal one.
SUPPRESSED = "[c]"
_COUNT_FORMATS = {"int"}
_NUMBER_FORMATS = {"int", "rate", "ratio", "ratio3", "pct", "p", "any"}


def suppress_below() -> int:
    """The threshold: public counts from 1 to this minus 1 are withheld (settings)."""

    return int(getattr(settings, "CDRP_SUPPRESS_BELOW", 5))


def sees_exact_figures(user, partnership=None) -> bool:
    """Partner members (any role in `partnership`, or in any partnership when None) see exact
    counts; everyone else sees protected ones."""
    return allows(user, Permission.VIEW_MEMBER, partnership)


def public_counts_grid(cells):
    """The publication grid of public counts: (period, row, column, counts per layer) cells,
    each period's table protected on its own (`cdrp.analysis.disclosure.PublicationGrid`).
    A public figure is any sum the grid can work out exactly (`PublicationGrid.box`)."""
    from cdrp.analysis.disclosure import PublicationGrid

    return PublicationGrid.build(cells, suppress_below())


def public_document(document: dict) -> dict:
    """A copy of a structured document (an assessment) as the public may see it.

    Tables of police.uk records are left whole: police.uk publishes every record under the Open
    Government Licence, so no figure drawn from them can be kept from anyone. In every other
    table (partner data) each column of counts (``int``, never negative) is protected as a list
    whose total is taken to be known (a partner's yearly figure is often published elsewhere):
    counts below the threshold are withheld, and so are as many more as it takes for none to
    be worked out from the total (the whole column when the total itself is small). In a row
    with a withheld count every other number (rates, ratios, changes) is withheld too, since
    those are functions of the count. A withheld figure reads `SUPPRESSED`.
    """
    import copy

    import numpy as np

    from cdrp.analysis.disclosure import protect

    threshold = suppress_below()
    out = copy.deepcopy(document)
    for section in out.get("sections", []):
        for table in section.get("tables", []):
            if table.get("source", "police-uk") == "police-uk":
                continue
            rows = table["rows"]
            counted = [
                c["key"]
                for c in table["columns"]
                if c.get("format") in _COUNT_FORMATS
                and all(_whole(row.get(c["key"])) for row in rows)
            ]
            numbers = [c["key"] for c in table["columns"] if c.get("format") in _NUMBER_FORMATS]
            hidden = np.zeros((len(rows), len(counted)), dtype=bool)
            for j, key in enumerate(counted):
                column = np.array([[_count(row.get(key))] for row in rows], dtype=np.int64)
                if len(rows):
                    hidden[:, j] = protect(column, threshold).suppressed[: len(rows), 0]
            for row, mask in zip(rows, hidden, strict=True):
                if not mask.any():
                    continue
                for key in numbers:
                    if (key not in counted or mask[counted.index(key)]) and row.get(
                        key
                    ) is not None:
                        row[key] = SUPPRESSED
            table["suppressed_below"] = threshold
    return out


def _whole(value) -> bool:
    return value is None or (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value >= 0
        and float(value).is_integer()
    )


def _count(value) -> int:
    return 0 if value is None else int(value)


# Accountability (cdrp.scrutiny) -----------------------------------------------------------------
# Face the People questions are moderated, and Community Calls for Action screened, referred and
# answered, by those who edit the partnership's records. A call is raised by a ward councillor:
# a person of the registry recorded as a councillor of the partnership (cdrp.scrutiny.models.
# Councillor). There is no councillor role: a councillor who signs in is the person whose
# account it is, and raises calls for their own ward only; a coordinator may record a call for
# any of the partnership's councillors (one who sent it by letter or e-mail).

__all__ += ["may_raise_call", "may_read_call"]


def may_raise_call(user, partnership, councillor) -> bool:
    """May `user` raise a call in `partnership` as `councillor` (a Councillor record)?"""
    if councillor is None or not held_by(councillor, partnership):
        return False
    if allows(user, Permission.EDIT, partnership):
        return True
    account_id = getattr(councillor.person, "account_id", None)
    return (
        account_id is not None
        and bool(getattr(user, "is_authenticated", False))
        and account_id == getattr(user, "pk", None)
    )


def may_read_call(user, partnership, call) -> bool:
    """The working page of a call: partner members, and the councillor who raised it (everyone
    reads the public log)."""
    if not held_by(call, partnership):
        return False
    if allows(user, Permission.VIEW_MEMBER, partnership):
        return True
    account_id = getattr(call.councillor.person, "account_id", None)
    return account_id is not None and account_id == getattr(user, "pk", None)


# Partnership health (cdrp.health): a closer-working appraisal reads several partnerships'
# structures through one.

__all__ += ["may_appraise"]


def may_appraise(user, partnership, others, related_ids=frozenset()) -> bool:
    """A closer-working appraisal opened through `partnership`: the user is a partner member
    there, and each other partnership it compares is one `partnership` holds (the predecessors
    of its own merger, `related_ids`) or one where the user is a partner member too."""
    if not allows(user, Permission.VIEW_MEMBER, partnership):
        return False
    return all(
        getattr(o, "pk", o) in related_ids or allows(user, Permission.VIEW_MEMBER, o)
        for o in others
    )


# Actions -----------------------------------------------------------------------------------------

__all__ += ["may_change_action"]


def may_change_action(user, action) -> bool:
    """May `user` update or close `action`? Those who minute meetings in its partnership may;
    so may its owner, through their own account (``Person.account``), while they are a partner
    member of that partnership. A restricted group's action also needs the right to read it,
    which the caller checks (`cdrp.meetings.restricted.may_read`)."""
    partnership_id = action.partnership_id
    if allows(user, Permission.MINUTE, partnership_id):
        return True
    account_id = getattr(action.owner, "account_id", None)
    return (
        account_id is not None
        and account_id == getattr(user, "pk", None)
        and allows(user, Permission.VIEW_MEMBER, partnership_id)
    )
