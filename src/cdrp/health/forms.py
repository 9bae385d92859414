from __future__ import annotations

from django import forms

from cdrp.health.models import CriterionScore
from cdrp.health.skills import COMPETENCES, LEVELS


class ScoreForm(forms.Form):
    criterion = forms.CharField(max_length=20)
    score = forms.TypedChoiceField(choices=CriterionScore.Score.choices, coerce=int)
    judgement = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportedForm(forms.Form):
    reported_to = forms.CharField(max_length=300)


class ReviewForm(forms.Form):
    held_on = forms.DateField(input_formats=["%Y-%m-%d"])
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
    due = forms.DateField(input_formats=["%Y-%m-%d"])
