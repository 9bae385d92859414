"""Registry operations that span several records, each in one transaction: seats and
memberships, and the six-stage merger workflow (decisions at meetings are recorded by
`cdrp.meetings.services.record_decision`).

Every function either does all its writes or none, and refuses bad input with a
`django.core.exceptions.ValidationError` whose message says what was wrong. The merger workflow
changes several partnerships at once, so its steps take the acting `user` and refuse
(`PermissionDenied`) anyone without the right in each of them (`cdrp.accounts.policy`); trusted
code (the demo, commands) acts as `policy.SYSTEM`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cdrp.accounts import audit, policy
from cdrp.partnerships.models import (
    Group,
    Membership,
    MergerAgreement,
    MergerProposal,
    MergerTransition,
    Organisation,
    Partnership,
    Person,
    Seat,
)

__all__ = [
    "add_seat",
    "remove_seat",
    "add_membership",
    "end_membership",
    "propose_merger",
    "required_agreements",
    "recordable_agreements",
    "record_agreement",
    "advance_merger",
    "apply_merger_order",
    "apply_due_merger_orders",
    "ended_body_flags",
]


def _actor_label() -> str:
    return audit._actor.get()[1]


@transaction.atomic
def add_seat(group: Group, label: str, **fields) -> Seat:
    seat = Seat(group=group, label=label, **fields)
    seat.save()
    return seat


@transaction.atomic
def remove_seat(seat: Seat) -> None:
    """Remove a seat and its memberships (each deletion audited). Refused if the group's quorum
    would then be larger than the group."""
    group = seat.group
    bodies = len({s.body_key for s in group.seats.exclude(pk=seat.pk) if s.voting})
    if group.quorum is not None and group.quorum > bodies:
        raise ValidationError(
            f"Removing this seat would leave {group} with {bodies} voting bodies, fewer than its "
            f"quorum of {group.quorum}. Lower the quorum first."
        )
    for m in seat.memberships.all():
        m.delete()
    seat.delete()


@transaction.atomic
def add_membership(seat: Seat, person: Person, **fields) -> Membership:
    membership = Membership(seat=seat, person=person, **fields)
    membership.save()
    return membership


@transaction.atomic
def end_membership(membership: Membership, on: dt.date) -> Membership:
    membership.end = on
    membership.save()
    return membership


# The merger workflow ---------------------------------------------------------------------------


def _names(partnerships) -> str:
    return ", ".join(sorted(p.name for p in partnerships))


@transaction.atomic
def propose_merger(
    merged: Partnership, predecessors: Iterable[Partnership], *, user
) -> MergerProposal:
    """Propose merging `predecessors` into `merged`: `user` needs EDIT in every one of them."""
    predecessors = list(predecessors)
    if len(predecessors) < 2:
        raise ValidationError("A merger needs at least two partnerships to merge.")
    if merged in predecessors:
        raise ValidationError("A partnership cannot merge into itself.")
    refused = [
        p for p in [merged, *predecessors] if not policy.allows(user, policy.Permission.EDIT, p)
    ]
    if refused:
        raise PermissionDenied(
            "Proposing a merger needs a coordinator's or administrator's role in every "
            f"partnership it changes; you have none in {_names(refused)}."
        )
    if merged.status != Partnership.Status.PROPOSED:
        merged.status = Partnership.Status.PROPOSED
        merged.save()
    proposal = MergerProposal(merged=merged)
    proposal.save()
    proposal.predecessors.set(predecessors)
    return proposal


def required_agreements(proposal: MergerProposal) -> list[Organisation]:
    """Every responsible authority of the merging partnerships (and of the merged one)."""
    orgs = {o.pk: o for o in proposal.merged.responsible_authorities.all()}
    for p in proposal.predecessors.all():
        orgs.update({o.pk: o for o in p.responsible_authorities.all()})
    return sorted(orgs.values(), key=lambda o: o.name)


def recordable_agreements(proposal: MergerProposal, user) -> list[Organisation]:
    """The authorities whose agreement is still to record and `user` may record."""
    agreed = set(proposal.agreements.values_list("organisation_id", flat=True))
    return [
        o
        for o in required_agreements(proposal)
        if o.pk not in agreed and policy.may_record_agreement(user, proposal, o)
    ]


@transaction.atomic
def record_agreement(
    proposal: MergerProposal,
    organisation: Organisation,
    agreed_on: dt.date,
    minute_reference: str = "",
    *,
    user,
) -> MergerAgreement:
    """Record a responsible authority's agreement (stage 1): only someone who may edit a
    predecessor partnership where it sits records it."""
    if proposal.stage >= MergerProposal.Stage.AGREED:
        raise ValidationError("The proposal has already been agreed; agreements are closed.")
    if organisation not in required_agreements(proposal):
        raise ValidationError(
            f"{organisation} is not a responsible authority of these partnerships."
        )
    if not policy.may_record_agreement(user, proposal, organisation):
        raise PermissionDenied(
            f"The agreement of {organisation} is recorded by a coordinator or administrator of "
            "a merging partnership where it sits."
        )
    agreement, _ = MergerAgreement.objects.get_or_create(
        proposal=proposal,
        organisation=organisation,
        defaults={"agreed_on": agreed_on, "minute_reference": minute_reference},
    )
    if (agreement.agreed_on, agreement.minute_reference) != (agreed_on, minute_reference):
        agreement.agreed_on, agreement.minute_reference = agreed_on, minute_reference
        agreement.save()
    return agreement


def may_advance(proposal: MergerProposal, user) -> bool:
    """May `user` move the proposal to its next stage (see `policy.merger_action`)?"""
    nxt = proposal.stage + 1
    return nxt <= MergerProposal.Stage.ORDER and policy.may_change_merger(
        user, proposal.merged, proposal.predecessors.all(), policy.merger_action(nxt)
    )


@transaction.atomic
def advance_merger(
    proposal: MergerProposal,
    to_stage: int,
    on: dt.date,
    *,
    pilot_to: dt.date | None = None,
    order_reference: str = "",
    note: str = "",
    today: dt.date | None = None,
    user,
) -> MergerProposal:
    """Move the proposal to the next stage on date `on`. Stages cannot be skipped or repeated.
    `user` needs EDIT in the merged partnership and every predecessor; the order (stage 6)
    needs APPROVE in each."""
    proposal = MergerProposal.objects.select_for_update().get(pk=proposal.pk)
    action = policy.merger_action(proposal.stage + 1)
    refused = [
        p
        for p in [proposal.merged, *proposal.predecessors.all()]
        if not policy.allows(user, action, p)
    ]
    if refused:
        who = "chair" if action == policy.Permission.APPROVE else "coordinator"
        raise PermissionDenied(
            f"This stage of the merger needs a {who}'s or administrator's role in every "
            f"partnership it changes; you have none in {_names(refused)}."
        )
    Stage = MergerProposal.Stage
    current = Stage(proposal.stage)
    if current == Stage.ORDER:
        raise ValidationError("The order has been made: the merger has no further stages.")
    nxt = Stage(current + 1)
    if int(to_stage) != nxt:
        try:
            wanted = f"stage {int(to_stage)} ({Stage(int(to_stage)).label})"
        except ValueError:
            wanted = f"stage {to_stage}"
        raise ValidationError(
            f"The proposal is at stage {int(current)} ({current.label}); it can move only to "
            f"stage {int(nxt)} ({nxt.label}), not to {wanted}. Stages cannot be skipped."
        )
    previous = proposal.stage_date(int(current))
    if previous and on < previous:
        raise ValidationError(
            f"Stage {int(nxt)} cannot be dated {on:%-d %B %Y}, before stage {int(current)} "
            f"({previous:%-d %B %Y})."
        )
    if nxt == Stage.AGREED:
        agreed = {a.organisation_id: a for a in proposal.agreements.all()}
        missing = [o.name for o in required_agreements(proposal) if o.pk not in agreed]
        if missing:
            raise ValidationError(
                "Every responsible authority must agree the proposal first. Not yet recorded: "
                + ", ".join(missing)
                + "."
            )
        late = [a for a in agreed.values() if a.agreed_on > on]
        if late:
            raise ValidationError(
                f"{late[0].organisation} agreed on {late[0].agreed_on:%-d %B %Y}, "
                f"after {on:%-d %B %Y}."
            )
    if nxt == Stage.PILOT and pilot_to and pilot_to < on:
        raise ValidationError("The pilot must end on or after the day it starts.")
    if nxt == Stage.ORDER and not order_reference:
        raise ValidationError("Give the order's reference (for example its SI number).")
    setattr(proposal, MergerProposal.STAGE_DATE[int(nxt)], on)
    if pilot_to:
        proposal.pilot_to = pilot_to
    if order_reference:
        proposal.order_reference = order_reference
    proposal.stage = int(nxt)
    proposal.save()
    MergerTransition(
        proposal=proposal,
        from_stage=int(current),
        to_stage=int(nxt),
        on=on,
        actor=_actor_label()[:150],
        note=note,
    ).save()
    if nxt == Stage.ORDER:
        apply_merger_order(proposal, today=today)
    return proposal


@transaction.atomic
def apply_merger_order(proposal: MergerProposal, today: dt.date | None = None) -> bool:
    """On or after the order date: the merged partnership becomes current from that date and its
    predecessors historical to the day before, their records left as they were. Returns whether
    anything changed."""
    today = today or dt.date.today()
    if proposal.stage != MergerProposal.Stage.ORDER or not proposal.order_on:
        return False
    if proposal.order_on > today:
        return False
    merged = proposal.merged
    changed = False
    if merged.status != Partnership.Status.CURRENT or merged.valid_from != proposal.order_on:
        merged.status = Partnership.Status.CURRENT
        merged.valid_from = proposal.order_on
        merged.save()
        changed = True
    merged.merged_from.add(*proposal.predecessors.all())
    for p in proposal.predecessors.all():
        if p.status != Partnership.Status.HISTORICAL:
            p.status = Partnership.Status.HISTORICAL
            p.valid_to = proposal.order_on - dt.timedelta(days=1)
            p.save()
            changed = True
    return changed


def apply_due_merger_orders(today: dt.date | None = None) -> int:
    return sum(
        apply_merger_order(p, today)
        for p in MergerProposal.objects.filter(stage=MergerProposal.Stage.ORDER)
    )


def ended_body_flags(p: Partnership, on: dt.date) -> list[dict]:
    """Seats of the partnership's groups still open on `on` for a body that had ended by then:
    each is flagged on the structure and group pages, and cannot vote."""
    flags = []
    seats = (
        Seat.objects.filter(group__partnership=p, organisation__isnull=False)
        .select_related("group", "organisation")
        .prefetch_related("organisation__successors")
        .order_by("group__position", "group__name", "position", "pk")
    )
    for s in seats:
        problem = s.ended_body_problem(on)
        if problem:
            flags.append({"group": s.group, "seat": s, "problem": problem})
    return flags
