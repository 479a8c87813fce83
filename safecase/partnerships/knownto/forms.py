"""The known-to check form and the contact settings form. The actions re-check everything;
the forms give field-level messages."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.people.forms import GovukDateInput
from safecase.people.identifiers import IdentifierScheme

IDENTIFIER_FIELDS: tuple[tuple[str, str, str], ...] = (
    (IdentifierScheme.NHS, "NHS number", "10 digits, e.g. 943 476 5919"),
    (IdentifierScheme.UPN, "Unique Pupil Number (UPN)", "13 characters, a letter first"),
    (IdentifierScheme.LA_CHILD_ID, "Local authority child ID", ""),
    (IdentifierScheme.OTHER, "Other reference", ""),
)


class KnownToCheckForm(forms.Form):
    nhs = forms.CharField(label="NHS number (optional)", max_length=64, required=False)
    upn = forms.CharField(label="Unique Pupil Number (optional)", max_length=64, required=False)
    la_child_id = forms.CharField(
        label="Local authority child ID (optional)", max_length=64, required=False
    )
    other = forms.CharField(label="Other reference (optional)", max_length=64, required=False)
    given_names = forms.CharField(label="Given names", max_length=200, required=False)
    family_name = forms.CharField(label="Family name", max_length=200, required=False)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=GovukDateInput)
    purpose = forms.CharField(
        label="Why are you asking?",
        max_length=1000,
        help_text="Recorded in your organisation's audit trail, e.g. the referral you are "
        "screening. Do not write the person's name here.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for scheme, _, hint in IDENTIFIER_FIELDS:
            field = self.fields[scheme]
            field.help_text = hint
            field.widget.attrs.update(
                {
                    "class": "govuk-input govuk-input--width-20",
                    "spellcheck": "false",
                    "autocomplete": "off",
                }
            )
        for name in ("given_names", "family_name"):
            self.fields[name].widget.attrs.update({"class": "govuk-input", "autocomplete": "off"})
        self.fields["date_of_birth"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-10"}
        )
        self.fields["purpose"].widget.attrs.update({"class": "govuk-textarea"})

    def identifiers(self) -> list[tuple[str, str]]:
        return [
            (scheme, (self.cleaned_data.get(scheme) or "").strip())
            for scheme, _, _ in IDENTIFIER_FIELDS
            if (self.cleaned_data.get(scheme) or "").strip()
        ]


class KnownToContactForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    role = forms.CharField(
        label="Role or team",
        max_length=200,
        help_text="Who partners should contact, e.g. 'MASH police desk' or 'Designated "
        "safeguarding lead'. A role, not a person's name.",
    )
    mailbox = forms.EmailField(
        label="Mailbox",
        max_length=254,
        help_text="A shared, secure mailbox, e.g. mash.police@example.org.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].widget.attrs.update({"class": "govuk-input"})
        self.fields["mailbox"].widget.attrs.update(
            {"class": "govuk-input", "spellcheck": "false", "autocomplete": "email"}
        )
