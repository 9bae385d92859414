"""Venues where a partnership's groups meet (the planner places meetings in them)."""

from __future__ import annotations

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
