from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from cdrp.accounts.policy import Role


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


class ResetRequestForm(PasswordResetForm):
    """Ask for a link to set a new password. Also serves accounts made on the roles page that have
    no password yet, whose first link has expired; switched-off accounts get nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = "Email address"
        field.help_text = "The address your partnership's administrator has for you."
        field.error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            }
        )

    def get_users(self, email):
        from django.contrib.auth import get_user_model

        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.email.casefold() == email.casefold())


def _password_fields(form) -> None:
    form.fields["new_password1"].label = "New password"
    form.fields[
        "new_password1"
    ].help_text = "At least 12 characters. A few unrelated words make a good one."
    form.fields["new_password2"].label = "Confirm new password"
    form.fields["new_password1"].error_messages["required"] = "Enter a new password"
    form.fields["new_password2"].error_messages["required"] = "Enter the new password again"
    form.error_messages["password_mismatch"] = "The two passwords do not match"  # noqa: S105


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_fields(self)


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_fields(self)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"


class CodeForm(forms.Form):
    """A code from the authenticator app, or a backup code; `check` says whether it is right."""

    code = forms.CharField(
        max_length=20,
        label="Code",
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        error_messages={"required": "Enter the code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args, check, hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._check = check
        if hint:
            self.fields["code"].help_text = hint
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        result = self._check(code)
        if result.device is None:
            if result.wait_until is not None:
                raise forms.ValidationError(
                    f"Too many wrong codes: wait {result.wait_seconds} seconds, then try again"
                )
            raise forms.ValidationError(
                "The code is not right. Enter the code your app shows now, or a backup code"
            )
        self.device = result.device
        return code
