"""Funding and commissioning records: streams, allocations, projects, variations, spend,
milestones and evaluations.

Moved from the plans app with their tables (``db_table`` keeps each ``plans_…`` name): the move
changed the models' home, not the database. Money is integer pence (`BigIntegerField`), never
float, checked non-negative in the database as well as in the services that write it.
"""

from __future__ import annotations

from django.db import models

from cdrp.core.models import GovernanceRecord


class FundingStream(GovernanceRecord):
    """Money a partnership holds or distributes: source, year, amount, conditions, and the
    formula (data) by which it is split between partnerships."""

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.PROTECT,
        related_name="funding_streams",
        help_text="The partnership (or county group) that holds the stream",
    )
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=200, help_text="Who provides it, e.g. the Home Office")
    financial_year = models.CharField(max_length=7, help_text="e.g. 2023/24")
    amount_pence = models.BigIntegerField()
    conditions = models.TextField(blank=True)
    formula = models.JSONField(
        default=dict, blank=True, help_text="How the stream is split (cdrp.plans.allocation)"
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "plans_fundingstream"
        ordering = ["-financial_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0), name="stream_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.financial_year}"


class Allocation(GovernanceRecord):
    """The part of a stream given to one partnership, with the figures behind its share."""

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="allocations")
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="allocations"
    )
    amount_pence = models.BigIntegerField()
    share = models.DecimalField(
        max_digits=12, decimal_places=10, null=True, blank=True, help_text="Share of the stream"
    )
    basis = models.JSONField(default=dict, blank=True, help_text="Formula inputs and shares")
    decision = models.ForeignKey(
        "meetings.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )

    class Meta:
        db_table = "plans_allocation"
        ordering = ["stream", "partnership__name"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "partnership"], name="allocation_once"),
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0), name="allocation_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream} → {self.partnership}"

    def audit_partnership_id(self) -> int | None:
        return self.stream.partnership_id


class Project(GovernanceRecord):
    """Work commissioned against a priority, possibly jointly by several partnerships."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        ACTIVE = "active", "In delivery"
        COMPLETE = "complete", "Complete"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="projects"
    )
    joint_with = models.ManyToManyField(
        "partnerships.Partnership",
        blank=True,
        related_name="joint_projects",
        help_text="Other partnerships commissioning it jointly",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    lead_organisation = models.ForeignKey(
        "partnerships.Organisation", on_delete=models.PROTECT, related_name="projects"
    )
    priority = models.ForeignKey(
        "plans.Priority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        help_text="The plan priority it is commissioned against",
    )
    allocation = models.ForeignKey(
        Allocation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text="The allocation that funds it",
    )
    budget_pence = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    approval_decision = models.ForeignKey(
        "meetings.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_projects",
        help_text="The strategy group's decision approving the spend",
    )
    published = models.BooleanField(default=False)

    class Meta:
        db_table = "plans_project"
        ordering = ["partnership", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_pence__gte=0), name="project_budget_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Variation(GovernanceRecord):
    """An increase to a project's budget; it counts only once approved by a decision."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="variations")
    amount_pence = models.BigIntegerField()
    reason = models.TextField()
    decision = models.ForeignKey(
        "meetings.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variations",
    )
    approved = models.BooleanField(default=False)

    class Meta:
        db_table = "plans_variation"
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0), name="variation_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"Variation to {self.project}"

    def audit_partnership_id(self) -> int | None:
        return self.project.partnership_id


class Spend(GovernanceRecord):
    """Money spent on a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spend")
    date = models.DateField()
    amount_pence = models.BigIntegerField()
    description = models.CharField(max_length=300)

    class Meta:
        db_table = "plans_spend"
        ordering = ["project", "date", "pk"]
        verbose_name_plural = "spend"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0), name="spend_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.amount_pence}p on {self.date}"

    def audit_partnership_id(self) -> int | None:
        return self.project.partnership_id


class Milestone(GovernanceRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "plans_milestone"
        ordering = ["project", "due"]

    def __str__(self) -> str:
        return self.title

    def audit_partnership_id(self) -> int | None:
        return self.project.partnership_id


class Evaluation(GovernanceRecord):
    """How a project is judged: the planned method, the outcome indicator, before/after in the
    target area against a comparison area (WDQ/WDD when a buffer is given), and the verdict."""

    class Verdict(models.TextChoices):
        PENDING = "pending", "Not yet evaluated"
        EFFECTIVE = "effective", "Effective"
        NO_EVIDENCE = "no_evidence", "No evidence of effect"
        WORSE = "worse", "Outcome worsened"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="evaluation")
    method = models.TextField(help_text="The planned method")
    categories = models.JSONField(default=list, help_text="Outcome: police.uk category slugs")
    target_areas = models.JSONField(default=list, help_text="LSOA codes of the target area")
    buffer_areas = models.JSONField(default=list, blank=True, help_text="LSOA codes")
    control_areas = models.JSONField(default=list, help_text="LSOA codes of the comparison area")
    before_start = models.CharField(max_length=7)
    before_end = models.CharField(max_length=7)
    after_start = models.CharField(max_length=7)
    after_end = models.CharField(max_length=7)
    result = models.JSONField(default=dict, blank=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, default=Verdict.PENDING)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "plans_evaluation"

    def __str__(self) -> str:
        return f"Evaluation of {self.project}"

    def audit_partnership_id(self) -> int | None:
        return self.project.partnership_id
