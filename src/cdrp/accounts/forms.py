from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct user name and password. Both are case sensitive.",
        "inactive": "This account has been switched off. Ask your partnership's administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User name"
        self.fields["username"].error_messages["required"] = "Enter your user name"
        self.fields["password"].error_messages["required"] = "Enter your password"


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Say what will use it, for example ‘analyst's spreadsheet’.",
        error_messages={"required": "Enter a name for the token"},
    )


class GrantRoleForm(forms.Form):
    """Give a person a role in a partnership; an account is made for a new user name."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]+$",
        max_length=150,
        label="User name",
        help_text="An existing account, or a new one. Letters, digits and @ . + - _ only.",
        error_messages={
            "required": "Enter a user name",
            "invalid": "User name must use only letters, digits and @ . + - _",
        },
    )
    full_name = forms.CharField(
        max_length=150, required=False, label="Full name", help_text="Needed for a new account."
    )
    email = forms.EmailField(
        required=False,
        label="Email address",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )
    role = forms.ChoiceField(
        choices=[],
        widget=forms.RadioSelect,
        label="Role",
        error_messages={"required": "Select a role"},
    )

    def __init__(self, *args, **kwargs):
        from cdrp.accounts.policy import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r != Role.PUBLIC]

    def clean(self):
        from django.contrib.auth import get_user_model

        data = super().clean()
        username = data.get("username")
        if username and not get_user_model().objects.filter(username=username).exists():
            if not data.get("full_name"):
                self.add_error("full_name", "Enter the full name of the person for the new account")
        return data
