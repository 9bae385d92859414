"""The funding pages' forms: what a coordinator, an analyst or a chair types, cleaned to what the
funding services take (money as integer pence, a formula as data). A service's refusal comes
back on the field it names (`FundingForm.refuse`)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from cdrp.accounts.policy import Permission, allows
from cdrp.core.forms import model_choice
from cdrp.funding.checks import FundingError
from cdrp.funding.models import Allocation, FundingStream
from cdrp.meetings.services import strategy_decisions
from cdrp.partnerships.models import Organisation, Partnership
from cdrp.plans.forms import MonthField
from cdrp.plans.models import Plan, Priority
from cdrp.plans.money import MoneyError, format_pence, parse_pounds
from cdrp.store.schema import CATEGORY_NAMES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CURRENT_CATEGORIES = [
    (slug, name)
    for slug, name in sorted(CATEGORY_NAMES.items(), key=lambda kv: kv[1])
    if slug not in {"violent-crime-pre-2013", "public-disorder-weapons", "burglary-other-theft"}
]


# --- forms -------------------------------------------------------------------------------------


class DecisionField(forms.ModelChoiceField):
    """A decision, shown by its meeting's date and group and the motion's opening words."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.meeting.date:%-d %B %Y}, {obj.meeting.group.name}: {obj.motion[:120]}"


class AllocationField(forms.ModelChoiceField):
    """An allocation, shown by its funding stream, year and amount."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.stream.name} {obj.stream.financial_year} ({format_pence(obj.amount_pence)})"


class MoneyField(forms.CharField):
    """Pounds typed as 1250, 1,250.00 or £1,250.00; cleaned to integer pence."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "In pounds, for example 1,250.00")
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_pounds(value, field=self.label or "Amount")
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None


class FundingForm(forms.Form):
    """A form that shows a service's refusal on the field it names."""

    #: service field name → form field name
    field_map: dict[str, str] = {}

    def refuse(self, exc: FundingError) -> None:
        name = self.field_map.get(exc.field or "", exc.field)
        self.add_error(name if name in self.fields else None, exc.message)


class StreamForm(FundingForm):
    name = forms.CharField(max_length=200, label="Name of the stream")
    source = forms.CharField(
        max_length=200, label="Source", help_text="Who provides it, for example the Home Office"
    )
    financial_year = forms.CharField(
        max_length=7, label="Financial year", help_text="For example, 2023/24"
    )
    amount = MoneyField(label="Amount")
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Conditions"
    )
    field_map = {"amount_pence": "amount"}


class FormulaForm(FundingForm):
    partnerships = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Partnerships to share between",
        help_text="Each partnership's districts are counted once",
    )
    population_weight = forms.DecimalField(
        label="Weight of population (%)", min_value=0, max_value=100, initial=50
    )
    crime_weight = forms.DecimalField(
        label="Weight of recorded crime (%)", min_value=0, max_value=100, initial=50
    )
    population_year = forms.IntegerField(
        required=False,
        label="Population year",
        help_text="ONS mid-year estimate; leave empty for the latest year in the store",
    )
    crime_start = MonthField(label="Crime from")
    crime_end = MonthField(label="Crime to")
    crime_categories = forms.MultipleChoiceField(
        choices=CURRENT_CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Crime categories",
        help_text="None ticked: every crime category (anti-social behaviour is not crime)",
    )
    decision = DecisionField(
        queryset=Partnership.objects.none(),
        required=False,
        label="Decision agreeing the split (optional)",
        help_text="A carried decision of the strategy group holding the stream",
    )
    field_map = {
        "formula.weights": "population_weight",
        "formula.weights.population": "population_weight",
        "formula.weights.crime": "crime_weight",
        "formula.population_year": "population_year",
        "formula.crime_period": "crime_start",
        "formula.crime_categories": "crime_categories",
    }

    def __init__(self, *args, stream: FundingStream, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "partnerships").queryset = Partnership.objects.filter(
            status=Partnership.Status.CURRENT, level=Partnership.Level.DISTRICT
        ).order_by("name")
        model_choice(self, "decision").queryset = strategy_decisions(stream.partnership)
        model_choice(self, "decision").empty_label = "None"

    def formula(self) -> dict:
        data = self.cleaned_data
        return {
            "method": "weighted shares",
            "weights": {
                "population": text_decimal(data["population_weight"] / 100),
                "crime": text_decimal(data["crime_weight"] / 100),
            },
            "population_year": data.get("population_year"),
            "crime_period": [data["crime_start"].strip(), data["crime_end"].strip()],
            "crime_categories": list(data["crime_categories"]) or None,
        }


class AllocationForm(FundingForm):
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), label="Partnership")
    amount = MoneyField(label="Amount")
    note = forms.CharField(max_length=300, required=False, label="Basis of the amount")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "partnership").queryset = Partnership.objects.filter(
            status=Partnership.Status.CURRENT
        ).order_by("name")


class ProjectForm(FundingForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    lead_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), label="Lead organisation"
    )
    budget = MoneyField(label="Budget")
    priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(),
        required=False,
        label="Plan priority",
        help_text="The priority of the partnership plan it is commissioned against",
    )
    allocation = AllocationField(
        queryset=Allocation.objects.none(),
        required=False,
        label="Funded from",
        help_text="The allocation that pays for it",
    )
    joint_with = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Commissioned jointly with",
    )
    start = forms.DateField(required=False, widget=DATE, help_text="For example, 2023-04-01")
    end = forms.DateField(required=False, widget=DATE, help_text="For example, 2024-03-31")
    field_map = {"budget_pence": "budget"}

    def __init__(self, *args, partnership: Partnership, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        plan = Plan.objects.filter(partnership=partnership).order_by("-revision").first()
        model_choice(self, "priority").queryset = (
            plan.priorities.all() if plan else Priority.objects.none()
        )
        model_choice(self, "allocation").queryset = Allocation.objects.filter(
            partnership=partnership
        ).select_related("stream")
        # A joint project shows on the other partnership's own pages: only partnerships where
        # the user may edit can be named as commissioning it jointly.
        others = Partnership.objects.filter(status=Partnership.Status.CURRENT).exclude(
            pk=partnership.pk
        )
        editable = [x.pk for x in others if allows(user, Permission.EDIT, x)]
        model_choice(self, "joint_with").queryset = others.filter(pk__in=editable).order_by("name")
        for name in ("priority", "allocation"):
            model_choice(self, name).empty_label = "None"
        model_choice(self, "lead_organisation").empty_label = "Choose the lead organisation"


class SpendForm(FundingForm):
    date = forms.DateField(widget=DATE, help_text="For example, 2023-06-30")
    amount = MoneyField(label="Amount")
    description = forms.CharField(max_length=300, label="What it paid for")
    prefix = "spend"


class VariationForm(FundingForm):
    amount = MoneyField(label="Increase to the budget")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")
    prefix = "variation"


class MilestoneForm(FundingForm):
    title = forms.CharField(max_length=200, label="Milestone")
    due = forms.DateField(widget=DATE, help_text="For example, 2024-03-31")
    prefix = "milestone"


class DecisionForm(FundingForm):
    decision = DecisionField(
        queryset=Partnership.objects.none(),
        label="Decision of the strategy group",
        help_text="A carried decision of a meeting of the partnership's strategy group",
    )
    prefix = "approve"

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "decision").queryset = strategy_decisions(partnership)
        model_choice(self, "decision").empty_label = "Choose a decision"


class EvaluationForm(FundingForm):
    method = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Planned method")
    categories = forms.MultipleChoiceField(
        choices=CURRENT_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        label="Outcome: police.uk categories",
    )
    target_areas = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Target area",
        help_text="LSOA codes separated by spaces or commas, for example E01025460",
    )
    buffer_areas = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Buffer area (optional)",
        help_text="LSOA codes around the target, where crime could be displaced to",
    )
    control_areas = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comparison (control) area",
        help_text="LSOA codes of a similar area the project did not reach",
    )
    before_start = MonthField(label="Before: first month")
    before_end = MonthField(label="Before: last month")
    after_start = MonthField(label="After: first month")
    after_end = MonthField(label="After: last month")


def text_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
