"""Restricted information: information sharing agreements, offender cohorts (PPO/IOM) and the
partner offences linked to them, case lists (MARAC, MATAC, ASB case review) with their actions,
the prescribed-information tracker, and the log of what retention deleted.

Personal fields are encrypted at rest (`cdrp.sharing.crypto`) and named as personal, with the
purpose and basis of their processing, in `PROCESSING` (the record of processing is generated
from it and from the models: `cdrp.sharing.processing`). No record's `str` says anything
personal: it is what the audit trail keeps as the record's title.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from cdrp.core.models import GovernanceRecord
from cdrp.sharing.crypto import EncryptedDateField, EncryptedTextField

__all__ = [
    "Dataset",
    "Agreement",
    "CohortMember",
    "PartnerOffence",
    "Case",
    "CaseAction",
    "PrescribedReturn",
    "DeletionRecord",
]


class Dataset(models.TextChoices):
    """What partners share. The first six are the depersonalised information the 2007
    regulations prescribe (`cdrp.sharing.prescribed`); the rest are personal."""

    POLICE_CRIME = "police_crime", "Police: recorded crime (depersonalised)"
    POLICE_INCIDENTS = "police_incidents", "Police: anti-social behaviour incidents"
    FIRE_INCIDENTS = "fire_incidents", "Fire and rescue: deliberate fires and incidents"
    COUNCIL_ASB = "council_asb", "Council: anti-social behaviour and environmental crime"
    HEALTH_ASSAULTS = "health_assaults", "Health: violence-related hospital admissions"
    PROBATION = "probation", "Probation: offenders and re-offending (depersonalised)"
    PPO_OFFENCES = "ppo_offences", "Offences by members of the offender cohort (personal)"
    COHORT = "cohort", "Offender cohort register (personal)"
    CASES = "cases", "Case lists: MARAC, MATAC, ASB case review (personal)"


PERSONAL_DATASETS = frozenset({Dataset.PPO_OFFENCES, Dataset.COHORT, Dataset.CASES})


class Agreement(GovernanceRecord):
    """An information sharing agreement (protocol) between the partnership's organisations."""

    class LegalBasis(models.TextChoices):
        S115 = "s115", "Crime and Disorder Act 1998, section 115 (power to disclose)"
        S17A = (
            "s17a",
            "Crime and Disorder Act 1998, section 17A (sharing depersonalised information)",
        )

    class ProtectionBasis(models.TextChoices):
        PUBLIC_TASK = "public_task", "UK GDPR Article 6(1)(e): a task in the public interest"
        LEGAL_OBLIGATION = "legal_obligation", "UK GDPR Article 6(1)(c): a legal obligation"
        LAW_ENFORCEMENT = (
            "law_enforcement",
            ("Data Protection Act 2018, Part 3 (law enforcement processing), section 35"),
        )
        NONE = "none", "None needed: depersonalised information only"

    class Personal(models.TextChoices):
        PERSONAL = "personal", "Personal"
        DEPERSONALISED = "depersonalised", "Depersonalised"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        ENDED = "ended", "Ended"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="sharing_agreements"
    )
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    parties = models.ManyToManyField(
        "partnerships.Organisation", related_name="sharing_agreements", blank=True
    )
    legal_basis = models.CharField(
        max_length=10, choices=LegalBasis.choices, default=LegalBasis.S115
    )
    protection_basis = models.CharField(
        max_length=20, choices=ProtectionBasis.choices, default=ProtectionBasis.PUBLIC_TASK
    )
    datasets = models.JSONField(default=list, help_text="Dataset slugs the agreement covers")
    personal = models.CharField(max_length=16, choices=Personal.choices)
    retention = models.CharField(max_length=300, help_text="How long shared records are kept")
    signed_on = models.DateField(null=True, blank=True)
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True, help_text="Expiry (empty: until ended)")
    review_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reminded_review = models.DateField(null=True, blank=True, editable=False)
    reminded_expiry = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["partnership", "-starts", "title"]

    def __str__(self) -> str:
        return self.title

    def in_force(self, on: dt.date) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and self.starts <= on
            and (self.ends is None or on <= self.ends)
        )

    def dataset_labels(self) -> list[str]:
        labels = dict(Dataset.choices)
        return [labels.get(d, d) for d in self.datasets]


class RestrictedRecord(GovernanceRecord):
    """A record of a restricted group: readable by the group's current members only
    (`cdrp.accounts.policy.may_see_restricted`), every read audited."""

    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.CASCADE)
    group = models.ForeignKey(
        "partnerships.Group",
        on_delete=models.PROTECT,
        help_text="The restricted group whose members alone may read it",
    )
    legal_hold = models.BooleanField(
        default=False, help_text="Kept past its retention date (litigation, inquiry, review)"
    )
    hold_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    def restricting_group_id(self) -> int:
        return self.group_id


class CohortMember(RestrictedRecord):
    """A person in the prolific and priority offender (or IOM) cohort."""

    PROCESSING = {
        "purpose": "Managing prolific and priority offenders (Prevent and Deter, Catch and "
        "Convict, Rehabilitate and Resettle) and measuring the cohort's re-offending",
        "basis": "Crime and Disorder Act 1998 s.115; Data Protection Act 2018 Part 3 (law "
        "enforcement processing, s.35) for the police and probation; UK GDPR Art. 6(1)(e) and "
        "Art. 10 with DPA 2018 Sch. 1 para 10 (preventing or detecting unlawful acts) for others",
        "subjects": "Offenders adopted into the cohort",
        "recipients": "Current members of the cohort's restricted group",
    }

    class Strand(models.TextChoices):
        PREVENT_DETER = "prevent_deter", "Prevent and Deter"
        CATCH_CONVICT = "catch_convict", "Catch and Convict"
        REHABILITATE_RESETTLE = "rehabilitate_resettle", "Rehabilitate and Resettle"

    name = EncryptedTextField()
    date_of_birth = EncryptedDateField(null=True, blank=True)
    references = EncryptedTextField(
        blank=True, help_text="Reference numbers (police national computer, probation case)"
    )
    strand = models.CharField(max_length=24, choices=Strand.choices)
    entered = models.DateField(help_text="Adopted into the cohort")
    left = models.DateField(null=True, blank=True, help_text="Left the cohort")
    lead_officer = models.ForeignKey(
        "partnerships.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agencies = models.ManyToManyField(
        "partnerships.Organisation", blank=True, related_name="cohort_members"
    )

    class Meta:
        ordering = ["partnership", "entered", "pk"]

    def __str__(self) -> str:
        return f"Cohort member {self.pk}"

    def in_cohort(self, start: dt.date, end: dt.date) -> bool:
        """In the cohort at some time from `start` to `end`."""
        return self.entered <= end and (self.left is None or self.left >= start)


class PartnerOffence(GovernanceRecord):
    """An offence by a cohort member, from partner data (police or probation)."""

    PROCESSING = {
        "purpose": "Measuring the cohort's re-offending (frequency and binary measures)",
        "basis": "Crime and Disorder Act 1998 s.115 under an information sharing agreement; "
        "Data Protection Act 2018 Part 3, s.35",
        "subjects": "Offenders in the cohort",
        "recipients": "Current members of the cohort's restricted group; aggregates only, "
        "suppressed, to everyone else",
    }

    member = models.ForeignKey(CohortMember, on_delete=models.CASCADE, related_name="offences")
    supplied_by = models.ForeignKey(
        "partnerships.Organisation", null=True, blank=True, on_delete=models.SET_NULL
    )
    offence_date = models.DateField()
    category = models.CharField(max_length=80)
    reference = EncryptedTextField(blank=True, help_text="The crime reference")

    class Meta:
        ordering = ["offence_date", "pk"]

    def __str__(self) -> str:
        return f"Offence {self.pk} by cohort member {self.member_id}"

    def audit_partnership_id(self) -> int | None:
        return self.member.partnership_id

    def restricting_group_id(self) -> int:
        return self.member.group_id


class Case(RestrictedRecord):
    """A case of a MARAC, a MATAC or an ASB case review."""

    PROCESSING = {
        "purpose": "Safeguarding victims at high risk (MARAC), tackling perpetrators of domestic "
        "abuse (MATAC) and reviewing responses to anti-social behaviour (ASB case review)",
        "basis": "Crime and Disorder Act 1998 s.115; UK GDPR Art. 6(1)(e) and Art. 9(2)(g) with "
        "DPA 2018 Sch. 1 para 18 (safeguarding of individuals at risk); DPA 2018 Part 3 for the "
        "police; the ASB case review: Anti-social Behaviour, Crime and Policing Act 2014 s.104",
        "subjects": "Victims, perpetrators and complainants",
        "recipients": "Current members of the case list's restricted group",
    }

    class Kind(models.TextChoices):
        MARAC = "marac", "MARAC (multi-agency risk assessment conference)"
        MATAC = "matac", "MATAC (multi-agency tasking and co-ordination)"
        ASB = "asb", "ASB case review"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    subject_name = EncryptedTextField()
    subject_date_of_birth = EncryptedDateField(null=True, blank=True)
    references = EncryptedTextField(blank=True)
    summary = EncryptedTextField(blank=True)
    opened = models.DateField()
    review_date = models.DateField()
    closed = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "review_date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(' (')[0]} case {self.pk}"


class CaseAction(GovernanceRecord):
    """An action agreed on a case."""

    PROCESSING = {
        "purpose": "Recording and following up the actions agencies agree on a case",
        "basis": "As the case it belongs to",
        "subjects": "As the case",
        "recipients": "Current members of the case list's restricted group",
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    text = EncryptedTextField()
    agency = models.ForeignKey(
        "partnerships.Organisation", null=True, blank=True, on_delete=models.SET_NULL
    )
    due = models.DateField()
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"Action {self.pk} on case {self.case_id}"

    def audit_partnership_id(self) -> int | None:
        return self.case.partnership_id

    def restricting_group_id(self) -> int:
        return self.case.group_id


class PrescribedReturn(GovernanceRecord):
    """One quarter's prescribed information from one responsible authority (SI 2007/1831)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="prescribed_returns"
    )
    organisation = models.ForeignKey("partnerships.Organisation", on_delete=models.CASCADE)
    dataset = models.CharField(max_length=20, choices=Dataset.choices)
    quarter = models.CharField(max_length=7, help_text="e.g. 2024-Q1 (January to March)")
    received_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "quarter", "dataset"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation", "dataset", "quarter"],
                name="prescribed_return_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()}, {self.quarter}"


class DeletionRecord(models.Model):
    """What the retention task deleted or anonymised: the kind, the id and the rule, never what
    the record said."""

    at = models.DateTimeField()
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    partnership_id = models.IntegerField(null=True)
    action = models.CharField(max_length=12)  # deleted | anonymised
    rule = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.object_id}"
