"""Merger proposals, the agreements they record and the transition that follows."""

from __future__ import annotations

import datetime as dt

from django.db import models

from cdrp.core.models import GovernanceRecord
from cdrp.partnerships.models.registry import Organisation, Partnership


class MergerProposal(GovernanceRecord):
    """A proposal to merge partnerships, moving through the six stages one at a time."""

    class Stage(models.IntegerChoices):
        DRAFT = 0, "Drafted"
        AGREED = 1, "Proposal agreed by every responsible authority"
        PILOT = 2, "Pilot of the merged partnership"
        APPLICATION = 3, "Application to the regional director"
        CONSIDERATION = 4, "Regional director considers the application"
        RECOMMENDATION = 5, "Recommended to the Secretary of State"
        ORDER = 6, "Order made"

    merged = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="merger_proposal"
    )
    predecessors = models.ManyToManyField(
        Partnership, related_name="merger_proposals_as_predecessor"
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.DRAFT)
    agreed_on = models.DateField(null=True, blank=True)
    pilot_from = models.DateField(null=True, blank=True)
    pilot_to = models.DateField(null=True, blank=True)
    application_on = models.DateField(null=True, blank=True)
    considered_on = models.DateField(null=True, blank=True)
    recommended_on = models.DateField(null=True, blank=True)
    order_on = models.DateField(null=True, blank=True, help_text="The date the order takes effect")
    order_reference = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    STAGE_DATE = {
        1: "agreed_on",
        2: "pilot_from",
        3: "application_on",
        4: "considered_on",
        5: "recommended_on",
        6: "order_on",
    }

    def __str__(self) -> str:
        return f"Merger into {self.merged}"

    def audit_partnership_id(self) -> int | None:
        return self.merged_id

    def stage_date(self, stage: int) -> dt.date | None:
        return getattr(self, self.STAGE_DATE[stage]) if stage in self.STAGE_DATE else None


class MergerAgreement(GovernanceRecord):
    """One responsible authority's agreement to the merger proposal (stage 1)."""

    proposal = models.ForeignKey(
        MergerProposal, on_delete=models.CASCADE, related_name="agreements"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    agreed_on = models.DateField()
    minute_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["agreed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="one_agreement_per_authority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} agreed {self.agreed_on:%-d %B %Y}"

    def audit_partnership_id(self) -> int | None:
        return self.proposal.merged_id if self.proposal is not None else None


class MergerTransition(GovernanceRecord):
    """The record of a proposal moving from one stage to the next."""

    proposal = models.ForeignKey(
        MergerProposal, on_delete=models.CASCADE, related_name="transitions"
    )
    from_stage = models.PositiveSmallIntegerField(choices=MergerProposal.Stage.choices)
    to_stage = models.PositiveSmallIntegerField(choices=MergerProposal.Stage.choices)
    on = models.DateField()
    actor = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["to_stage", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal}: stage {self.to_stage} on {self.on}"

    def audit_partnership_id(self) -> int | None:
        return self.proposal.merged_id if self.proposal is not None else None
