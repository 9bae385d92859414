"""Accountability records: Face the People sessions and the public's questions, the Community
Call for Action (cdrp.scrutiny.law), and the crime and disorder committee's reviews with their
recommendations, tracked like actions. Every record is a GovernanceRecord: every write is
audited (cdrp.accounts.audit), and each names its partnership (`audit_partnership_id`), so the
policy resolves it only through that partnership."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from cdrp.core.models import GovernanceRecord

QUESTION_MAX = 2000


def _clock(t: dt.time) -> str:
    hour = t.hour % 12 or 12
    minutes = f":{t.minute:02d}" if t.minute else ""
    return f"{hour}{minutes}{'am' if t.hour < 12 else 'pm'}"


class PublicSession(GovernanceRecord):
    """A Face the People session: senior officers answer the public's questions in public."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="public_sessions"
    )
    title = models.CharField(max_length=200)
    date = models.DateField()
    starts = models.TimeField()
    ends = models.TimeField(null=True, blank=True)
    venue = models.CharField(max_length=300)
    panel = models.TextField(blank=True, help_text="Who will answer questions")
    questions_close = models.DateField(
        null=True, blank=True, help_text="The last day questions may be sent in"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    answers_published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%-d %B %Y})"

    @property
    def time_label(self) -> str:
        """GOV.UK style: "6:30pm to 8pm"."""
        label = _clock(self.starts)
        return f"{label} to {_clock(self.ends)}" if self.ends else label

    def accepts_questions(self, today: dt.date) -> bool:
        last = self.questions_close or self.date - dt.timedelta(days=1)
        return self.status == self.Status.PLANNED and today <= last


class Question(GovernanceRecord):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        APPROVED = "approved", "To be answered"
        REJECTED = "rejected", "Not accepted"
        ANSWERED = "answered", "Answered"

    session = models.ForeignKey(PublicSession, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(max_length=QUESTION_MAX)
    asked_by = models.CharField(max_length=100, blank=True, help_text="Name shown, if any")
    neighbourhood = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    held_because = models.CharField(max_length=200, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was not accepted")
    answer = models.TextField(blank=True)
    answered_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def audit_partnership_id(self) -> int | None:
        return self.session.partnership_id


class Councillor(GovernanceRecord):
    """A ward councillor who may raise a Community Call for Action with this partnership: a
    person of the registry, their ward and council. A councillor with a sign-in account
    (`Person.account`) raises calls themselves; a coordinator may record one for them."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="councillors"
    )
    person = models.ForeignKey(
        "partnerships.Person", on_delete=models.PROTECT, related_name="councillor_roles"
    )
    ward = models.CharField(max_length=200)
    council = models.ForeignKey(
        "partnerships.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="In a two-tier area, the district council",
    )

    class Meta:
        ordering = ["person__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "person", "ward"], name="one_ward_role")
        ]

    def __str__(self) -> str:
        return f"Councillor {self.person.name}, {self.ward}"


class CommunityCall(GovernanceRecord):
    """A Community Call for Action and each dated step of its life."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted: waiting to be screened"
        SCREENED_IN = "screened_in", "Meets the criteria"
        SCREENED_OUT = "screened_out", "Does not meet the criteria"
        REFERRED = "referred", "Referred to the crime and disorder committee"
        NOT_REFERRED = "not_referred", "Not referred"
        RECOMMENDED = "recommended", "Committee recommendations made: response due"
        RESPONDED = "responded", "Response published"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="community_calls"
    )
    number = models.PositiveIntegerField()
    councillor = models.ForeignKey(Councillor, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(max_length=200)
    matter = models.TextField(max_length=5000, help_text="The problem, in the residents' words")
    on_behalf_of = models.CharField(max_length=300, help_text="The residents it is raised for")
    routes_tried = models.TextField(
        max_length=3000, help_text="What has been tried already, and with whom"
    )
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.SUBMITTED)
    # Screening against the published criteria (cdrp.scrutiny.law.CRITERIA)
    local_matter = models.BooleanField(null=True)
    persistent = models.BooleanField(null=True)
    routes_tried_first = models.BooleanField(null=True)
    screening_reasons = models.TextField(blank=True)
    screened_on = models.DateField(null=True, blank=True)
    # Referral
    committee = models.CharField(max_length=200, blank=True)
    referral_reason = models.TextField(blank=True)
    referred_on = models.DateField(null=True, blank=True)
    # Committee
    recommendations = models.TextField(blank=True)
    recommendations_on = models.DateField(null=True, blank=True)
    # Response
    response_due = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    reminders_sent = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "number"], name="one_call_number")
        ]

    def __str__(self) -> str:
        return f"Call {self.number}: {self.title}"

    @property
    def reference(self) -> str:
        return f"CCfA {self.number}"

    @property
    def meets_criteria(self) -> bool | None:
        answers = (self.local_matter, self.persistent, self.routes_tried_first)
        if any(a is None for a in answers):
            return None
        return all(answers)

    @property
    def open(self) -> bool:
        return self.status not in {
            self.Status.SCREENED_OUT,
            self.Status.RESPONDED,
        }

    def on_time(self) -> bool | None:
        if self.response_due is None or self.responded_on is None:
            return None
        return self.responded_on <= self.response_due

    def steps(self) -> list[dict]:
        """The public log: every step taken, dated, in order."""
        out = [
            {
                "on": self.submitted_on,
                "what": "Submitted",
                "detail": f"Raised by {self.councillor} on behalf of {self.on_behalf_of}",
            }
        ]
        if self.screened_on:
            met = self.meets_criteria
            out.append(
                {
                    "on": self.screened_on,
                    "what": "Screened: meets the criteria"
                    if met
                    else "Screened: does not meet the criteria",
                    "detail": self.screening_reasons,
                }
            )
        if self.referred_on and self.status != self.Status.NOT_REFERRED:
            out.append(
                {
                    "on": self.referred_on,
                    "what": f"Referred to {self.committee or 'the crime and disorder committee'}",
                    "detail": self.referral_reason,
                }
            )
        elif self.referred_on:
            out.append(
                {"on": self.referred_on, "what": "Not referred", "detail": self.referral_reason}
            )
        if self.recommendations_on:
            out.append(
                {
                    "on": self.recommendations_on,
                    "what": "Committee recommendations made",
                    "detail": self.recommendations,
                }
            )
        if self.responded_on:
            out.append(
                {
                    "on": self.responded_on,
                    "what": "Partnership response published",
                    "detail": self.response,
                }
            )
        return out


class Review(GovernanceRecord):
    """A review of the partnership by the council's crime and disorder committee."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="scrutiny_reviews"
    )
    title = models.CharField(max_length=200)
    committee = models.CharField(max_length=200)
    started_on = models.DateField()
    reported_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    report_url = models.URLField(blank=True)

    class Meta:
        ordering = ["-started_on", "pk"]

    @property
    def report_link(self) -> str:
        """The report's address, only if it is a web (http or https) address: a stored value
        with any other scheme (javascript:, data:) is never made a link."""
        url = (self.report_url or "").strip()
        return url if url.lower().startswith(("https://", "http://")) else ""

    def __str__(self) -> str:
        return self.title


class Recommendation(GovernanceRecord):
    """A committee recommendation, tracked like an action (cdrp.meetings.models.Action): an
    owner, a due date, a status, and the partnership's response."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    class Decision(models.TextChoices):
        PENDING = "", "Not yet responded"
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField()
    owner = models.ForeignKey(
        "partnerships.Person", on_delete=models.PROTECT, related_name="scrutiny_recommendations"
    )
    due = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField(max_length=14, choices=Decision.choices, blank=True, default="")
    response = models.TextField(blank=True, help_text="The partnership's response")
    responded_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def audit_partnership_id(self) -> int | None:
        return self.review.partnership_id

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due < today
