"""Records of the partnership's own review of how it works: the six hallmarks self-assessment
(the group's score and judgement per criterion, per year) and the annual review of members'
skills and knowledge (ratings by competence, and the training plan, whose items are actions of
the meetings app)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cdrp.core.models import GovernanceRecord


class SelfAssessment(GovernanceRecord):
    """One year's self-assessment against the six hallmarks (a financial year: April to
    March, `year` is the year it starts)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="hallmark_assessments"
    )
    year = models.PositiveSmallIntegerField(help_text="The financial year it starts, e.g. 2022")
    reported_to = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where it was reported, e.g. the strategy group and the audit committee",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["partnership", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year"], name="one_self_assessment_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"Hallmarks self-assessment {self.year}/{(self.year + 1) % 100:02d}"


class CriterionScore(GovernanceRecord):
    """The strategy group's score (1 to 4) and judgement on one criterion in one year."""

    class Score(models.IntegerChoices):
        WEAK = 1, "Weak"
        DEVELOPING = 2, "Developing"
        GOOD = 3, "Good"
        EXCELLENT = 4, "Excellent"

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(max_length=20)
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    judgement = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_score_display()}"

    def audit_partnership_id(self) -> int | None:
        return self.assessment.partnership_id


class SkillsReview(GovernanceRecord):
    """The annual review of whether the members of a group (normally the strategy group) have
    the skills and knowledge the partnership needs."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="skills_reviews"
    )
    group = models.ForeignKey(
        "partnerships.Group", on_delete=models.CASCADE, related_name="skills_reviews"
    )
    held_on = models.DateField(help_text="The day the group reviewed its skills")
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The meeting that considered the review (training actions are raised there)",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Skills and knowledge review, {self.held_on:%-d %B %Y}"


class SkillRating(GovernanceRecord):
    """A member's own rating of one competence (0 none to 3 could teach it)."""

    review = models.ForeignKey(SkillsReview, on_delete=models.CASCADE, related_name="ratings")
    person = models.ForeignKey(
        "partnerships.Person", on_delete=models.PROTECT, related_name="skill_ratings"
    )
    competence = models.CharField(max_length=30)
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(3)]
    )

    class Meta:
        ordering = ["review", "person", "competence"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "person", "competence"], name="one_rating_per_competence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.competence} {self.level}"

    def audit_partnership_id(self) -> int | None:
        return self.review.partnership_id


class TrainingItem(GovernanceRecord):
    """An item of the training plan: a competence gap and the action raised to close it."""

    review = models.ForeignKey(SkillsReview, on_delete=models.CASCADE, related_name="training")
    competence = models.CharField(max_length=30)
    action = models.OneToOneField(
        "meetings.Action", on_delete=models.CASCADE, related_name="training_item"
    )

    class Meta:
        ordering = ["review", "competence", "pk"]

    def __str__(self) -> str:
        return f"Training in {self.competence}"

    def audit_partnership_id(self) -> int | None:
        return self.review.partnership_id
