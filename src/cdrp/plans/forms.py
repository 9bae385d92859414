"""Forms for drafting a plan revision. Checks that span fields live in `services` (PlanError)."""

from __future__ import annotations

from django import forms

from cdrp.analysis.months import MonthError, read_month
from cdrp.analysis.months import label as month_label
from cdrp.core.forms import model_choice
from cdrp.partnerships.models import Group, Organisation
from cdrp.plans.models import Indicator, ManualSeries, Target
from cdrp.plans.money import MoneyError, parse_pounds
from cdrp.plans.services import PlanError, check_categories, check_month

MONTH_HELP = "For example, April 2022"


class MonthField(forms.CharField):
    """A month as people type it ("April 2022", "4 2022" or "2022-04"), cleaned to YYYY-MM and
    shown as "April 2022"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", MONTH_HELP)
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return month_label(value) if isinstance(value, str) else value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return check_month(read_month(value), self.label or "month")
        except (PlanError, MonthError) as exc:
            raise forms.ValidationError(
                f"Enter {(self.label or 'the month').lower()} as a month and year, "
                "for example April 2022"
            ) from exc


class CategoriesField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "help_text",
            "police.uk categories, separated by commas, for example burglary, vehicle-crime",
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value):
        value = super().clean(value)
        try:
            return check_categories((value or "").split(","))
        except PlanError as exc:
            raise forms.ValidationError(exc.message) from exc


class SeedForm(forms.Form):
    assessment = forms.TypedChoiceField(
        coerce=int,
        label="Strategic assessment",
        help_text="The plan's priorities start as this assessment's recommended priorities",
        error_messages={"required": "Choose the strategic assessment the plan answers"},
    )
    period_start = MonthField(
        label="First month of the plan", error_messages={"required": "Enter the first month"}
    )

    def __init__(self, *args, assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [
            (a.pk, f"{a.title} ({a.get_status_display().lower()})") for a in assessments
        ]


class PlanForm(forms.Form):
    title = forms.CharField(max_length=300, error_messages={"required": "Enter the plan's title"})
    period_start = MonthField(label="First month of the plan")
    summary = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Introduction and aims"
    )
    change_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What this revision changes, and why",
    )


class ReviseForm(forms.Form):
    change_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the plan is being revised",
        help_text="For example: the annual revision after the 2023 strategic assessment",
        error_messages={"required": "Say why the plan is being revised"},
    )


class PriorityForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Name the priority"})
    rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Why it is a priority"
    )
    categories = CategoriesField(required=False, label="Crime and disorder categories")


class ObjectiveForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Objective",
        error_messages={"required": "Describe the objective"},
    )
    owner: forms.ModelChoiceField[Group] = forms.ModelChoiceField(
        queryset=None, required=False, label="Delivery group that owns it"
    )

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "owner").queryset = partnership.groups.all()


class CommitmentForm(forms.Form):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=None, error_messages={"required": "Choose the partner organisation"}
    )
    role = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Its role",
        error_messages={"required": "Describe what the partner will do"},
    )
    resources = forms.CharField(required=False, label="Resources committed")
    amount = forms.CharField(
        required=False, label="Money committed (optional)", help_text="In pounds, e.g. 12,500.00"
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "organisation").queryset = organisations

    def clean_amount(self):
        raw = self.cleaned_data.get("amount")
        if not raw:
            return None
        try:
            return parse_pounds(raw, field="Money committed")
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc


class EngagementForm(forms.Form):
    commitment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the commitment"},
    )
    method = forms.CharField(required=False, max_length=200, help_text="e.g. public meeting")
    timing = forms.CharField(required=False, max_length=200, help_text="e.g. every autumn")


class TargetForm(forms.Form):
    """Another target for an indicator, e.g. the next plan year's."""

    target_kind = forms.ChoiceField(choices=Target.Kind.choices, label="Target")
    target_value = forms.DecimalField(
        required=False,
        label="Target figure or percentage change",
        help_text="A figure for an absolute target; a percentage such as -5 for a change",
    )
    baseline_start = MonthField(required=False, label="Baseline from")
    baseline_end = MonthField(required=False, label="Baseline to")
    target_start = MonthField(label="Target period from")
    target_end = MonthField(label="Target period to")


class IndicatorForm(TargetForm):
    """An indicator with its first target."""

    name = forms.CharField(max_length=200, error_messages={"required": "Name the indicator"})
    source = forms.ChoiceField(choices=Indicator.Source.choices, initial="store")
    categories = CategoriesField(required=False, label="Categories (incident store)")
    measure = forms.ChoiceField(choices=Indicator.Measure.choices, initial="count")
    harm_weighted = forms.BooleanField(required=False, label="Weight by harm")
    series = forms.ModelChoiceField(
        queryset=ManualSeries.objects.none(), required=False, label="Series (entered by hand)"
    )
    direction = forms.ChoiceField(choices=Indicator.Direction.choices, initial="lower")

    field_order = ["name", "source", "categories", "measure", "harm_weighted", "series"]
    field_order += ["direction", *TargetForm.base_fields]

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "series").queryset = ManualSeries.objects.filter(partnership=partnership)

    def clean(self):
        data = super().clean()
        if data.get("source") == "store" and not data.get("categories"):
            self.add_error("categories", "Enter at least one police.uk category")
        if data.get("source") == "manual" and not data.get("series"):
            self.add_error("series", "Choose the series entered by hand")
        return data
