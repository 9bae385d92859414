"""Venues where a partnership's groups meet (the planner places meetings in them)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cdrp.core.models import GovernanceRecord


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
        "partnerships.Meeting",
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

    meeting = models.ForeignKey(
        "partnerships.Meeting", on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ITEM)
    title = models.CharField(max_length=300)
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    restricted = models.BooleanField(
        default=False, help_text="Named offenders or victims: never public"
    )

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
        "partnerships.Meeting", on_delete=models.CASCADE, related_name="attendance"
    )
    seat = models.ForeignKey(
        "partnerships.Seat", on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        "partnerships.Person", on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(max_length=12, choices=Status.choices)

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

    def __str__(self) -> str:
        return self.title

    def audit_partnership_id(self) -> int | None:
        return self.item.meeting.group.partnership_id


class Minutes(GovernanceRecord):
    """The narrative minutes of a meeting, edited by the clerk; two people saving at once never
    lose each other's text (the second gets a conflict message and keeps what they typed)."""

    meeting = models.OneToOneField(
        "partnerships.Meeting", on_delete=models.CASCADE, related_name="minutes_record"
    )
    text = models.TextField(blank=True)
    approved = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"

    def audit_partnership_id(self) -> int | None:
        return self.meeting.group.partnership_id


class Booking(GovernanceRecord):
    """When and where a meeting is held: its time and venue, and whether the coordinator has
    pinned it so that re-planning the year plans around it."""

    meeting = models.OneToOneField(
        "partnerships.Meeting", on_delete=models.CASCADE, related_name="booking"
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
