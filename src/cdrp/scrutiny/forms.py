"""Forms of the accountability pages. The public question form takes its abuse protection
(rate limit, honeypot, size limits, moderation hints) from cdrp.accounts.public_forms once it
exists; the forms here hold the fields."""

from __future__ import annotations

from django import forms

from cdrp.accounts.public_forms import HoneypotMixin, text_field
from cdrp.partnerships.models import Organisation, Person
from cdrp.scrutiny.law import CRITERIA
from cdrp.scrutiny.models import QUESTION_MAX, Councillor, PublicSession, Recommendation

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date(label: str, example: str = "30/4/2027", required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=f"For example, {example}",
        input_formats=DATE_FORMATS,
        required=required,
        error_messages={"invalid": f"Enter a real date, like {example}"},
    )


class QuestionForm(HoneypotMixin, forms.Form):
    """A question from the public: capped, with the honeypot of every public form."""

    text = text_field(label="Your question", required=True, max_length=QUESTION_MAX)
    asked_by = forms.CharField(
        label="Your name (optional)",
        max_length=100,
        required=False,
        help_text="Shown with your question. Leave it empty to ask anonymously.",
    )
    neighbourhood = forms.CharField(
        label="Your neighbourhood or ward (optional)", max_length=100, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        text.help_text = (
            "Every question is read before it is published. Do not include contact details "
            "or anything that identifies a person."
        )
        text.error_messages["required"] = "Enter your question"


class SessionForm(forms.ModelForm):
    date = _date("Date of the session")
    questions_close = _date("Last day for questions", required=False)
    starts = forms.TimeField(label="Starts at", help_text="For example, 18:30")
    ends = forms.TimeField(label="Ends at", required=False, help_text="For example, 20:00")

    class Meta:
        model = PublicSession
        fields = ["title", "date", "starts", "ends", "venue", "panel", "questions_close"]
        widgets = {"panel": forms.Textarea(attrs={"rows": 3})}


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Answer given", widget=forms.Textarea(attrs={"rows": 3}))
    answered_by = forms.CharField(label="Answered by", max_length=200)


class CouncillorForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="Councillor (from the people register)"
    )
    ward = forms.CharField(max_length=200, label="Ward")
    council = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Council",
        help_text="In a two-tier area, the district council",
    )


class CallForm(forms.Form):
    councillor = forms.ModelChoiceField(queryset=Councillor.objects.none(), label="Ward councillor")
    title = forms.CharField(max_length=200, label="Title of the call")
    matter = forms.CharField(
        max_length=5000,
        label="The problem",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The crime, disorder or anti-social behaviour, where and how long it has gone on",
    )
    on_behalf_of = forms.CharField(
        max_length=300, label="Raised on behalf of", help_text="For example, residents of a street"
    )
    routes_tried = forms.CharField(
        max_length=3000,
        label="What has been tried already",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class ScreenForm(forms.Form):
    local_matter = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    persistent = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    routes_tried = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons", widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, question in CRITERIA:
            self.fields[key].label = question


class ReferForm(forms.Form):
    referred = forms.ChoiceField(
        label="Refer to the crime and disorder committee?",
        choices=[("yes", "Refer it"), ("no", "Do not refer it")],
        widget=forms.RadioSelect,
    )
    committee = forms.CharField(
        required=False,
        max_length=200,
        label="Committee",
        help_text="The council's crime and disorder overview and scrutiny committee",
    )
    reason = forms.CharField(
        required=False, label="Reason", widget=forms.Textarea(attrs={"rows": 2})
    )


class RecommendationsForm(forms.Form):
    recommendations = forms.CharField(
        label="The committee's recommendations", widget=forms.Textarea(attrs={"rows": 4})
    )
    on = _date("Date of the committee's recommendations")


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="The partnership's response", widget=forms.Textarea(attrs={"rows": 5})
    )


class ReviewForm(forms.Form):
    title = forms.CharField(max_length=200)
    committee = forms.CharField(max_length=200)
    started_on = _date("Started on")
    reported_on = _date("Reported on", required=False)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    report_url = forms.URLField(
        required=False, label="Link to the committee's report", assume_scheme="https"
    )


class RecommendationForm(forms.Form):
    text = forms.CharField(label="Recommendation", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), label="Owner")
    due = _date("Due by")


class RecommendationResponseForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[c for c in Recommendation.Decision.choices if c[0]], widget=forms.RadioSelect
    )
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class CloseRecommendationForm(forms.Form):
    outcome = forms.CharField(
        label="What was done", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    dropped = forms.BooleanField(required=False, label="Dropped rather than done")
