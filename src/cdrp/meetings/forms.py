"""Meeting forms: arranging a meeting, recording a decision at it, and its actions."""

from django import forms

from cdrp.core.forms import model_choice
from cdrp.meetings.models import AgendaItem
from cdrp.partnerships.models import Group, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
    start_time = forms.TimeField(
        required=False,
        label="Start time",
        help_text="24-hour clock, UK time, for example 14:00",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"invalid": "Enter a time like 14:00"},
    )
    venue = forms.CharField(
        required=False,
        max_length=300,
        label="Venue",
        help_text="The room and address, or “Online”",
    )
    webcast_url = forms.URLField(
        required=False,
        max_length=500,
        label="Recording or webcast link (optional)",
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address starting https://"},
    )


class MeetingDetailsForm(forms.Form):
    """When and where a meeting is held, and its webcast, changed after it is arranged."""

    start_time = MeetingForm.base_fields["start_time"]
    venue = MeetingForm.base_fields["venue"]
    webcast_url = MeetingForm.base_fields["webcast_url"]


DECLARATION_KINDS = [
    ("pecuniary", "Disclosable pecuniary interest"),
    ("registrable", "Other registrable interest"),
    ("non-registrable", "Non-registrable interest"),
]


class DeclarationForm(forms.Form):
    """A declaration of interest made at the meeting, on an item or on the whole meeting."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Who declared it",
        error_messages={"required": "Choose who declared the interest"},
    )
    item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item",
        empty_label="The whole meeting",
    )
    kind = forms.ChoiceField(choices=DECLARATION_KINDS, label="Kind of interest")
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="The interest (and whether they left the room)",
    )

    #: The agenda items an interest is declared on: business to be discussed or decided, not the
    #: standing items (apologies, last minutes) nor actions carried forward for a progress note.
    ITEM_KINDS = ("item", "assessment", "aob")

    def __init__(self, *args, people, items, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "person").queryset = people
        model_choice(self, "item").queryset = items.filter(kind__in=self.ITEM_KINDS)


class KeyDecisionForm(forms.Form):
    """An entry in the forward plan."""

    title = forms.CharField(max_length=300, label="Decision to be taken")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    group = forms.ModelChoiceField(queryset=Group.objects.none(), label="Decision-maker (group)")
    expected_on = forms.DateField(
        label="Expected date of the decision",
        help_text="For example, 27/3/2027",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter a real date, like 27/3/2027"},
    )
    documents = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Documents to be considered",
        help_text="One a line",
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = groups


VOTE_CHOICES = [
    ("absent", "Not present"),
    ("present", "Present, did not vote"),
    ("for", "For"),
    ("against", "Against"),
    ("abstain", "Abstained"),
]


class DecisionForm(forms.Form):
    """A decision at a meeting: who was present and how each representative voted. Votes are
    counted one per council area or agency by the registry's voting rules."""

    date = forms.DateField(
        widget=DATE, label="Date of the meeting", help_text="For example, 2026-06-01"
    )
    motion = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Motion")
    casting_vote = forms.ChoiceField(
        choices=[("", "None needed"), ("for", "For"), ("against", "Against")],
        required=False,
        label="Chair's casting vote (used only on a tie)",
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        for m in self.memberships:
            self.fields[f"vote_{m.pk}"] = forms.ChoiceField(
                choices=VOTE_CHOICES,
                initial="absent",
                label=f"{m.person.name} ({m.seat.label}, {m.seat.body_label})",
            )

    def vote_fields(self):
        return [self[f"vote_{m.pk}"] for m in self.memberships]

    def ballots(self):
        present, ballots = [], []
        for m in self.memberships:
            value = self.cleaned_data[f"vote_{m.pk}"]
            if value != "absent":
                present.append(m.person)
            if value in ("for", "against", "abstain"):
                ballots.append((m.person, value))
        return present, ballots


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

    hotspot = forms.RegexField(
        regex=r"^[EW]0[15]\d{6}$",
        required=False,
        label="Hot-spot (optional)",
        help_text="The LSOA or ward code of the hot-spot it tackles, for example E01025300",
        error_messages={"invalid": "Enter an LSOA or ward code like E01025300, or leave it empty"},
    )
    priority = forms.CharField(
        max_length=200,
        required=False,
        label="Priority (optional)",
        help_text="The partnership priority it serves, for example Violence and sexual offences",
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            model_choice(self, "owner").queryset = people


class ClosingMeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.group.name}, {obj.date:%-d %B %Y}"


class CloseActionForm(forms.Form):
    """Closing an action: the outcome note, done or dropped, and (when `meetings` are given)
    the meeting whose minutes record it closed."""

    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was done",
        help_text="Or why the action is dropped. This note is kept with the action",
        max_length=4000,
        error_messages={"required": "Say what was done, or why the action is dropped"},
    )
    dropped = forms.BooleanField(required=False, label="Dropped rather than done")
    meeting = ClosingMeetingChoice(
        queryset=None,
        required=False,
        label="Closed at the meeting",
        help_text="The meeting whose minutes record it closed; leave empty when it was closed "
        "between meetings",
        empty_label="Between meetings",
    )

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is None:
            del self.fields["meeting"]
        else:
            self.fields["meeting"].queryset = meetings


class DecisionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.meeting.date:%-d %B %Y}: {obj.motion[:120]}"


class AmendMinutesForm(forms.Form):
    """An amendment of approved minutes, as a later meeting of the group agreed it."""

    decision = DecisionChoice(
        queryset=None,
        label="The decision that agreed the amendment",
        help_text="A carried decision of a later meeting of the group",
        error_messages={
            "required": "Choose the decision of a later meeting that agreed the amendment",
            "invalid_choice": "Choose one of the later meeting's carried decisions listed",
        },
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for the amendment",
        help_text="As the meeting agreed it, for example: the fire service's apologies omitted",
        error_messages={"required": "Enter the reason for the amendment"},
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        label="Amended minutes",
        help_text="The whole text of the new version; the earlier versions stay as they were",
        error_messages={"required": "Enter the amended minutes"},
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "decision").queryset = decisions
