"""Per-partnership roles, API tokens and the audit trail of governance records."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from cdrp.accounts.policy import Role
from cdrp.core.models import GovernanceRecord


class PartnershipRole(GovernanceRecord):
    """A user's role in one partnership (a user may hold several roles, in several partnerships).

    Audited like any governance record: who granted or removed which role, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cdrp_roles"
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(
        max_length=20, choices=[(r.value, r.label) for r in Role if r != Role.PUBLIC]
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership", "role"], name="unique_role_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {Role(self.role).label}, {self.partnership}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_key(self, key: str) -> ApiToken | None:
        return self.select_related("user").filter(digest=_digest(key), revoked=False).first()


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """Create a token; the plain key is returned once and never stored."""
        key = "cdrp_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[5:13], digest=_digest(key))
        return token, key


class AuditEvent(models.Model):
    """Who changed which governance record, when, and what changed (before → after)."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"  # reads of restricted records (offender cohorts, DA cases)

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.CharField(
        max_length=150, help_text="user name, or the command that made the change"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    # No database constraint: the trail outlives the records it describes.
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_repr}"
        )


def partnership_model():
    """The partnership model, reached through the roles' foreign key: the accounts app imports
    nothing from the registry app above it."""
    return PartnershipRole._meta.get_field("partnership").related_model


class NotificationPreference(models.Model):
    """How a person wants their notifications by e-mail: each one as it happens, a daily or a
    weekly digest, or none (in the app only). A user without a row gets the daily digest."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "Each one by e-mail as it happens"
        DAILY = "daily", "A daily digest by e-mail"
        WEEKLY = "weekly", "A weekly digest by e-mail (on Mondays)"
        NONE = "none", "No e-mail: in the service only"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.DAILY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_delivery_display()}"


class Notification(models.Model):
    """Something a person should know about: shown in the service (the bell in the header) and
    sent by e-mail as their preference says."""

    class Kind(models.TextChoices):
        PAPERS = "papers", "Papers published"
        ACTION_ASSIGNED = "action_assigned", "Action assigned to you"
        ACTION_OVERDUE = "action_overdue", "Action overdue"
        APPROVAL = "approval", "Approval requested"
        DATA_MONTH = "data_month", "A new month of data"
        STALE_ASSESSMENT = "stale_assessment", "Strategic assessment due"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    #: What makes two notifications the same one (e.g. "action-overdue:12"): sent once only.
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="one_notification_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title
