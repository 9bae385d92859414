"""Plan records, and the manual series a plan's indicators read.

The partnership's 3-year rolling plan is kept as versions: each `Plan` row is one revision
(draft → approved by a strategy group decision → superseded by the next approved revision).
An approved or superseded revision, and everything under it (priorities, objectives,
commitments, indicators, targets, engagement commitments), can no longer change: a revision
starts as a copy of the one before (`cdrp.plans.services.revise`).

Funding and commissioning records are the funding app's (`cdrp.funding.models`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cdrp.core.models import GovernanceRecord
from cdrp.meetings.models import ApprovedByDecision


class PlanLocked(ValidationError):
    """A change to a plan revision that is no longer a draft."""


# --- Partnership plan -------------------------------------------------------------------------


class Plan(ApprovedByDecision, GovernanceRecord):
    """One revision of a partnership's 3-year rolling plan."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved by the strategy group"
        SUPERSEDED = "superseded", "Superseded"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="plans"
    )
    revision = models.PositiveIntegerField(help_text="1 for the first plan, then 2, 3 …")
    title = models.CharField(max_length=300)
    period_start = models.CharField(max_length=7, help_text="First month of the plan, YYYY-MM")
    period_end = models.CharField(max_length=7, help_text="Last month of the plan, YYYY-MM")
    summary = models.TextField(blank=True, help_text="The plan's introduction and aims")
    change_note = models.TextField(blank=True, help_text="What this revision changed, and why")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    revises = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    assessment = models.ForeignKey(
        "intelligence.Assessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        help_text="The strategic assessment whose recommended priorities seeded the plan",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "revision"], name="plan_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} (revision {self.revision})"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def check_editable(self) -> None:
        if not self.editable:
            raise PlanLocked(
                f"Revision {self.revision} of “{self.title}” is "
                f"{self.get_status_display().lower()}: it cannot be changed. Start a new "
                "revision to change the plan."
            )


class PlanPart(GovernanceRecord):
    """A record inside a plan revision: refused once the revision is no longer a draft."""

    class Meta:
        abstract = True

    def plan_of(self) -> Plan:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def audit_partnership_id(self) -> int | None:
        return self.plan_of().partnership_id

    def save(self, *args, **kwargs):
        self.plan_of().check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.plan_of().check_editable()
        return super().delete(*args, **kwargs)


class Priority(PlanPart):
    """A priority of the plan, usually one of the assessment's recommended priorities."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    rationale = models.TextField(blank=True, help_text="Why it is a priority: the evidence")
    categories = models.JSONField(
        default=list, blank=True, help_text="police.uk category slugs it covers"
    )
    score = models.FloatField(
        null=True, blank=True, help_text="Score in the assessment's priority matrix (0-100)"
    )

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.name

    def plan_of(self) -> Plan:
        return self.plan


class Objective(PlanPart):
    """What the partnership will do about a priority, owned by a delivery group."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    owner = models.ForeignKey(
        "partnerships.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objectives",
        help_text="The delivery group that owns the objective",
    )

    class Meta:
        ordering = ["priority", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def plan_of(self) -> Plan:
        return self.priority.plan


class Commitment(PlanPart):
    """A partner's role in an objective and the resources it commits."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="commitments")
    organisation = models.ForeignKey(
        "partnerships.Organisation", on_delete=models.PROTECT, related_name="commitments"
    )
    role = models.TextField(help_text="What the organisation does")
    resources = models.TextField(blank=True, help_text="Staff time, services, in-kind support")
    amount_pence = models.BigIntegerField(
        null=True, blank=True, help_text="Money committed, in pence (optional)"
    )

    class Meta:
        ordering = ["objective", "organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0) | models.Q(amount_pence__isnull=True),
                name="commitment_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.role[:60]}"

    def plan_of(self) -> Plan:
        return self.objective.priority.plan


class EngagementCommitment(PlanPart):
    """How the partnership will hear from and report to its communities."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="engagement")
    position = models.PositiveIntegerField(default=0)
    commitment = models.TextField()
    method = models.CharField(max_length=200, blank=True, help_text="e.g. public meeting, survey")
    timing = models.CharField(max_length=200, blank=True, help_text="e.g. every autumn")

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.commitment[:80]

    def plan_of(self) -> Plan:
        return self.plan


class ManualSeries(GovernanceRecord):
    """A partner measure entered by hand month by month (e.g. the PPO cohort's re-offending).

    With a denominator (cohort size) each value is a count out of it: a proportion, judged with
    a binomial interval. Without one, a count, judged with a Poisson interval."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="manual_series"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Who supplies the figures")
    has_denominator = models.BooleanField(
        default=False, help_text="Each value is a count out of a denominator (a proportion)"
    )

    class Meta:
        ordering = ["partnership", "name"]
        verbose_name_plural = "manual series"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="manual_series_slug")
        ]

    def __str__(self) -> str:
        return self.name


class SeriesValue(GovernanceRecord):
    """One month of a manual series."""

    series = models.ForeignKey(ManualSeries, on_delete=models.CASCADE, related_name="values")
    month = models.CharField(max_length=7, help_text="YYYY-MM")
    value = models.PositiveIntegerField(help_text="The count for the month")
    denominator = models.PositiveIntegerField(
        null=True, blank=True, help_text="Out of how many (for a proportion)"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["series", "month"]
        constraints = [
            models.UniqueConstraint(fields=["series", "month"], name="series_value_month")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.month}: {self.value}"

    def audit_partnership_id(self) -> int | None:
        return self.series.partnership_id


class Indicator(PlanPart):
    """How progress on an objective is measured: a query on the incident store or a manual
    series."""

    class Source(models.TextChoices):
        STORE = "store", "Incident store (police.uk and partner data)"
        MANUAL = "manual", "Entered by hand (partner measure)"

    class Measure(models.TextChoices):
        COUNT = "count", "Number of records"
        RATE = "rate", "Rate per 1,000 residents"

    class Direction(models.TextChoices):
        LOWER = "lower", "Lower is better"
        HIGHER = "higher", "Higher is better"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STORE)
    categories = models.JSONField(
        default=list, blank=True, help_text="police.uk category slugs (store indicators)"
    )
    areas = models.JSONField(
        default=list,
        blank=True,
        help_text="District codes; empty for all the partnership's districts (store indicators)",
    )
    measure = models.CharField(max_length=10, choices=Measure.choices, default=Measure.COUNT)
    harm_weighted = models.BooleanField(
        default=False, help_text="Weight each record by the harm index (store indicators)"
    )
    series = models.ForeignKey(
        ManualSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text="The manual series (manual indicators)",
    )
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.LOWER)

    class Meta:
        ordering = ["objective", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    def plan_of(self) -> Plan:
        return self.objective.priority.plan


class Target(PlanPart):
    """What an indicator should reach over a target period (normally a plan year)."""

    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", "An absolute figure"
        CHANGE = "change", "A percentage change on a baseline period"
        FAMILY = "family", "Better than the family (most similar group) average"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The figure (absolute) or the percentage change (change); empty for family",
    )
    baseline_start = models.CharField(max_length=7, blank=True, help_text="YYYY-MM")
    baseline_end = models.CharField(max_length=7, blank=True, help_text="YYYY-MM")
    period_start = models.CharField(max_length=7, help_text="First month the target covers")
    period_end = models.CharField(max_length=7, help_text="Last month the target covers")

    class Meta:
        ordering = ["indicator", "period_start"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.period_start} to {self.period_end})"

    def plan_of(self) -> Plan:
        return self.indicator.objective.priority.plan
