"""A partnership's groups, their seats, and the people who hold them (memberships)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from cdrp.analysis.months import Month
from cdrp.partnerships.models.registry import (
    Area,
    Organisation,
    Partnership,
    Person,
    ValidatedRecord,
)


class Group(ValidatedRecord):
    """A group of the partnership (strategy group, officer group, thematic, tasking, …)."""

    class Kind(models.TextChoices):
        STRATEGY = "strategy", "Strategy group (RAG)"
        OFFICER = "officer", "Officer working group"
        THEMATIC = "thematic", "Thematic group"
        TASKING = "tasking", "Tasking group"
        PPO = "ppo", "Prolific and priority offenders group"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse group"
        ENGAGEMENT = "engagement", "Community engagement"
        COUNTY_STRATEGY = "county_strategy", "County strategy group"
        OTHER = "other", "Other group"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Fortnightly"
        MONTHLY = "monthly", "Monthly"
        BIMONTHLY = "bimonthly", "Bi-monthly"
        QUARTERLY = "quarterly", "Quarterly"
        HALF_YEARLY = "half_yearly", "Every six months"
        ANNUALLY = "annually", "Annually"
        AS_REQUIRED = "as_required", "As required"

    # Groups that handle named offenders or victims: their records are restricted unless the
    # structure says otherwise (see `restricted`).
    RESTRICTED_KINDS = frozenset({Kind.PPO, Kind.DOMESTIC_ABUSE})
    # A strategy group answers to the public and approves plans and money: never restricted.
    NEVER_RESTRICTED_KINDS = frozenset({Kind.STRATEGY, Kind.COUNTY_STRATEGY})

    class Strand(models.TextChoices):
        PREVENT_DETER = "prevent_deter", "Prevent and Deter"
        CATCH_CONVICT = "catch_convict", "Catch and Convict"
        REHABILITATE_RESETTLE = "rehabilitate_resettle", "Rehabilitate and Resettle"

    MEETINGS_PER_YEAR = {
        "weekly": 52,
        "fortnightly": 26,
        "monthly": 12,
        "bimonthly": 6,
        "quarterly": 4,
        "half_yearly": 2,
        "annually": 1,
        "as_required": 0,
    }

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="groups")
    serves = models.ManyToManyField(
        Partnership,
        blank=True,
        related_name="joint_groups",
        help_text="A joint group: the other partnerships it serves besides the one holding it",
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, blank=True, help_text="e.g. RAG, OWG, MATAC")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reporting_groups"
    )
    district = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="local_groups",
        help_text="For a local group: the district it serves",
    )
    terms_of_reference = models.TextField(blank=True)
    quorum = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Voting bodies that must be present (empty: more than half)",
    )
    meeting_frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    meeting_hours = models.DecimalField(
        max_digits=4, decimal_places=1, default=2, help_text="Usual length of a meeting in hours"
    )
    chair_casting_vote = models.BooleanField(
        default=True, help_text="The chair has a casting vote when votes are tied"
    )
    position = models.PositiveIntegerField(default=0)
    restricted = models.BooleanField(
        default=False,
        help_text="Its actions, decisions, minutes, agenda items and papers are for its current "
        "members only (offender cohorts, domestic-abuse cases), and every read is audited",
    )
    strand = models.CharField(
        max_length=24,
        choices=Strand.choices,
        blank=True,
        help_text="For a prolific and priority offenders (sub-)group: the strand it leads",
    )
    chair_rotation_start = models.DateField(
        null=True,
        blank=True,
        help_text="The chair rotates between the seats numbered for it, the first term "
        "starting on this date",
    )
    chair_rotation_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Length of each chair's term in months"
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "slug"], name="group_slug_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "partnerships:group", kwargs={"partnership": self.partnership.slug, "group": self.slug}
        )

    def audit_partnership_id(self) -> int | None:
        return self.partnership_id

    def partnership_ids(self) -> set[int]:
        """The partnership holding the group and, for a joint group, every other one it serves."""
        ids = {self.partnership_id} if self.partnership_id else set()
        if self.pk is not None:
            ids |= set(self.serves.values_list("pk", flat=True))
        return ids

    def holding_partnership_ids(self) -> set[int]:
        """For the policy (`cdrp.accounts.policy.held_by`): a joint group is reached through
        each partnership it serves, and changed only by someone who may edit in all of them."""
        return self.partnership_ids()

    @property
    def is_joint(self) -> bool:
        return self.pk is not None and self.serves.exists()

    def clean(self):
        errors = {}
        if self.reports_to_id:
            if self.reports_to_id == self.pk:
                errors["reports_to"] = "A group cannot report to itself."
            elif not (
                self.reports_to.kind == Group.Kind.COUNTY_STRATEGY
                or self.partnership_id in self.reports_to.partnership_ids()
            ):
                errors["reports_to"] = (
                    "A group reports to a group of the same partnership, to a joint group "
                    "serving its partnership, or to the county strategy group."
                )
            else:
                seen, up = {self.pk}, self.reports_to
                while up is not None:
                    if up.pk in seen:
                        errors["reports_to"] = "These reporting lines would go round in a circle."
                        break
                    seen.add(up.pk)
                    up = up.reports_to
        if self.restricted and self.kind in self.NEVER_RESTRICTED_KINDS:
            errors["restricted"] = (
                "A strategy group answers to the public, so it cannot be restricted: mark "
                "single agenda items as restricted instead."
            )
        if self.strand and self.kind != Group.Kind.PPO:
            errors["strand"] = (
                "Only a prolific and priority offenders group or sub-group leads a strand."
            )
        if (self.chair_rotation_start is None) != (self.chair_rotation_months is None):
            errors["chair_rotation_months"] = (
                "A rotating chair needs both the date the first term starts and the length of "
                "a term in months."
            )
        elif self.chair_rotation_months == 0:
            errors["chair_rotation_months"] = "A chair's term is at least one month long."
        elif self.chair_rotation_start is not None:
            turns = (
                list(self.seats.exclude(chair_turn=None).values_list("chair_turn", flat=True))
                if self.pk
                else []
            )
            if len(turns) < 2:
                errors["chair_rotation_start"] = (
                    f"A rotating chair needs at least two seats numbered in the rotation; "
                    f"{len(turns)} {'is' if len(turns) == 1 else 'are'}. Number the seats first."
                )
        if self.quorum is not None:
            # Against the group as it stands (as on its partnership's last day, if it has ended):
            # a body that has gone no longer counts.
            day = dt.date.today()
            if self.partnership_id and self.partnership.valid_to:
                day = min(day, self.partnership.valid_to)
            bodies = len(self.voting_bodies(day)) if self.pk else 0
            if self.quorum > bodies:
                errors["quorum"] = (
                    f"A quorum of {self.quorum} is larger than the group: it has {bodies} voting "
                    f"bod{'y' if bodies == 1 else 'ies'}. Add the seats first, or lower the quorum."
                )
        if errors:
            raise ValidationError(errors)

    def voting_bodies(self, on: dt.date | None = None) -> dict[str, str]:
        """Body key → label for each council area or agency with a voting seat (on `on`, when
        given: only seats open then, for bodies that existed then)."""
        return {
            s.body_key: s.body_label
            for s in self.seats.select_related("organisation", "council_area")
            if (s.voting if on is None else s.may_vote_on(on))
        }

    def required_quorum(self, on: dt.date | None = None) -> int:
        if self.quorum is not None:
            return self.quorum
        return len(self.voting_bodies(on)) // 2 + 1

    @property
    def meetings_per_year(self) -> int:
        return self.MEETINGS_PER_YEAR.get(self.meeting_frequency, 0)

    def current_memberships(self, on: dt.date | None = None):
        return Membership.objects.current(on).filter(seat__group=self)

    def chair_seat(self, on: dt.date | None = None) -> Seat | None:
        """The seat whose turn it is to chair on `on`, for a rotating chair (None otherwise, and
        before the first term). Terms of `chair_rotation_months` months follow one another from
        `chair_rotation_start`, going round the seats in the order of their `chair_turn`."""
        on = on or dt.date.today()
        start, months = self.chair_rotation_start, self.chair_rotation_months
        if start is None or not months or on < start:
            return None
        rotation = list(self.seats.exclude(chair_turn=None).order_by("chair_turn", "pk"))
        if not rotation:
            return None
        elapsed = Month.parse(on).index - Month.parse(start).index
        if on.day < start.day:
            elapsed -= 1  # this month's anniversary of the start is still to come
        return rotation[(elapsed // months) % len(rotation)]

    def chair(self, on: dt.date | None = None) -> Person | None:
        """Who chairs on `on`: for a rotating chair, the holder of the seat whose turn it is;
        otherwise the member recorded as chair."""
        seat = self.chair_seat(on)
        if seat is not None:
            held = (
                Membership.objects.current(on)
                .filter(seat=seat)
                .exclude(role=Membership.Role.SUBSTITUTE)
                .select_related("person")
                .order_by("-start", "pk")
                .first()
            )
            return held.person if held else None
        m = self.current_memberships(on).filter(role=Membership.Role.CHAIR).first()
        return m.person if m else None

    def ppo_strands(self) -> list[str]:
        """The PPO strands this group covers: its own, or those of its sub-groups."""
        if self.strand:
            return [self.get_strand_display()]
        if self.pk is None:
            return []
        found = {g.strand for g in self.reporting_groups.exclude(strand="")}
        return [label for value, label in Group.Strand.choices if value in found]


class Seat(ValidatedRecord):
    """A group's place for an organisation or a council area: voting or advisory, statutory or not.

    The voting body is the council area when one is given (so a district council's chief
    executive, elected member and director share one vote), otherwise the organisation.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="seats")
    label = models.CharField(max_length=200, help_text="The role, e.g. Chief Executive")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    council_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    #: Set by the structure importer, which checks the group's quorum once all seats are saved.
    _quorum_checked = False
    voting = models.BooleanField(default=True)
    statutory = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    valid_from = models.DateField(null=True, blank=True, help_text="The day the seat was opened")
    valid_to = models.DateField(
        null=True, blank=True, help_text="The seat's last day (for example, when its body ended)"
    )
    chair_turn = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For a rotating chair: this seat's place in the rotation (1 chairs first)",
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        who = self.organisation.name if self.organisation is not None else ""
        if self.council_area is not None and not who:
            who = self.council_area.name
        return f"{self.label}, {who}" if who else self.label

    def audit_partnership_id(self) -> int | None:
        return self.group.partnership_id if self.group is not None else None

    def holding_partnership_ids(self) -> set[int]:
        return self.group.partnership_ids() if self.group is not None else set()

    @property
    def body_key(self) -> str:
        if self.council_area is not None:
            return f"area:{self.council_area.code}"
        if self.organisation is not None:
            return f"org:{self.organisation.slug}"
        return f"seat:{self.pk}"

    @property
    def body_label(self) -> str:
        if self.council_area is not None:
            return self.council_area.name
        if self.organisation is not None:
            return self.organisation.name
        return self.label

    def is_open(self, on: dt.date) -> bool:
        """Whether the seat itself existed on `on` (its own dates)."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def body_ended(self, on: dt.date) -> bool:
        """Whether the seat's organisation did not exist on `on` (ended, or not yet set up)."""
        return self.organisation is not None and not self.organisation.exists_on(on)

    def may_vote_on(self, on: dt.date) -> bool:
        """A seat votes on `on` only if it is a voting seat, open then, and its body existed
        then: a body that has been abolished has no vote, whoever still sits for it."""
        return self.voting and self.is_open(on) and not self.body_ended(on)

    def ended_body_problem(self, on: dt.date) -> str:
        """The flag for a seat still open on `on` for a body that had ended by then (empty
        when there is nothing to flag)."""
        if not self.is_open(on) or not self.body_ended(on):
            return ""
        org = self.organisation
        if org is None:  # body_ended is true only for a seat with an organisation
            return ""
        if org.valid_to and org.valid_to < on:
            text = f"{org.name} ended on {org.valid_to:%-d %B %Y}"
            successors = ", ".join(s.name for s in org.successors.all())
            if successors:
                text += f" (succeeded by {successors})"
        else:
            text = f"{org.name} was not set up until {org.valid_from:%-d %B %Y}"
        return f"{text}: the seat “{self.label}” is still open, and it cannot vote."

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "The seat's last day must be on or after its first."
        if self.voting and not (self.organisation_id or self.council_area_id):
            errors["voting"] = (
                "A voting seat must belong to an organisation or a council area, because votes "
                "are cast per council area or agency."
            )
        if self.group_id:
            duplicate = Seat.objects.filter(
                group_id=self.group_id,
                label__iexact=self.label,
                organisation_id=self.organisation_id,
                council_area_id=self.council_area_id,
            ).exclude(pk=self.pk)
            if duplicate.exists():
                errors["label"] = f"{self.group} already has the seat “{duplicate.first()}”."
            if self.chair_turn is not None:
                same = Seat.objects.filter(group_id=self.group_id, chair_turn=self.chair_turn)
                if self.chair_turn == 0:
                    errors["chair_turn"] = "Turns in the chair's rotation are numbered from 1."
                elif same.exclude(pk=self.pk).exists():
                    errors["chair_turn"] = (
                        f"Turn {self.chair_turn} of the chair's rotation is already the seat "
                        f"“{same.exclude(pk=self.pk).first()}”."
                    )
            quorum = self.group.quorum
            # A structure import checks the quorum against the file's final seats instead.
            if quorum is not None and not errors and not self._quorum_checked:
                others = Seat.objects.filter(group_id=self.group_id).exclude(pk=self.pk)
                bodies = {s.body_key for s in others if s.voting}
                if self.voting:
                    bodies.add(self.body_key)
                if len(bodies) < quorum:
                    errors["voting"] = (
                        f"{self.group} would have {len(bodies)} voting bodies, fewer than its "
                        f"quorum of {quorum}. Lower the quorum first."
                    )
        if errors:
            raise ValidationError(errors)


class MembershipQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        on = on or dt.date.today()
        return self.filter(
            models.Q(start__isnull=True) | models.Q(start__lte=on),
            models.Q(end__isnull=True) | models.Q(end__gte=on),
        )


class Membership(ValidatedRecord):
    """A person in a seat, with a role and dates."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-chair"
        MEMBER = "member", "Member"
        SUBSTITUTE = "substitute", "Substitute"

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    senior = models.BooleanField(
        default=False, help_text="Holds a senior position in their organisation"
    )
    portfolio_holder = models.BooleanField(
        default=False, help_text="Elected member holding the community-safety portfolio"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["seat__position", "seat_id", "start", "pk"]

    def __str__(self) -> str:
        return f"{self.person} – {self.seat}"

    def audit_partnership_id(self) -> int | None:
        return self.seat.group.partnership_id if self.seat_id else None

    def holding_partnership_ids(self) -> set[int]:
        return self.seat.group.partnership_ids() if self.seat_id else set()

    def overlaps(self, other: Membership) -> bool:
        lo = dt.date.min
        hi = dt.date.max
        return (self.start or lo) <= (other.end or hi) and (other.start or lo) <= (self.end or hi)

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        return (self.start is None or self.start <= on) and (self.end is None or self.end >= on)

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError(
                {
                    "end": f"The membership ends ({self.end:%-d %B %Y}) before it starts "
                    f"({self.start:%-d %B %Y})."
                }
            )
        if not (self.seat_id and self.person_id):
            return
        others = (
            Membership.objects.filter(person_id=self.person_id, seat__group_id=self.seat.group_id)
            .exclude(pk=self.pk)
            .select_related("seat", "seat__organisation", "seat__council_area")
        )
        for other in others:
            if not self.overlaps(other):
                continue
            if other.seat_id == self.seat_id:
                raise ValidationError(
                    {"person": f"{self.person} already holds this seat for those dates."}
                )
            if other.seat.body_key == self.seat.body_key:
                raise ValidationError(
                    {
                        "person": f"{self.person} already holds the seat “{other.seat.label}” for "
                        f"{self.seat.body_label} on {self.seat.group}: one person cannot hold two "
                        "seats of the same body on one group."
                    }
                )
