"""Input validation for account screens. Forms validate; actions change data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from safecase.access.roles import Role
from safecase.accounts.models import Organisation
from safecase.accounts.validators import MAX_PASSWORD_LENGTH


class LoginForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    password = forms.CharField(
        label="Password", strip=False, max_length=MAX_PASSWORD_LENGTH, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "username", "class": "govuk-input"}
        )
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password", "class": "govuk-input"}
        )


class TokenForm(forms.Form):
    token = forms.CharField(label="Code", max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "class": "govuk-input govuk-input--width-10",
                "spellcheck": "false",
            }
        )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "class": "govuk-input"})


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=200)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="A person can hold several roles. Administrators never see case content.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"class": "govuk-input"})
        self.fields["full_name"].widget.attrs.update({"class": "govuk-input"})


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles", choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.update({"class": "govuk-textarea", "rows": 3})


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(label="Organisation name", max_length=200)
    mfa_required_for_reporters = forms.BooleanField(
        label="Reporters must use multi-factor authentication too",
        required=False,
        help_text="Every other role always must.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "govuk-input"})

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> OrganisationSettingsForm:
        return cls(
            initial={
                "name": organisation.name,
                "mfa_required_for_reporters": organisation.mfa_required_for_reporters,
                "version": organisation.version,
            }
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100, help_text="What will use it?")
    days = forms.IntegerField(label="Expires after (days)", min_value=1, initial=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "govuk-input"})
        self.fields["days"].widget.attrs.update({"class": "govuk-input govuk-input--width-4"})


def password_help() -> str:
    return " ".join(password_validation.password_validators_help_texts())
