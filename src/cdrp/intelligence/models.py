"""Intelligence records: the strategic assessment (and its six-month refresh) as stored documents.

An `Assessment` keeps the structured document built by `cdrp.analysis.assessment` as JSON, with
the fingerprint of every input (store partitions, populations, weights, plan, survey,
parameters). Rendering reads the stored document only; `cdrp.intelligence.assessments.staleness`
compares the stored fingerprint with the inputs as they are now.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cdrp.core.models import GovernanceRecord
from cdrp.meetings.models import ApprovedByDecision


class Assessment(ApprovedByDecision, GovernanceRecord):
    """A strategic assessment or refresh for a partnership and a period."""

    class Kind(models.TextChoices):
        STRATEGIC = "strategic", "Strategic assessment"
        REFRESH = "refresh", "Six-month refresh"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEWED = "reviewed", "Reviewed by the officer working group"
        APPROVED = "approved", "Approved by the strategy group"
        PUBLISHED = "published", "Published"

    #: The one allowed next status of each status.
    NEXT = {
        Status.DRAFT: Status.REVIEWED,
        Status.REVIEWED: Status.APPROVED,
        Status.APPROVED: Status.PUBLISHED,
    }

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text="Empty when built for a list of districts given by hand",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STRATEGIC)
    title = models.CharField(max_length=300)
    period_start = models.CharField(max_length=7, help_text="First month, YYYY-MM")
    period_end = models.CharField(max_length=7, help_text="Last month, YYYY-MM")
    months = models.PositiveSmallIntegerField(default=12)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    document = models.JSONField(help_text="The structured assessment (cdrp.analysis.assessment)")
    fingerprint = models.JSONField(help_text="Fingerprints of every input at build time")
    parameters = models.JSONField(default=dict, help_text="What was asked for (to check again)")
    annual = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refreshes",
        help_text="For a refresh: the annual assessment it updates",
    )
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    build_seconds = models.FloatField(default=0)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "-built_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}..{self.period_end}"

    @property
    def next_status(self) -> str | None:
        return self.NEXT.get(self.Status(self.status))
