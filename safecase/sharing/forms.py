"""The sharing, extract and break-glass forms. Forms validate shapes; actions decide (and say
why)."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.access.models import Consent

_INPUT = {"class": "govuk-input"}
_SHORT = {"class": "govuk-input govuk-input--width-10"}
_TEXT = {"class": "govuk-textarea", "rows": 4}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"]

Choices = list[tuple[str, str]]


class ShareForm(forms.Form):
    to_organisation = forms.ChoiceField(
        label="Share with",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who to share with."},
    )
    purpose = forms.CharField(
        label="Purpose",
        help_text="Why they need it, e.g. 'for the strategy discussion on 12 March'.",
        max_length=2000,
        widget=forms.Textarea(attrs=_TEXT),
        error_messages={"required": "Say why you are sharing this."},
    )
    lawful_basis = forms.CharField(
        label="Lawful basis",
        help_text="Defaulted from the partnership's information-sharing agreement.",
        max_length=2000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
        error_messages={"required": "Give the lawful basis for sharing."},
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether consent was given, refused or not sought."},
    )
    consent_override_reason = forms.CharField(
        label="If consent was refused or not sought: why you are sharing anyway",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=_TEXT),
    )
    consent_overridden_by = forms.ChoiceField(
        label="Who decided to share without consent",
        required=False,
        help_text="Leave as yourself if you decided.",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    expires_on = forms.DateField(
        label="Share until (optional)",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="The share ends at the end of this day. For example, 27/3/2027.",
        widget=forms.DateInput(attrs=_SHORT),
        error_messages={"invalid": "Enter the date as day/month/year, e.g. 27/3/2027."},
    )

    def __init__(self, *args: Any, partners: Choices, deciders: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].choices = partners  # type: ignore[attr-defined]
        self.fields["consent_overridden_by"].choices = [  # type: ignore[attr-defined]
            ("", "Myself"),
            *deciders,
        ]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why you are ending this share",
        max_length=2000,
        widget=forms.Textarea(attrs=_TEXT),
        error_messages={"required": "Give a reason for revoking the share."},
    )


class ExtractForm(forms.Form):
    title = forms.CharField(
        label="Title of the extract",
        max_length=200,
        widget=forms.TextInput(attrs=_INPUT),
        error_messages={"required": "Give the extract a title."},
    )
    lines = forms.MultipleChoiceField(
        label="Lines to include",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one line of the chronology."},
    )

    def __init__(self, *args: Any, lines: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = lines  # type: ignore[attr-defined]


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why you need to open this restricted record",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs=_TEXT),
        error_messages={
            "required": "Say why you need to open this restricted record.",
            "min_length": "Say why you need to open this restricted record (at least a sentence).",
        },
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-5",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
        error_messages={"required": "Enter the current code from your authenticator app."},
    )


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Review note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=_TEXT),
    )
