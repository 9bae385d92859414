"""Forms of the restricted registers and the agreements register (GOV.UK markup through the
`govuk_field` tag). Each edit form carries the record's version (`VersionedForm`), so a second
submission of the same form, or a save over someone else's change, is refused with a message
instead of overwriting it.

The choices are the partnership's own: the restricted groups the signed-in person sits on, the
people sitting on its groups, the organisations of its seats and its responsible authorities.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q

from cdrp.accounts.policy import restricted_records_visible
from cdrp.core.forms import model_choice
from cdrp.partnerships.forms import VersionedForm
from cdrp.partnerships.models import Group, Organisation, Person
from cdrp.sharing.models import (
    PERSONAL_DATASETS,
    Agreement,
    Case,
    CaseAction,
    CohortMember,
    Dataset,
)

__all__ = ["CohortMemberForm", "CaseForm", "CaseActionForm", "AgreementForm", "writable_groups"]

LINE = forms.TextInput(attrs={"autocomplete": "off"})


def _people(partnership):
    return Person.objects.filter(memberships__seat__group__partnership=partnership).distinct()


def _organisations(partnership):
    return Organisation.objects.filter(
        Q(pk__in=partnership.responsible_authorities.values("pk"))
        | Q(seats__group__partnership=partnership)
    ).distinct()


def writable_groups(user, partnership, kinds=tuple(Group.Kind.values)):
    """The restricted groups of `partnership` of these kinds that `user` sits on today."""
    groups = Group.objects.filter(partnership=partnership, restricted=True, kind__in=kinds)
    return restricted_records_visible(user, groups, "pk")


def _not_after_today(form: forms.BaseForm, name: str) -> None:
    value = form.cleaned_data.get(name)
    if value is not None and value > dt.date.today():
        form.add_error(name, "The date of birth must be in the past")


def _not_before(form: forms.BaseForm, later: str, earlier: str, message: str) -> None:
    first, second = form.cleaned_data.get(earlier), form.cleaned_data.get(later)
    if first is not None and second is not None and second < first:
        form.add_error(later, message)


class _RestrictedForm(VersionedForm):
    GROUP_KINDS: tuple[str, ...] = ()

    def __init__(self, *args, partnership, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        if "group" in self.fields:
            groups = model_choice(self, "group")
            groups.queryset = writable_groups(user, partnership, self.GROUP_KINDS)
            groups.empty_label = None
            groups.help_text = "The restricted group whose members alone may read the record"


class CohortMemberForm(_RestrictedForm):
    GROUP_KINDS = (Group.Kind.PPO,)

    class Meta:
        model = CohortMember
        fields = [
            "group", "name", "date_of_birth", "references", "strand", "entered", "left",
            "lead_officer", "agencies",
        ]  # fmt: skip
        widgets = {
            "name": LINE,
            "references": LINE,
            "strand": forms.RadioSelect,
            "agencies": forms.CheckboxSelectMultiple,
        }
        labels = {"entered": "Date in", "left": "Date out", "name": "Full name"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "lead_officer").queryset = _people(self.partnership)
        model_choice(self, "agencies").queryset = _organisations(self.partnership)

    def clean(self):
        cleaned = super().clean()
        _not_after_today(self, "date_of_birth")
        _not_before(self, "left", "entered", "The date out must be on or after the date in")
        return cleaned


class CaseForm(_RestrictedForm):
    # A MARAC or MATAC sits in a domestic abuse group; an ASB case review in any restricted one.
    GROUP_KINDS = tuple(Group.Kind.values)

    class Meta:
        model = Case
        fields = [
            "group", "kind", "subject_name", "subject_date_of_birth", "references", "summary",
            "opened", "review_date", "closed",
        ]  # fmt: skip
        widgets = {"subject_name": LINE, "references": LINE, "kind": forms.RadioSelect}
        labels = {"subject_name": "Subject's full name", "subject_date_of_birth": "Date of birth"}

    def clean(self):
        cleaned = super().clean()
        _not_after_today(self, "subject_date_of_birth")
        _not_before(self, "review_date", "opened", "The review date must be on or after opening")
        _not_before(self, "closed", "opened", "The closing date must be on or after opening")
        return cleaned


class CaseActionForm(VersionedForm):
    class Meta:
        model = CaseAction
        fields = ["text", "agency", "due", "done"]
        labels = {"text": "Action", "due": "Due by", "done": "Done"}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "agency").queryset = _organisations(partnership)


class AgreementForm(VersionedForm):
    datasets = forms.MultipleChoiceField(
        choices=Dataset.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the agreement lets the parties share",
    )

    class Meta:
        model = Agreement
        fields = [
            "title", "purpose", "parties", "legal_basis", "protection_basis", "datasets",
            "personal", "retention", "signed_on", "starts", "ends", "review_date", "status",
        ]  # fmt: skip
        widgets = {
            "parties": forms.CheckboxSelectMultiple,
            "legal_basis": forms.RadioSelect,
            "protection_basis": forms.RadioSelect,
            "personal": forms.RadioSelect,
            "status": forms.RadioSelect,
            "retention": LINE,
        }
        labels = {
            "protection_basis": "Data protection basis",
            "personal": "Personal or depersonalised",
            "starts": "Starts",
            "ends": "Ends",
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "parties").queryset = _organisations(partnership)
        model_choice(self, "parties").help_text = "The organisations that signed it"
        if self.instance.pk:
            self.initial["datasets"] = list(self.instance.datasets)

    def clean(self):
        cleaned = super().clean()
        _not_before(self, "ends", "starts", "The end date must be on or after the start date")
        datasets = cleaned.get("datasets") or []
        personal = [d for d in datasets if d in PERSONAL_DATASETS]
        if personal and cleaned.get("personal") == Agreement.Personal.DEPERSONALISED:
            self.add_error(
                "personal",
                "A depersonalised agreement cannot cover a personal dataset: choose Personal, or "
                "untick the personal datasets",
            )
        if (
            cleaned.get("personal") == Agreement.Personal.PERSONAL
            and cleaned.get("protection_basis") == Agreement.ProtectionBasis.NONE
        ):
            self.add_error("protection_basis", "Personal information needs a data protection basis")
        return cleaned

    def save(self, commit=True):
        self.instance.datasets = list(self.cleaned_data.get("datasets") or [])
        return super().save(commit)
