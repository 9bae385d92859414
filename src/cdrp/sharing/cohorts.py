"""The restricted registers (the offender cohort, the case lists): who may read them, the reason
asked once per session, one audit event per read, the access report, the partner offences'
import (under an agreement) and the cohort's re-offending fed to the performance indicator.

Reads: a page showing restricted records calls `read` with every record it shows; each record
shown is one audit event (action "view", the reason given in the session), however many times
the page lists it. Public and member outputs show only aggregates, suppressed
(`cohort_summary`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import transaction

from cdrp.accounts.audit import acting_as, record_view
from cdrp.accounts.models import AuditEvent
from cdrp.accounts.policy import (
    SUPPRESSED,
    may_read_restricted_record,
    restricted_records_visible,
    suppress_below,
)
from cdrp.analysis import reoffending
from cdrp.analysis.errors import RefusedInput
from cdrp.sharing.agreements import require_agreement
from cdrp.sharing.models import Case, CaseAction, CohortMember, Dataset, PartnerOffence

__all__ = [
    "RESTRICTED_MODELS",
    "REASON_KEY",
    "reason_of",
    "give_reason",
    "read",
    "visible_members",
    "visible_cases",
    "access_by_person",
    "access_by_record",
    "import_offences",
    "cohort_figures",
    "cohort_summary",
    "feed_indicator",
    "PPO_SERIES",
]

RESTRICTED_MODELS = (CohortMember, PartnerOffence, Case, CaseAction)
RESTRICTED_LABELS = frozenset(m._meta.label for m in RESTRICTED_MODELS)
REASON_KEY = "cdrp_restricted_reason"
PPO_SERIES = "ppo-reoffending"


def reason_of(request) -> str:
    """The reason the reader gave this session for reading restricted records ("" if none)."""
    return request.session.get(REASON_KEY, "")


def give_reason(request, reason: str) -> str:
    reason = " ".join(reason.split())[:300]
    if len(reason) < 5:
        raise RefusedInput("reason", "Say why you need to read these records (a few words)")
    request.session[REASON_KEY] = reason
    return reason


def read(records: Iterable, user, reason: str) -> int:
    """Audit one read of each record (once per record however often it is listed) by `user`,
    who must be allowed to read each (refused otherwise: the caller filters first)."""
    seen = set()
    with acting_as(user):
        for record in records:
            key = (record._meta.label, record.pk)
            if key in seen:
                continue
            if not may_read_restricted_record(user, record):
                raise PermissionError(f"{record} is not for this reader")
            seen.add(key)
            record_view(record, reason)
    return len(seen)


def visible_members(user, partnership):
    return restricted_records_visible(
        user, CohortMember.objects.filter(partnership=partnership)
    ).select_related("group", "lead_officer")


def visible_cases(user, partnership):
    return restricted_records_visible(user, Case.objects.filter(partnership=partnership))


def _reads(partnership):
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW,
        model__in=RESTRICTED_LABELS,
        partnership_id=getattr(partnership, "pk", partnership),
    )


def access_by_person(partnership) -> list[dict]:
    """For the information governance lead: each reader, how many reads of which kinds, when
    first and last, and the reasons they gave."""
    rows: dict[str, dict] = {}
    for e in _reads(partnership).order_by("at"):
        row = rows.setdefault(
            e.actor,
            {"actor": e.actor, "reads": 0, "kinds": Counter(), "first": e.at, "last": e.at,
             "reasons": []},
        )  # fmt: skip
        row["reads"] += 1
        row["kinds"][e.model.split(".")[1]] += 1
        row["last"] = e.at
        reason = (e.changes or {}).get("reason", "")
        if reason and reason not in row["reasons"]:
            row["reasons"].append(reason)
    return sorted(rows.values(), key=lambda r: -r["reads"])


def access_by_record(partnership, model: str | None = None, object_id=None) -> list[dict]:
    """Each restricted record read: its kind and id, who read it, when and why."""
    events = _reads(partnership)
    if model:
        events = events.filter(model=model)
    if object_id is not None:
        events = events.filter(object_id=str(object_id))
    rows: dict[tuple[str, str], dict] = {}
    for e in events.order_by("at"):
        row = rows.setdefault(
            (e.model, e.object_id),
            {"model": e.model, "object_id": e.object_id, "title": e.object_repr, "reads": []},
        )
        row["reads"].append({"actor": e.actor, "at": e.at, "reason": e.changes.get("reason", "")})
    return list(rows.values())


def import_offences(partnership, supplier, rows: Iterable[dict], on: dt.date | None = None):
    """Partner offences linked to cohort members (rows of member id, offence date, category,
    reference), from `supplier`. Refused unless an active agreement of the partnership covering
    the cohort's offences has the supplier as a party (`require_agreement`)."""
    require_agreement(partnership, Dataset.PPO_OFFENCES, supplier, on)
    members = {m.pk: m for m in CohortMember.objects.filter(partnership=partnership)}
    made = []
    with transaction.atomic():
        for n, row in enumerate(rows, start=1):
            member = members.get(int(row["member"]))
            if member is None:
                raise RefusedInput("member", f"row {n}: no such cohort member in {partnership}")
            offence = PartnerOffence(
                member=member,
                supplied_by=supplier,
                offence_date=row["date"],
                category=row.get("category", ""),
                reference=row.get("reference", ""),
            )
            offence.save()
            made.append(offence)
    return made


def _cohort(partnership, group=None):
    members = CohortMember.objects.filter(partnership=partnership)
    if group is not None:
        members = members.filter(group=group)
    # Only plain fields: the figures need no personal data (and no key).
    members = list(members.only("pk", "entered", "left"))
    spells = [reoffending.Member(m.pk, m.entered, m.left) for m in members]
    offences = [
        reoffending.Offence(member_id, date)
        for member_id, date in PartnerOffence.objects.filter(
            member_id__in=[m.pk for m in members]
        ).values_list("member_id", "offence_date")
    ]
    return spells, offences


def cohort_figures(partnership, first: str, last: str, group=None):
    """Month by month re-offending (`cdrp.analysis.reoffending.monthly`)."""
    spells, offences = _cohort(partnership, group)
    return reoffending.monthly(spells, offences, first, last)


def cohort_summary(partnership, start: dt.date, end: dt.date, exact: bool = False) -> dict:
    """Aggregates only, for member and public pages: the cohort's size, the members and share
    re-offending (binary, Wilson interval) and offences per member (frequency, exact Poisson
    interval). Counts below the threshold are withheld (and the share and rate with them)
    unless `exact` (the policy's `sees_exact_figures`)."""
    spells, offences = _cohort(partnership)
    b = reoffending.binary(spells, offences, start, end)
    f = reoffending.frequency(spells, offences, start, end)
    threshold = suppress_below()

    def small(n: int) -> bool:
        return not exact and 0 < n < threshold

    hide = small(b.members) or small(b.reoffenders) or small(b.members - b.reoffenders)
    return {
        "start": start,
        "end": end,
        "members": SUPPRESSED if small(b.members) else b.members,
        "reoffenders": SUPPRESSED if hide else b.reoffenders,
        "binary": None if hide else b,
        "offences": SUPPRESSED if small(f.offences) or hide else f.offences,
        "frequency": None if hide or small(f.offences) else f,
        "suppressed_below": threshold,
    }


def feed_indicator(partnership, first: str, last: str, group=None) -> int:
    """Write the cohort's monthly re-offending (members re-offending, out of the cohort) into
    the partnership's PPO manual series, in place of figures typed by hand: the performance
    indicator measured on it then reads the computed figures. Returns the months written."""
    from cdrp.performance.services import record_series_value
    from cdrp.plans.models import ManualSeries, SeriesValue

    series, _ = ManualSeries.objects.get_or_create(
        partnership=partnership,
        slug=PPO_SERIES,
        defaults={
            "name": "PPO cohort: offenders re-offending in the month",
            "has_denominator": True,
        },
    )
    series.description = (
        "Members of the prolific and priority offender cohort with at least one offence in the "
        "month (partner offence data), out of the members in the cohort that month. Computed "
        "from the cohort register, not typed in."
    )
    series.source = "Computed from the offender cohort register and partner offences"
    series.has_denominator = True
    series.save()
    written = 0
    for figure in cohort_figures(partnership, first, last, group):
        if figure.members == 0:
            continue
        current = SeriesValue.objects.filter(series=series, month=figure.month).first()
        if (
            current is not None
            and current.value == figure.reoffenders
            and current.denominator == figure.members
        ):
            continue
        with transaction.atomic():
            record_series_value(
                series,
                figure.month,
                figure.reoffenders,
                figure.members,
                "computed from the cohort register",
                version=current.version if current else None,
            )
        written += 1
    return written
