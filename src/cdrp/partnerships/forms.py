"""Registry forms. Each edit form carries the record's version so that a stale save is refused
with a clear message instead of overwriting someone else's change (see `save_versioned`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from cdrp.accounts.policy import Permission, allows
from cdrp.core.forms import model_choice
from cdrp.core.models import MISSING_VERSION, ConflictError
from cdrp.partnerships.models import (
    Area,
    Group,
    Membership,
    MergerProposal,
    Organisation,
    Partnership,
    Person,
    Seat,
    validate_partnership_slug,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DATE
                field.help_text = field.help_text or "For example, 1 4 2008"
            if isinstance(field, forms.ModelChoiceField) and not isinstance(
                field, forms.ModelMultipleChoiceField
            ):
                field.empty_label = "None"
            del name

    def clean(self):
        # An edit must say which version it was made from: without it the conflict check
        # cannot run, so nothing is saved.
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") is None:
            raise ValidationError(MISSING_VERSION, code="version")
        return cleaned

    def save_versioned(self):
        """Save, refusing a stale edit; returns the object or None with the errors on the form."""
        obj = self.save(commit=False)
        try:
            version = self.cleaned_data.get("version")
            if obj.pk:
                if version is None:
                    raise ValidationError(MISSING_VERSION, code="version")
                obj.save_checked(version)
            else:
                obj.save()
            self.save_m2m()
        except ConflictError as exc:
            self.add_error(None, str(exc))
            return None
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc.messages)
            return None
        return obj


class PartnershipForm(VersionedForm):
    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Partnership.objects.filter(slug=slug).exists():
            raise ValidationError(f"A partnership already uses “{slug}”.")
        self.instance.slug = slug
        return slug

    class Meta:
        model = Partnership
        fields = [
            "name",
            "code",
            "status",
            "level",
            "valid_from",
            "valid_to",
            "county",
            "districts",
            "responsible_authorities",
            "description",
        ]
        widgets = {
            "districts": forms.CheckboxSelectMultiple,
            "responsible_authorities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, with_slug: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_slug:
            self.fields["slug"] = forms.SlugField(
                label="Short web address",
                help_text="Lower-case letters, digits and hyphens",
                validators=[validate_partnership_slug],
            )
            self.order_fields(["name", "slug"])
        model_choice(self, "responsible_authorities").queryset = Organisation.objects.filter(
            kind__in=Organisation.RESPONSIBLE_KINDS
        )


class GroupForm(VersionedForm):
    class Meta:
        model = Group
        fields = [
            "name",
            "slug",
            "short_name",
            "kind",
            "reports_to",
            "district",
            "meeting_frequency",
            "meeting_hours",
            "quorum",
            "chair_casting_vote",
            "restricted",
            "strand",
            "chair_rotation_start",
            "chair_rotation_months",
            "terms_of_reference",
        ]
        labels = {"slug": "Short web address"}
        help_texts = {"slug": "Lower-case letters, digits and hyphens, e.g. officer-group"}

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.partnership = partnership
        # A joint group edited through a partnership it serves stays with the one holding it.
        holder = self.instance.partnership
        others = Group.objects.filter(
            Q(pk__in=holder.all_groups().values("pk"))
            | Q(pk__in=partnership.all_groups().values("pk"))
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        model_choice(self, "reports_to").queryset = others
        model_choice(self, "district").queryset = Area.objects.filter(level=Area.Level.DISTRICT)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        clash = self.instance.partnership.groups.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(f"Another group of this partnership already uses “{slug}”.")
        return slug


class SeatForm(VersionedForm):
    class Meta:
        model = Seat
        fields = [
            "label",
            "organisation",
            "council_area",
            "voting",
            "statutory",
            "position",
            "chair_turn",
        ]
        labels = {"label": "Role", "position": "Order on the page"}

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group = group
        model_choice(self, "council_area").queryset = Area.objects.filter(
            level__in=[Area.Level.DISTRICT, Area.Level.COUNTY]
        )


class MembershipForm(VersionedForm):
    class Meta:
        model = Membership
        fields = ["seat", "person", "role", "start", "end", "senior", "portfolio_holder"]
        labels = {"portfolio_holder": "Holds the community-safety portfolio"}

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "seat").queryset = group.seats.select_related(
            "organisation", "council_area"
        )
        model_choice(self, "seat").empty_label = None
        model_choice(self, "person").empty_label = None


class PersonForm(VersionedForm):
    """A person's record; `accounts` (the sign-in accounts a coordinator may link the person
    to) adds the account field, left out for anyone else."""

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is None:
            self.fields.pop("account")
        else:
            field = self.fields["account"]
            field.queryset = accounts  # type: ignore[attr-defined]
            field.label_from_instance = lambda u: (  # type: ignore[attr-defined]
                f"{u.get_full_name()} ({u.get_username()})"
                if u.get_full_name()
                else u.get_username()
            )

    class Meta:
        model = Person
        fields = [
            "name",
            "slug",
            "job_title",
            "organisation",
            "email",
            "phone",
            "placeholder",
            "account",
        ]
        labels = {
            "slug": "Short web address",
            "placeholder": "This name is an invented placeholder",
            "account": "Sign-in account",
        }
        help_texts = {
            "account": "Link the person to their account: their home page then lists their "
            "meetings and actions, and they may close their own actions."
        }


class OrganisationForm(VersionedForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "area", "website"]
        labels = {"slug": "Short web address", "area": "Council area"}


class MergerProposalForm(forms.Form):
    predecessors = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Partnerships that will merge into this one",
    )

    def __init__(self, *args, partnership: Partnership, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only partnerships the user may edit can be named: a merger changes every one of them.
        others = Partnership.objects.exclude(pk=partnership.pk)
        editable = [p.pk for p in others if allows(user, Permission.EDIT, p)]
        model_choice(self, "predecessors").queryset = others.filter(pk__in=editable)


class AgreementForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), empty_label=None, label="Responsible authority"
    )
    agreed_on = forms.DateField(
        widget=DATE, label="Date agreed", help_text="For example, 27 3 2008"
    )
    minute_reference = forms.CharField(required=False, label="Minute reference")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "organisation").queryset = organisations


class AdvanceForm(forms.Form):
    on = forms.DateField(
        widget=DATE, label="Date of this stage", help_text="For example, 2008-11-14"
    )
    pilot_to = forms.DateField(widget=DATE, required=False, label="Pilot ends (pilot stage only)")
    order_reference = forms.CharField(required=False, label="Order reference (order stage only)")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, proposal: MergerProposal, **kwargs):
        super().__init__(*args, **kwargs)
        nxt = proposal.stage + 1
        if nxt != MergerProposal.Stage.PILOT:
            del self.fields["pilot_to"]
        if nxt != MergerProposal.Stage.ORDER:
            del self.fields["order_reference"]


class StructureUploadForm(forms.Form):
    file = forms.FileField(
        label="Structure file (YAML)",
        help_text="The format is the one the “Structure (YAML)” download uses. Nothing is changed "
        "unless the whole file is valid.",
    )

    MAX_BYTES = 2_000_000

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("The file must be smaller than 2 MB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("The file must be UTF-8 text (YAML).") from None
