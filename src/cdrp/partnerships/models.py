"""The partnership registry: partnerships (CSP/CDRP) and, as it grows, their structure."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from cdrp.core.models import GovernanceRecord


class Area(models.Model):
    """A place in the geography hierarchy: LSOA → ward → district → county → police force area.

    Reference data loaded by `cdrp import geography` (ONS codes); geometry is GeoJSON text in
    WGS84 where boundaries are loaded, empty otherwise.
    """

    class Level(models.TextChoices):
        LSOA = "lsoa", "Lower layer super output area"
        WARD = "ward", "Ward"
        DISTRICT = "district", "District"
        COUNTY = "county", "County"
        FORCE = "force", "Police force area"
        REGION = "region", "Region"
        COUNTRY = "country", "Country"

    code = models.CharField(max_length=12, unique=True, help_text="ONS GSS code, e.g. E07000118")
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    geometry = models.TextField(blank=True, help_text="GeoJSON geometry (WGS84)")
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Partnership(GovernanceRecord):
    """A Community Safety Partnership: a set of districts with a validity period."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CURRENT = "current", "Current"
        HISTORICAL = "historical", "Historical"

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=9, blank=True, help_text="ONS Community Safety Partnership code, e.g. E22000153"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    districts = models.ManyToManyField(
        Area, blank=True, related_name="partnerships", limit_choices_to={"level": Area.Level.DISTRICT}
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:detail", kwargs={"partnership": self.slug})

    def audit_partnership_id(self) -> int | None:
        return self.pk
