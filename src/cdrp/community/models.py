"""Communities: consultations and surveys with their responses, PACT meetings and the priorities
residents vote for, public summaries of approved strategic assessments, actions shown to the
public, and e-mail subscriptions per area.

Coordinators' records are governance records (every write audited). Residents' responses are
not: they are anonymous, hold no account, and are deleted on the survey's retention date (its
published results are kept as figures in `Survey.results`)."""

from __future__ import annotations

from django.db import models

from cdrp.core.models import GovernanceRecord
from cdrp.meetings.models import ApprovedByDecision

#: The problem scale of community safety surveys (cdrp.analysis.concern.PROBLEM_SCALE order).
PROBLEM_SCALE = [
    "Very big problem",
    "Fairly big problem",
    "Not a very big problem",
    "Not a problem at all",
]

DEFAULT_PRIVACY_NOTICE = (
    "Your answers are anonymous: we do not ask for your name or contact details, and we do not "
    "keep your internet address with your answers. Please do not write anything that identifies "
    "you or anyone else; answers that include an e-mail address or a telephone number are held "
    "back and read by a moderator before they are used. The partnership uses the answers to "
    "understand what matters to people here, publishes the results only as totals (small numbers "
    "are not shown), and deletes the answers on the retention date below."
)


class Survey(GovernanceRecord):
    """A consultation or survey a coordinator builds, opens, closes and publishes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        PUBLISHED = "published", "Results published"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="surveys"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    privacy_notice = models.TextField(default=DEFAULT_PRIVACY_NOTICE)
    anonymous = models.BooleanField(
        default=True, help_text="Responses carry no name, contact or network address"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    ward = models.ForeignKey(
        "partnerships.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The ward it asks about (empty: the whole partnership)",
    )
    opened_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(help_text="The last day for responses")
    closed_on = models.DateField(null=True, blank=True)
    retain_until = models.DateField(help_text="Responses are deleted after this day")
    published_on = models.DateField(null=True, blank=True)
    results = models.JSONField(
        null=True, blank=True, help_text="The published results (kept after the responses go)"
    )
    responses_deleted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "-closes_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(GovernanceRecord):
    class Kind(models.TextChoices):
        SINGLE = "single", "One answer from a list"
        MULTIPLE = "multiple", "Any answers from a list"
        SCALE = "scale", "How big a problem (scale)"
        TEXT = "text", "Free text"
        AREA = "area", "Which ward the respondent lives in"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    options = models.JSONField(default=list, blank=True, help_text="Answers to choose from")
    concern = models.CharField(
        max_length=100,
        blank=True,
        help_text="For a scale question: the concern it rates (a police.uk category name, or "
        "any other, e.g. Speeding); ticked options of a list question are concerns too",
    )
    feeds_assessment = models.BooleanField(
        default=True, help_text="Use its answers in the strategic assessment's community views"
    )
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    def audit_partnership_id(self) -> int | None:
        return self.survey.partnership_id

    def choices(self) -> list[str]:
        if self.kind == self.Kind.SCALE:
            return list(self.options) or PROBLEM_SCALE
        return list(self.options)


class Response(models.Model):
    """One resident's answers. Not audited (it is anonymous); deleted on the retention date."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        HELD = "held", "Held for moderation"
        REJECTED = "rejected", "Rejected by a moderator"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField()
    ward = models.CharField(max_length=12, blank=True, help_text="Ward code, if given")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    held_because = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["survey", "pk"]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    theme = models.CharField(
        max_length=100, blank=True, help_text="The moderator's theme for a free-text answer"
    )
    moderated = models.BooleanField(default=False)
    text_withheld = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class ModerationDecision(GovernanceRecord):
    """What a moderator decided about a held response or a free-text answer (audited; the text
    itself is not copied here)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="moderations")
    response_id_ref = models.PositiveIntegerField()
    outcome = models.CharField(max_length=40)
    theme = models.CharField(max_length=100, blank=True)


class PactMeeting(GovernanceRecord):
    """A Partners and Communities Together meeting for a ward: a public meeting of one of the
    partnership's groups, where residents choose up to three priorities for the next period."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="pact_meetings"
    )
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="pact"
    )
    ward = models.ForeignKey("partnerships.Area", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=100, help_text="e.g. January to March 2027")
    attendees = models.PositiveIntegerField(default=0, help_text="Residents attending")

    class Meta:
        ordering = ["-meeting__date", "pk"]

    def __str__(self) -> str:
        return f"PACT {self.ward.name} {self.meeting.date:%-d %B %Y}"


class PactPriority(GovernanceRecord):
    """An issue residents raised at a PACT meeting, its votes there, and whether it was chosen."""

    pact = models.ForeignKey(PactMeeting, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    votes = models.PositiveIntegerField(default=0)
    chosen = models.BooleanField(default=False)
    action = models.OneToOneField(
        "meetings.Action",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pact_priority",
    )

    class Meta:
        ordering = ["pact", "-votes", "title"]

    def __str__(self) -> str:
        return self.title

    def audit_partnership_id(self) -> int | None:
        return self.pact.partnership_id


class ActionPublication(GovernanceRecord):
    """An action of the partnership shown on the public area pages (with its ward)."""

    action = models.OneToOneField(
        "meetings.Action", on_delete=models.CASCADE, related_name="publication"
    )
    ward = models.ForeignKey(
        "partnerships.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_text = models.CharField(
        max_length=300, blank=True, help_text="How it reads in public (default: its description)"
    )

    def audit_partnership_id(self) -> int | None:
        return self.action.partnership_id


class AssessmentSummary(ApprovedByDecision, GovernanceRecord):
    """The public summary of an approved strategic assessment, published by a strategy decision."""

    assessment = models.OneToOneField(
        "intelligence.Assessment", on_delete=models.CASCADE, related_name="public_summary"
    )
    priorities = models.TextField(help_text="The priorities, one a line")
    trends = models.TextField(help_text="The trends in plain words")
    community = models.TextField(blank=True, help_text="What the community said")
    published_on = models.DateField(null=True, blank=True)

    def audit_partnership_id(self) -> int | None:
        return self.assessment.partnership_id

    @property
    def priority_lines(self) -> list[str]:
        return [line.strip() for line in self.priorities.splitlines() if line.strip()]


class Subscription(models.Model):
    """An e-mail address that asked for news of one area (a ward, or the whole partnership).
    Confirmed by a signed link (double opt-in); every message carries a one-click unsubscribe."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="subscriptions"
    )
    ward = models.ForeignKey(
        "partnerships.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "ward", "email"], name="subscription_once"
            )
        ]

    def __str__(self) -> str:
        return f"Alerts for {self.ward_id or self.partnership_id}"
