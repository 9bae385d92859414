from __future__ import annotations

from django import forms

from cdrp.analysis.months import read_date
from cdrp.health.models import CriterionScore
from cdrp.health.skills import COMPETENCES, LEVELS


class TypedDateField(forms.Field):
    """A date as a person types it ("27 3 2027", "27 March 2027") or as YYYY-MM-DD."""

    widget = forms.TextInput

    def to_python(self, value):
        text = str(value or "").strip()[:40]
        if not text:
            return None
        day = read_date(text)
        if day is None:
            raise forms.ValidationError("Enter a date, for example 27 3 2027")
        return day


class ScoreForm(forms.Form):
    criterion = forms.CharField(max_length=20)
    score = forms.TypedChoiceField(choices=CriterionScore.Score.choices, coerce=int)
    judgement = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportedForm(forms.Form):
    reported_to = forms.CharField(max_length=300)


class ReviewForm(forms.Form):
    held_on = TypedDateField()
    meeting = forms.IntegerField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    person = forms.CharField(max_length=80)
    competence = forms.ChoiceField(choices=[(c.key, c.label) for c in COMPETENCES])
    level = forms.TypedChoiceField(choices=list(LEVELS.items()), coerce=int)


class TrainingForm(forms.Form):
    competence = forms.ChoiceField(choices=[(c.key, c.label) for c in COMPETENCES])
    description = forms.CharField(max_length=500)
    owner = forms.CharField(max_length=80)
    due = TypedDateField()
