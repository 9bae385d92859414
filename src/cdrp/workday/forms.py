from django import forms

from cdrp.accounts.models import NotificationPreference


class ActionNoteForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
        max_length=4000,
        error_messages={"required": "Write a note: what was done, or why it was dropped"},
    )
    dropped = forms.BooleanField(required=False, label="Dropped rather than done")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["delivery"]
        labels = {"delivery": "How should notifications reach you by e-mail?"}
        widgets = {"delivery": forms.RadioSelect}
