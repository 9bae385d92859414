"""The information sharing agreements register: the check other apps call before importing a
partner dataset or showing a restricted one, reminders before review and expiry, the public
list, and the compliance rule's evidence.

The legal basis: the Crime and Disorder Act 1998, section 115 (any person may disclose
information to a relevant authority where necessary or expedient for the Act's purposes), and
section 17A (the duty of the responsible authorities to share the depersonalised information
the regulations prescribe); the data protection basis alongside it (UK GDPR Article 6, or Part 3
of the Data Protection Act 2018 for law enforcement processing).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.mail import send_mail
from django_tasks import task

from cdrp.accounts.policy import SYSTEM, Permission, allows, is_site_administrator
from cdrp.analysis.errors import RefusedInput
from cdrp.partnerships import evidence
from cdrp.sharing.models import Agreement, Dataset

__all__ = [
    "NoAgreement",
    "covering_agreement",
    "require_agreement",
    "partner_import_gate",
    "may_see_dataset",
    "public_agreements",
    "due_reminders",
    "send_agreement_reminders",
    "daily_agreement_reminders",
    "REMIND_DAYS",
    "agreement_evidence",
]

#: Reminders go this many days before a review date or an expiry.
REMIND_DAYS = 30
LONDON = ZoneInfo("Europe/London")


class NoAgreement(RefusedInput):
    """No active information sharing agreement covers the dataset for the organisation."""


def covering_agreement(partnership, dataset: str, organisation=None, on: dt.date | None = None):
    """The active agreement of `partnership` that covers `dataset` (and to which `organisation`
    is a party, when given) on `on`, or None."""
    on = on or dt.date.today()
    candidates = Agreement.objects.filter(
        partnership=partnership, status=Agreement.Status.ACTIVE, starts__lte=on
    ).prefetch_related("parties")
    for agreement in candidates:
        if not agreement.in_force(on) or dataset not in agreement.datasets:
            continue
        if organisation is not None and organisation not in agreement.parties.all():
            continue
        return agreement
    return None


def require_agreement(partnership, dataset: str, organisation=None, on: dt.date | None = None):
    """The covering agreement, or `NoAgreement` saying what is missing. Call before importing a
    partner dataset (the supplier is `organisation`)."""
    found = covering_agreement(partnership, dataset, organisation, on)
    if found is None:
        label = dict(Dataset.choices).get(dataset, dataset)
        who = f" with {organisation.name} as a party" if organisation is not None else ""
        raise NoAgreement(
            "dataset",
            f"no active information sharing agreement of {partnership} covers “{label}”{who}: "
            "record and activate one in the agreements register first",
        )
    return found


def partner_import_gate(mapping: dict) -> None:
    """The gate on partner imports (registered with `cdrp.intelligence.hooks`): the mapping
    names the `dataset` it holds (one of `Dataset`) and may name the `supplier` (an
    organisation's slug); every partnership whose area lies in the mapping's police force area
    must have an active agreement covering that dataset (with the supplier as a party, when
    named). Refused otherwise (`NoAgreement`, naming the dataset and the missing agreement),
    before anything is written."""
    from cdrp.intelligence.services import partnership_forces
    from cdrp.partnerships.models import Organisation, Partnership

    source = mapping.get("source", "")
    dataset = str(mapping.get("dataset") or "")
    choices = ", ".join(Dataset.values)
    if not dataset:
        raise NoAgreement(
            "dataset",
            f"the mapping of “{source}” names no dataset, so no information sharing agreement "
            f"can be found for it: add `dataset:` (one of {choices})",
        )
    if dataset not in Dataset.values:
        raise NoAgreement("dataset", f"“{dataset}” is not a dataset: one of {choices}")
    label = dict(Dataset.choices)[dataset]
    supplier = None
    if mapping.get("supplier"):
        supplier = Organisation.objects.filter(slug=str(mapping["supplier"])).first()
        if supplier is None:
            raise NoAgreement("supplier", f"no organisation “{mapping['supplier']}”")
    force = mapping.get("force", "")
    partnerships = list(Partnership.objects.all())
    forces = partnership_forces(partnerships)
    covered = [p for p in partnerships if force in forces.get(p.pk, set())]
    if not covered:
        raise NoAgreement(
            "dataset",
            f"no partnership's area lies in the “{force}” police force area, so no "
            f"information sharing agreement covers “{label}” from “{source}”",
        )
    for partnership in covered:
        require_agreement(partnership, dataset, supplier)


def _user_organisations(user) -> set[int]:
    from cdrp.partnerships.models import Membership

    return set(
        Membership.objects.current()
        .filter(person__account=user)
        .exclude(seat__organisation=None)
        .values_list("seat__organisation_id", flat=True)
    )


def may_see_dataset(user, partnership, dataset: str, on: dt.date | None = None) -> bool:
    """A restricted dataset is shown to a partner member only when an active agreement covers it
    and one of the organisations the user sits for is a party (site administrators and the
    system always). Registered with the policy (`cdrp.accounts.policy.may_see_dataset`)."""
    if user is SYSTEM or is_site_administrator(user):
        return True
    if not allows(user, Permission.VIEW_MEMBER, partnership):
        return False
    agreement = covering_agreement(partnership, dataset, None, on)
    if agreement is None:
        return False
    parties = {o.pk for o in agreement.parties.all()}
    return bool(parties & _user_organisations(user))


def public_agreements(partnership):
    """What the public list shows: every agreement past its draft (titles, parties, dates and
    purpose; nothing else)."""
    return (
        Agreement.objects.filter(partnership=partnership)
        .exclude(status=Agreement.Status.DRAFT)
        .prefetch_related("parties")
        .order_by("-starts", "title")
    )


def due_reminders(today: dt.date, days: int = REMIND_DAYS) -> list[tuple[Agreement, str, dt.date]]:
    """(agreement, "review" | "expiry", date) for each active agreement whose review date or
    expiry falls within `days` of `today` (or has passed) and has not been reminded of it."""
    horizon = today + dt.timedelta(days=days)
    out = []
    for a in Agreement.objects.filter(status=Agreement.Status.ACTIVE).select_related("partnership"):
        if a.review_date <= horizon and a.reminded_review != a.review_date:
            out.append((a, "review", a.review_date))
        if a.ends is not None and a.ends <= horizon and a.reminded_expiry != a.ends:
            out.append((a, "expiry", a.ends))
    return out


def _recipients(partnership) -> list[str]:
    from cdrp.accounts.models import PartnershipRole

    return sorted(
        {
            r.user.email
            for r in PartnershipRole.objects.filter(
                partnership=partnership, role__in=["coordinator", "administrator"]
            ).select_related("user")
            if r.user.email
        }
    )


def send_agreement_reminders(today: dt.date, days: int = REMIND_DAYS) -> list[str]:
    """Email the partnership's coordinators and administrators about each agreement due for
    review or expiring soon, once per date. Returns the agreements' titles reminded."""
    sent = []
    for agreement, what, when in due_reminders(today, days):
        to = _recipients(agreement.partnership)
        word = "review" if what == "review" else "expiry"
        if to:
            send_mail(
                f"Information sharing agreement due for {word}: {agreement.title}",
                f"The agreement “{agreement.title}” of {agreement.partnership} is due for "
                f"{word} on {when:%-d %B %Y}.",
                None,
                to,
            )
        if what == "review":
            agreement.reminded_review = when
        else:
            agreement.reminded_expiry = when
        agreement.save()
        sent.append(f"{agreement.title} ({word})")
    return sent


def _next_morning(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(LONDON)
    morning = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(7, 0), LONDON)
    return morning.astimezone(dt.UTC)


@task()
def daily_agreement_reminders(reschedule: bool = True) -> int:
    """The daily reminder task: sends what is due and queues itself for the next morning."""
    from cdrp.accounts.audit import acting_as

    with acting_as(None, "agreement reminders"):
        sent = send_agreement_reminders(dt.date.today())
    if reschedule:
        daily_agreement_reminders.using(run_after=_next_morning(dt.datetime.now(dt.UTC))).enqueue()
    return len(sent)


def agreement_evidence(partnership) -> list[evidence.Evidence]:
    """For the compliance rule on data-sharing agreements (`cdrp.partnerships.evidence`)."""
    return [
        evidence.Evidence(
            kind=evidence.DATA_SHARING_AGREEMENT,
            date=a.signed_on or a.starts,
            title=a.title,
            url=f"/sharing/{partnership.slug}/agreements/",
            period_start=a.starts,
            period_end=a.ends,
        )
        for a in Agreement.objects.filter(partnership=partnership).exclude(
            status=Agreement.Status.DRAFT
        )
        if a.status != Agreement.Status.SUSPENDED
    ]
