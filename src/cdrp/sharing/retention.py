"""Retention and deletion of restricted records: a schedule per record kind, a daily task that
deletes or anonymises what has passed its date (and records that it did), and legal holds.

The defaults, and why:

- **UK GDPR Article 5(1)(e)** (storage limitation) and, for law enforcement processing, the
  **Data Protection Act 2018, section 39** (personal data kept no longer than necessary, with
  periodic review) require a stated period; neither sets a number.
- **Six years** after a person leaves the cohort or a case closes is the default: the limitation
  period for most civil claims (Limitation Act 1980, sections 2 and 5), the period public bodies
  commonly keep case records for in case the handling is challenged. An agreement may set
  another period (`CDRP_RETENTION_YEARS`, per record kind, overrides the defaults).
- A cohort member past the period is **anonymised**, not deleted: the name, date of birth and
  references are removed (and their offences' references), so the cohort's re-offending figures,
  already published, stay as they were. A closed case past the period is **deleted**, with its
  actions.
- A record under a **legal hold** (litigation, an inquiry, a domestic homicide review) is kept
  whatever its date, until the hold is lifted.

Every deletion and anonymisation is written to `DeletionRecord` (the kind, the id, the rule;
never what the record said) and to the audit trail (as the task).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cdrp.accounts.audit import acting_as
from cdrp.sharing.models import Case, CohortMember, DeletionRecord

__all__ = ["Rule", "SCHEDULE", "schedule", "due", "apply_retention", "daily_retention"]

LONDON = ZoneInfo("Europe/London")
ANONYMISED = "(anonymised)"


@dataclass(frozen=True)
class Rule:
    label: str
    years: int
    after: str  # the date field the period runs from
    action: str  # "anonymise" | "delete"
    source: str


SCHEDULE: dict[str, Rule] = {
    "sharing.CohortMember": Rule(
        "sharing.CohortMember", 6, "left", "anonymise",
        "Six years after leaving the cohort: UK GDPR Art. 5(1)(e), DPA 2018 s.39; period from "
        "the Limitation Act 1980 ss.2 and 5",
    ),
    "sharing.Case": Rule(
        "sharing.Case", 6, "closed", "delete",
        "Six years after the case closes: UK GDPR Art. 5(1)(e), DPA 2018 s.39; period from the "
        "Limitation Act 1980 ss.2 and 5",
    ),
}  # fmt: skip


def schedule() -> dict[str, Rule]:
    """The schedule in force: the defaults, with `CDRP_RETENTION_YEARS` overriding years."""
    overrides = getattr(settings, "CDRP_RETENTION_YEARS", None) or {}
    out = {}
    for label, rule in SCHEDULE.items():
        years = int(overrides.get(label, rule.years))
        source = rule.source if years == rule.years else f"{years} years (local setting)"
        out[label] = Rule(label, years, rule.after, rule.action, source)
    return out


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due(today: dt.date) -> list[tuple[Any, Rule]]:
    """Records past their retention date on `today` (legal holds kept out)."""
    rules = schedule()
    out: list[tuple[Any, Rule]] = []
    member_rule = rules["sharing.CohortMember"]
    cutoff = _years_before(today, member_rule.years)
    for m in CohortMember.objects.filter(left__lt=cutoff, legal_hold=False).only(
        "pk", "partnership_id", "left", "legal_hold", "group_id"
    ):
        out.append((m, member_rule))
    case_rule = rules["sharing.Case"]
    cutoff = _years_before(today, case_rule.years)
    for c in Case.objects.filter(closed__lt=cutoff, legal_hold=False).only(
        "pk", "partnership_id", "closed", "legal_hold", "group_id"
    ):
        out.append((c, case_rule))
    return out


def apply_retention(today: dt.date) -> list[DeletionRecord]:
    """Delete or anonymise every record past its date; returns what it recorded."""
    done = []
    now = timezone.now()
    with transaction.atomic():
        for record, rule in due(today):
            pk, partnership_id = record.pk, record.partnership_id
            if rule.action == "anonymise":
                member = CohortMember.objects.get(pk=record.pk)
                if member.name == ANONYMISED:
                    continue  # done on an earlier day
                member.name, member.date_of_birth, member.references = ANONYMISED, None, ""
                member.save()
                for offence in member.offences.all():
                    if offence.reference:
                        offence.reference = ""
                        offence.save()
                action = "anonymised"
            else:
                record = type(record).objects.get(pk=record.pk)
                record.delete()
                action = "deleted"
            done.append(
                DeletionRecord.objects.create(
                    at=now,
                    model=rule.label,
                    object_id=str(pk),
                    partnership_id=partnership_id,
                    action=action,
                    rule=rule.source[:300],
                )
            )
    return done


def _next_night(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(LONDON)
    night = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(2, 0), LONDON)
    return night.astimezone(dt.UTC)


@task()
def daily_retention(reschedule: bool = True) -> int:
    """The daily retention task: applies the schedule and queues itself for the next night."""
    with acting_as(None, "retention"):
        done = apply_retention(timezone.localdate())
    if reschedule:
        daily_retention.using(run_after=_next_night(dt.datetime.now(dt.UTC))).enqueue()
    return len(done)
