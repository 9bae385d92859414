"""Meetings of a partnership's groups, the decisions voted at them (one vote per body), their
agendas, attendance, papers, minutes and actions, and the venues and bookings the planner uses."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cdrp.analysis.errors import RefusedInput
from cdrp.core.models import GovernanceRecord


class ApprovedByDecision(models.Model):
    """A record the strategy group approves by a carried decision of one of its meetings (a
    strategic assessment, a plan revision): who recorded the approval and when, the decision, and
    the day it was approved, which is the decision's meeting date."""

    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_decision = models.ForeignKey(
        "meetings.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_%(class)ss",
        help_text="The strategy group's carried decision that approved it",
    )

    class Meta:
        abstract = True

    @property
    def approved_on(self) -> dt.date | None:
        """The day the strategy group approved it: the approving decision's meeting date (the
        record that fixes it), else the day the approval was recorded."""
        if self.approval_decision is not None:
            return self.approval_decision.meeting.date
        return self.approved_at.date() if self.approved_at else None


class MinutesLocked(RefusedInput, ValidationError):  # type: ignore[misc]  # both bases keep `message`; RefusedInput's is set
    """A change to a meeting whose minutes are approved (or to approved minutes), refused before
    anything was written. It is a `RefusedInput` (field and message) and a Django
    `ValidationError`, so every page, API and command that shows a refusal shows this one."""

    def __init__(self, field: str, message: str) -> None:
        RefusedInput.__init__(self, field, message)
        ValidationError.__init__(self, message, code="locked")

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


LOCKED = (
    "The minutes of the meeting of {date} are approved, so its minutes, attendance, decisions "
    "and votes can no longer change. Nothing was saved. A correction is an amendment agreed at "
    "a later meeting of the group (recorded there as a decision), which makes a new version."
)


def approved_meeting_ids(meeting_ids) -> set[int]:
    """Those of `meeting_ids` whose minutes are approved (as stored)."""
    ids = {i for i in meeting_ids if i is not None}
    if not ids:
        return set()
    return set(
        Minutes._base_manager.filter(meeting_id__in=ids, approved=True).values_list(
            "meeting_id", flat=True
        )
    )


def refuse_if_locked(meeting_ids, field: str = "") -> None:
    """Raise MinutesLocked if any of the meetings' minutes are approved."""
    locked = approved_meeting_ids(meeting_ids)
    if locked:
        first = Meeting._base_manager.filter(pk__in=locked).order_by("date").first()
        date = f"{first.date:%-d %B %Y}" if first else "this meeting"
        raise MinutesLocked(field, LOCKED.format(date=date))


APPROVAL_NEEDS = {
    "text": "Write the minutes before they are approved: they have no text yet",
    "attendance": (
        "Record who attended before the minutes are approved: no one is recorded as present "
        "or substituting"
    ),
}


def check_approvable(meeting_id: int, text: str) -> list[tuple[str, str]]:
    """What approved minutes need and these lack, as (field, message) pairs: text, and the
    attendance of at least one person present or substituting."""
    missing = []
    if not (text or "").strip():
        missing.append(("text", APPROVAL_NEEDS["text"]))
    if not Attendance._base_manager.filter(
        meeting_id=meeting_id,
        status__in=[Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE],
    ).exists():
        missing.append(("attendance", APPROVAL_NEEDS["attendance"]))
    return missing


def raise_unapprovable(missing: list[tuple[str, str]]) -> None:
    raise MinutesLocked(missing[0][0], ". ".join(m for _, m in missing) + ".")


class LockedQuerySet(models.QuerySet):
    """Bulk writes (`update`, `bulk_create`, `bulk_update`) skip `save()` and its signals: they
    are refused here when they touch a meeting whose minutes are approved. (`delete()` sends
    pre_delete for each row, which the guard in `cdrp.meetings.locks` refuses.)"""

    meeting_path = "meeting_id"

    def _meeting_ids(self):
        return set(self.values_list(self.meeting_path, flat=True))

    def update(self, **kwargs):
        refuse_if_locked(self._meeting_ids())
        if self.model is Minutes and kwargs.get("approved"):
            # Approval in bulk needs what approval one at a time needs.
            for meeting_id, text in self.values_list("meeting_id", "text"):
                if missing := check_approvable(meeting_id, kwargs.get("text", text)):
                    raise_unapprovable(missing)
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        refuse_if_locked({meeting_id_of(o) for o in objs})
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        refuse_if_locked({meeting_id_of(o) for o in objs})
        return super().bulk_update(objs, *args, **kwargs)


class MeetingQuerySet(LockedQuerySet):
    meeting_path = "pk"


class VoteQuerySet(LockedQuerySet):
    meeting_path = "decision__meeting_id"


class PaperQuerySet(LockedQuerySet):
    meeting_path = "item__meeting_id"


def meeting_id_of(record) -> int | None:
    """The meeting a meeting record belongs to (None for a record not tied to one)."""
    label = record._meta.label
    if label == "meetings.Meeting":
        return record.pk
    if label == "meetings.Vote":
        if record.decision_id is None:
            return None
        return (
            Decision._base_manager.filter(pk=record.decision_id)
            .values_list("meeting_id", flat=True)
            .first()
        )
    if label == "meetings.Paper":
        if record.item_id is None:
            return None
        return (
            AgendaItem._base_manager.filter(pk=record.item_id)
            .values_list("meeting_id", flat=True)
            .first()
        )
    if label == "meetings.MinutesAmendment":
        return None
    return getattr(record, "meeting_id", None)


class Meeting(GovernanceRecord):
    """A meeting of a group: its agenda, attendance, minutes and booking hang from it."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"

    group = models.ForeignKey(
        "partnerships.Group", on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    public = models.BooleanField(default=False, help_text="Open to the public")
    start_time = models.TimeField(
        null=True, blank=True, help_text="When it starts (UK time); blank while not fixed"
    )
    venue = models.CharField(
        max_length=300, blank=True, help_text="Where it is held: the room and address"
    )
    webcast_url = models.URLField(
        max_length=500, blank=True, help_text="The recording or live webcast, if there is one"
    )
    agenda_published_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the agenda and papers were published (open to inspection)",
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        # The table the model had when it lived in the partnerships app (moved without SQL).
        db_table = "partnerships_meeting"

    def __str__(self) -> str:
        return f"{self.group} – {self.date:%-d %B %Y}"

    def audit_partnership_id(self) -> int | None:
        return self.group.partnership_id if self.group is not None else None

    @property
    def webcast_link(self) -> str:
        """The webcast address, only if it is a web (http or https) address: a stored value
        with any other scheme (javascript:, data:) is never made a link."""
        url = (self.webcast_url or "").strip()
        return url if url.lower().startswith(("https://", "http://")) else ""


class Decision(GovernanceRecord):
    """A motion put to a vote at a meeting, with its counted result (one vote per body)."""

    class Result(models.TextChoices):
        CARRIED = "carried", "Carried"
        LOST = "lost", "Lost"
        INQUORATE = "inquorate", "Not quorate: no decision"
        # A majority for, at a meeting without its quorum: not carried until a quorate meeting
        # of the group ratifies it.
        RATIFY = "ratify", "Not quorate: for ratification"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    motion = models.TextField()
    result = models.CharField(max_length=10, choices=Result.choices)
    votes_for = models.PositiveIntegerField(default=0)
    votes_against = models.PositiveIntegerField(default=0)
    abstentions = models.PositiveIntegerField(default=0)
    bodies_present = models.PositiveIntegerField(default=0)
    quorum = models.PositiveIntegerField(default=0)
    casting_vote = models.CharField(max_length=10, blank=True, help_text="The chair's casting vote")

    objects = LockedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        # The table the model had when it lived in the partnerships app (moved without SQL).
        db_table = "partnerships_decision"

    def __str__(self) -> str:
        return f"{self.motion[:60]} ({self.get_result_display()})"

    def audit_partnership_id(self) -> int | None:
        return self.meeting.group.partnership_id if self.meeting_id else None


class Vote(GovernanceRecord):
    """One body's vote on a decision, and who cast it (several representatives count once)."""

    class Choice(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstain"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    body_key = models.CharField(max_length=100)
    body = models.CharField(max_length=200, help_text="Council area or agency")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    cast_by = models.ManyToManyField("partnerships.Person", related_name="votes_cast")

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["body"]
        # The table the model had when it lived in the partnerships app (moved without SQL); its
        # `cast_by` table follows: partnerships_vote_cast_by.
        db_table = "partnerships_vote"
        constraints = [
            models.UniqueConstraint(fields=["decision", "body_key"], name="one_vote_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.get_choice_display()}"

    def audit_partnership_id(self) -> int | None:
        return self.decision.meeting.group.partnership_id if self.decision_id else None


class Venue(GovernanceRecord):
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(max_length=200)
    district = models.ForeignKey(
        "partnerships.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venues",
        help_text="The district it is in: local groups meet in their own district",
    )
    capacity = models.PositiveIntegerField(help_text="Seats around the table")
    evening = models.BooleanField(default=True, help_text="Available for evening meetings")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="venue_name_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.capacity is not None and self.capacity < 2:
            raise ValidationError({"capacity": "A venue must seat at least two people"})


class Action(GovernanceRecord):
    """Something a meeting asked someone to do, carried to each next agenda until closed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="actions"
    )
    group = models.ForeignKey(
        "partnerships.Group", on_delete=models.CASCADE, related_name="actions"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions_raised",
    )
    description = models.TextField()
    owner = models.ForeignKey(
        "partnerships.Person", on_delete=models.PROTECT, related_name="actions"
    )
    organisation = models.ForeignKey(
        "partnerships.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    due = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What was done, or why it was dropped")
    closed_at = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions_closed",
        help_text="The meeting whose minutes record the action closed (none: closed between "
        "meetings)",
    )
    hotspot = models.CharField(
        max_length=12,
        blank=True,
        help_text="The LSOA or ward (ONS code) of the hot-spot it tackles",
    )
    priority = models.CharField(
        max_length=200, blank=True, help_text="The partnership priority it serves"
    )

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.OPEN and self.due < today


class AgendaItem(GovernanceRecord):
    class Kind(models.TextChoices):
        APOLOGIES = "apologies", "Apologies and substitutes"
        MINUTES = "minutes", "Minutes of the last meeting and matters arising"
        ACTION = "action", "Action carried forward"
        ITEM = "item", "Item"
        ASSESSMENT = "assessment", "Tactical assessment"
        AOB = "aob", "Any other business"

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ITEM)
    title = models.CharField(max_length=300)
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    restricted = models.BooleanField(
        default=False, help_text="Named offenders or victims: never public"
    )

    objects = LockedQuerySet.as_manager()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.title

    def audit_partnership_id(self) -> int | None:
        return self.meeting.group.partnership_id


class Attendance(GovernanceRecord):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        SUBSTITUTE = "substitute", "Substitute"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="attendance"
    )
    seat = models.ForeignKey(
        "partnerships.Seat", on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        "partnerships.Person", on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(max_length=12, choices=Status.choices)

    objects = LockedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "seat", "person"], name="one_attendance_per_seat_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"

    def audit_partnership_id(self) -> int | None:
        return self.meeting.group.partnership_id

    def clean(self) -> None:
        if self.seat_id and self.meeting_id and self.seat.group_id != self.meeting.group_id:
            raise ValidationError({"seat": f"“{self.seat}” is not a seat on {self.meeting.group}"})


def _paper_path(instance, filename: str) -> str:
    return f"papers/{instance.item.meeting_id}/{filename}"


class Paper(GovernanceRecord):
    """A paper for an agenda item. Type and size are checked on upload (by content, not by name);
    files are served only through a view that checks the reader's permission."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_paper_path)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_on = models.DateField(
        default=dt.date.today, help_text="The day it was published with the agenda"
    )

    objects = PaperQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title

    def audit_partnership_id(self) -> int | None:
        return self.item.meeting.group.partnership_id


class Declaration(GovernanceRecord):
    """A declaration of interest made at a meeting, by a person, on an agenda item (or on the
    meeting as a whole), recorded by the chair or the coordinator and shown in the minutes. Locked
    with the meeting once its minutes are approved."""

    class Kind(models.TextChoices):
        PECUNIARY = "pecuniary", "Disclosable pecuniary interest"
        REGISTRABLE = "registrable", "Other registrable interest"
        NON_REGISTRABLE = "non-registrable", "Non-registrable interest"

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="declarations"
    )
    item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declarations",
        help_text="The agenda item it concerns (blank: the whole meeting)",
    )
    person = models.ForeignKey(
        "partnerships.Person", on_delete=models.PROTECT, related_name="declarations"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.TextField(blank=True, help_text="The interest, and whether they left the room")

    objects = LockedQuerySet.as_manager()

    class Meta:
        ordering = ["item__position", "pk"]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()}"

    def audit_partnership_id(self) -> int | None:
        return self.meeting.group.partnership_id

    def clean(self) -> None:
        item = self.item if self.item_id else None
        if item is not None and self.meeting_id and item.meeting_id != self.meeting_id:
            raise ValidationError({"item": "That agenda item is not on this meeting's agenda"})


class KeyDecision(GovernanceRecord):
    """An entry in the forward plan: a key decision the partnership expects to take, when, by
    which group, and the documents the decision-maker will consider. Public once entered."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        TAKEN = "taken", "Taken"
        WITHDRAWN = "withdrawn", "Withdrawn"

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="key_decisions"
    )
    group = models.ForeignKey(
        "partnerships.Group",
        on_delete=models.CASCADE,
        related_name="key_decisions",
        help_text="The decision-maker",
    )
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    expected_on = models.DateField(help_text="When the decision is expected")
    documents = models.TextField(blank=True, help_text="The documents to be considered, one a line")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["expected_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class Minutes(GovernanceRecord):
    """The narrative minutes of a meeting, edited by the clerk; two people saving at once never
    lose each other's text (the second gets a conflict message and keeps what they typed).

    Approved minutes are the record of what happened: they need their text and the meeting's
    attendance, and once approved neither they nor the meeting's attendance, decisions and votes
    change (`cdrp.meetings.locks`). A correction is a `MinutesAmendment`: a new version."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="minutes_record"
    )
    text = models.TextField(blank=True)
    approved = models.BooleanField(default=False)

    objects = LockedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"

    def audit_partnership_id(self) -> int | None:
        return self.meeting.group.partnership_id

    def versions(self) -> list[dict]:
        """Every version, oldest first: the approved text, then each amendment."""
        out = [{"number": 1, "text": self.text, "amendment": None}]
        for a in self.amendments.select_related("decision__meeting__group").order_by("number"):
            out.append({"number": a.number, "text": a.text, "amendment": a})
        return out

    @property
    def current_text(self) -> str:
        """The text of the newest version."""
        latest = self.amendments.order_by("-number").first()
        return latest.text if latest else self.text


class MinutesAmendment(GovernanceRecord):
    """A correction of approved minutes, agreed at a later meeting of the group as its own
    (carried) decision: the next version of the text, with the reason. Never changed or deleted:
    every version stays visible."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveIntegerField(
        help_text="The version this makes (the approved text is 1)"
    )
    text = models.TextField()
    reason = models.TextField()
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        related_name="minutes_amendments",
        help_text="The decision of a later meeting that agreed the amendment",
    )

    class Meta:
        ordering = ["minutes", "number"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="one_minutes_version")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.minutes}"

    def audit_partnership_id(self) -> int | None:
        return self.minutes.meeting.group.partnership_id


class Booking(GovernanceRecord):
    """When and where a meeting is held: its time and venue, and whether the coordinator has
    pinned it so that re-planning the year plans around it."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="booking"
    )
    start = models.TimeField()
    end = models.TimeField()
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL)
    pinned = models.BooleanField(default=False)
    plan_key = models.CharField(
        max_length=120, blank=True, db_index=True, help_text="group-year-index of the planner"
    )

    def __str__(self) -> str:
        return f"{self.meeting} {self.start:%H:%M}"

    def audit_partnership_id(self) -> int | None:
        return self.meeting.group.partnership_id
