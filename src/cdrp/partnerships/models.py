"""The partnership registry: partnerships (CSP/CDRP) and, as it grows, their structure."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from cdrp.core.models import GovernanceRecord


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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:detail", kwargs={"partnership": self.slug})

    def audit_partnership_id(self) -> int | None:
        return self.pk
