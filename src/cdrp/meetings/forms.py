from django import forms

from cdrp.partnerships.models import Person


class MeetingForm(forms.Form):
    date = forms.DateField(
        label="Date of the meeting",
        help_text="For example, 27/3/2027",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter a real date, like 27/3/2027",
        },
    )
    public = forms.BooleanField(required=False, label="Open to the public")


class ActionForm(forms.Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Action",
        error_messages={"required": "Describe the action"},
    )
    owner = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Owner",
        error_messages={"required": "Choose who owns the action"},
    )
    due = forms.DateField(
        label="Due by",
        help_text="For example, 30/4/2027",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date the action is due",
            "invalid": "Enter a real date, like 30/4/2027",
        },
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["owner"].queryset = people


class CloseActionForm(forms.Form):
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was done",
        error_messages={"required": "Say what was done, or why the action is dropped"},
    )
    dropped = forms.BooleanField(required=False, label="Dropped rather than done")
