"""Forms of the community pages: the public ones carry the honeypot and capped free text
(`cdrp.accounts.public_forms`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from cdrp.accounts.public_forms import HoneypotMixin, text_field
from cdrp.community.models import Question, Survey
from cdrp.partnerships.models import Area, Group, Person


class AnswerForm(HoneypotMixin):
    """A survey's questions as one form: field ``q<id>`` per question."""

    def __init__(self, survey: Survey, wards: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        for q in self.questions:
            name = f"q{q.pk}"
            common: dict[str, Any] = {
                "label": q.text,
                "required": q.required,
                "help_text": q.hint,
            }
            if q.kind == Question.Kind.TEXT:
                field: forms.Field = text_field(label=q.text, required=q.required)
                field.help_text = q.hint or "Do not include your name, e-mail or telephone number."
            elif q.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in q.choices()],
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                )
            elif q.kind == Question.Kind.AREA:
                field = forms.ChoiceField(choices=[("", "Choose a ward"), *wards], **common)
            else:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in q.choices()], widget=forms.RadioSelect, **common
                )
            self.fields[name] = field
        # The honeypot last, after the questions.
        self.fields["website"] = self.fields.pop("website")

    def answers(self) -> dict[int, object]:
        out: dict[int, object] = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q{q.pk}")
            if value:
                out[q.pk] = value if isinstance(value, (list, str)) else str(value)
        return out


class SubscribeForm(HoneypotMixin):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send a link to confirm. We use the address only for these alerts.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "description", "ward", "closes_on", "retain_until", "privacy_notice"]
        widgets = {
            "closes_on": forms.DateInput(attrs={"type": "date"}),
            "retain_until": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "privacy_notice": forms.Textarea(attrs={"rows": 5}),
        }

    def clean(self):
        data = super().clean()
        closes, keep = data.get("closes_on"), data.get("retain_until")
        if closes and keep and keep < closes:
            self.add_error("retain_until", "Keep responses at least until the survey closes")
        if closes and closes < dt.date.today():
            self.add_error("closes_on", "The closing date must be today or later")
        return data


class QuestionForm(forms.ModelForm):
    options_text = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line (lists only; a scale question uses the problem scale). Answers "
        "named like police.uk categories (Burglary, Drugs) feed the strategic assessment.",
    )

    class Meta:
        model = Question
        fields = ["text", "hint", "kind", "concern", "required", "feeds_assessment"]

    def clean(self):
        data = super().clean()
        options = [
            line.strip() for line in (data.get("options_text") or "").splitlines() if line.strip()
        ]
        if data.get("kind") in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and len(options) < 2:
            self.add_error("options_text", "Give at least two answers to choose from")
        data["options"] = options
        return data


class PactForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(), label="The group holding the meeting"
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ward = forms.ModelChoiceField(queryset=Area.objects.none())
    period = forms.CharField(
        max_length=100, help_text="The period the priorities are for, e.g. January to March 2027"
    )


class VotesForm(forms.Form):
    attendees = forms.IntegerField(min_value=0, required=False, label="Residents attending")
    votes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One issue a line, then a comma and its votes: Speeding on Station Road, 14",
    )

    def clean_votes(self):
        out = {}
        for number, line in enumerate(self.cleaned_data["votes"].splitlines(), start=1):
            if not line.strip():
                continue
            title, _, count = line.rpartition(",")
            if not title.strip() or not count.strip().isdigit():
                raise forms.ValidationError(f"Line {number}: write the issue, a comma, its votes")
            out[title.strip()] = int(count)
        return out


class TaskForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Person.objects.none())
    due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class SummaryForm(forms.Form):
    priorities = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), help_text="One a line")
    trends = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    community = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="What the community said"
    )
