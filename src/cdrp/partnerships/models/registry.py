"""Places, organisations, people and partnerships: the registry's records."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from cdrp.core.models import GovernanceRecord

if TYPE_CHECKING:
    from cdrp.partnerships.models.groups import Group

#: Words the site's addresses use where a partnership's slug goes (/partnerships/new/,
#: /plans/performance/ …).
RESERVED_SLUGS = frozenset({"new", "people", "performance", "funding"})


def validate_partnership_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            f"“{value}” is a word the site's addresses use: choose another short name",
            code="reserved",
        )


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

    @property
    def is_shire_district(self) -> bool:
        """A lower-tier district in a two-tier (county + district) area: ONS code E07."""
        return self.level == self.Level.DISTRICT and self.code.startswith("E07")


class ValidatedRecord(GovernanceRecord):
    """A governance record whose model validation runs on every save, so forms, services, the
    YAML import and the API all get the same rules (and nothing invalid is ever written)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A bulk import that has just looked up the related records may name them as trusted,
        # sparing a query per foreign key; the record rules in clean() still run.
        self.full_clean(exclude=getattr(self, "_trusted_fields", None))
        super().save(*args, **kwargs)


class Organisation(ValidatedRecord):
    """A body holding seats: a responsible authority, a co-operating body or a voluntary group."""

    class Kind(models.TextChoices):
        DISTRICT_COUNCIL = "district_council", "District council"
        COUNTY_COUNCIL = "county_council", "County council"
        POLICE = "police", "Police"
        POLICE_AUTHORITY = "police_authority", "Police authority"
        FIRE_AUTHORITY = "fire_authority", "Fire and rescue authority"
        HEALTH = "health", "Primary care trust"
        HEALTH_AUTHORITY = "health_authority", "Health authority"
        LOCAL_HEALTH_BOARD = "local_health_board", "Local Health Board (Wales)"
        CCG = "ccg", "Clinical commissioning group"
        ICB = "icb", "Integrated care board"
        PROBATION = "probation", "Probation (committee, board, trust or provider)"
        PCC = "pcc", "Police and crime commissioner"
        CO_OPERATING = "co_operating", "Co-operating body"
        VOLUNTARY = "voluntary", "Voluntary sector"
        GOVERNMENT = "government", "Government office"

    #: Kinds the law has ever made responsible authorities (which of them are, on a given date,
    #: is `cdrp.partnerships.law`'s to say).
    RESPONSIBLE_KINDS = frozenset(
        {
            Kind.DISTRICT_COUNCIL,
            Kind.COUNTY_COUNCIL,
            Kind.POLICE,
            Kind.POLICE_AUTHORITY,
            Kind.FIRE_AUTHORITY,
            Kind.HEALTH,
            Kind.LOCAL_HEALTH_BOARD,
            Kind.CCG,
            Kind.ICB,
            Kind.PROBATION,
        }
    )

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
        help_text="The council area a council serves",
    )
    website = models.URLField(blank=True)
    valid_from = models.DateField(
        null=True, blank=True, help_text="The day the body was established (empty: long before)"
    )
    valid_to = models.DateField(
        null=True, blank=True, help_text="The body's last day, when it was abolished or merged"
    )
    successors = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="predecessors",
        help_text="The bodies that took over its functions when it ended",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The end date must be on or after the start date."})

    def exists_on(self, on: dt.date) -> bool:
        """Whether the body existed on `on` (it may hold seats and vote then)."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def life_text(self) -> str:
        """“from 1 April 2013 to 30 June 2022”, or "" when no dates are recorded."""
        parts = []
        if self.valid_from:
            parts.append(f"from {self.valid_from:%-d %B %Y}")
        if self.valid_to:
            parts.append(f"to {self.valid_to:%-d %B %Y}")
        return " ".join(parts)

    def is_responsible_authority_on(self, on: dt.date | None = None) -> bool:
        """Whether the law in force on `on` (default today) makes this body a responsible
        authority, and the body existed then."""
        from cdrp.partnerships import law

        on = on or dt.date.today()
        return self.exists_on(on) and law.role_of(self.kind, on) == law.Role.RESPONSIBLE

    @property
    def is_responsible_authority(self) -> bool:
        return self.is_responsible_authority_on()

    def audit_partnership_id(self) -> int | None:
        return None

    def holding_partnership_ids(self) -> set[int]:
        """The partnerships that share this organisation: where it holds a seat or is a
        responsible authority (see `cdrp.accounts.policy.held_by`)."""
        if self.pk is None:
            return set()
        seats = self.seats.values_list("group__partnership", flat=True)
        joint = self.seats.filter(group__serves__isnull=False).values_list(
            "group__serves", flat=True
        )
        duties = self.responsible_for.values_list("pk", flat=True)
        return {*seats, *joint, *duties}


class Person(ValidatedRecord):
    """Someone who holds seats. Email and phone are personal contact details: only partner
    members of a partnership where they sit ever see them."""

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    placeholder = models.BooleanField(
        default=False, help_text="An invented name standing for a role (demo and examples)"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="The sign-in account of this person, if they have one",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:person", kwargs={"person": self.slug})

    def audit_partnership_id(self) -> int | None:
        return None

    def holding_partnership_ids(self) -> set[int]:
        """The partnerships that share this person: every one where they hold or held a seat
        (see `cdrp.accounts.policy.held_by`)."""
        if self.pk is None:
            return set()
        held = self.memberships.all()
        joint = held.filter(seat__group__serves__isnull=False)
        return {
            *held.values_list("seat__group__partnership", flat=True),
            *joint.values_list("seat__group__serves", flat=True),
        }

    def sits_on(self, group, on: dt.date | None = None) -> bool:
        return self.memberships.current(on).filter(seat__group=group).exists()


class Partnership(GovernanceRecord):
    """A Community Safety Partnership: a set of districts with a validity period."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CURRENT = "current", "Current"
        HISTORICAL = "historical", "Historical"

    class Level(models.TextChoices):
        DISTRICT = "district", "District partnership"
        COUNTY = "county", "County strategy partnership"

    slug = models.SlugField(unique=True, max_length=80, validators=[validate_partnership_slug])
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=9, blank=True, help_text="ONS Community Safety Partnership code, e.g. E22000153"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    districts = models.ManyToManyField(
        Area,
        blank=True,
        related_name="partnerships",
        limit_choices_to={"level": Area.Level.DISTRICT},
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.DISTRICT)
    county = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="county_partnerships",
        limit_choices_to={"level": Area.Level.COUNTY},
        help_text="The county of a two-tier area",
    )
    force = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="force_partnerships",
        limit_choices_to={"level": Area.Level.FORCE},
        help_text="The police force area it lies in (its parent area is the region)",
    )
    seeded = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="What `cdrp registry seed` last wrote (name, code, districts, force): a record "
        "that no longer matches was edited since, and the seed leaves it alone",
    )
    merged_from = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="merged_into"
    )
    responsible_authorities = models.ManyToManyField(
        Organisation, blank=True, related_name="responsible_for"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The end date must be on or after the start date."})

    def get_absolute_url(self) -> str:
        return reverse("partnerships:detail", kwargs={"partnership": self.slug})

    def audit_partnership_id(self) -> int | None:
        return self.pk

    @property
    def is_two_tier(self) -> bool:
        return self.county_id is not None or any(d.is_shire_district for d in self.districts.all())

    @cached_property
    def force_area(self) -> Area | None:
        """The police force area: the one recorded, else the one every district lies in (from
        the geography: a district's parent, or the force its attributes name where its parent is
        its county), else None. Kept on the instance: the API reads it for four fields."""
        if self.force is not None:
            return self.force
        codes = set()
        for d in self.districts.all():
            if d.parent is not None and d.parent.level == Area.Level.FORCE:
                codes.add(d.parent.code)
            elif (d.attributes or {}).get("force_code"):
                codes.add(d.attributes["force_code"])
        if len(codes) != 1:
            return None
        return (
            Area.objects.filter(level=Area.Level.FORCE, code=codes.pop())
            .select_related("parent")
            .first()
        )

    def strategy_group(self) -> Group | None:
        """The partnership's own strategy group, or else a joint one serving it (a joint
        Responsible Authorities Group over two district partnerships)."""
        kinds = self.groups.model.Kind
        kind = kinds.COUNTY_STRATEGY if self.level == self.Level.COUNTY else kinds.STRATEGY
        own = self.groups.filter(kind=kind).order_by("pk").first()
        return own or self.joint_groups.filter(kind=kind).order_by("pk").first()

    def all_groups(self):
        """Its own groups and the joint groups hosted by another partnership that serve it."""
        groups = self.groups.model.objects
        return groups.filter(models.Q(partnership=self) | models.Q(serves=self)).distinct()
