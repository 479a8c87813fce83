"""Forms of the transfer pages (GOV.UK classes; every form works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.accounts.models import Organisation

TEXTAREA = {"class": "govuk-textarea", "rows": 4}
INPUT = {"class": "govuk-input"}


class SendForm(forms.Form):
    receiver = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="The organisation the person is moving to",
        help_text="Organisations of your partnership on this Safecase.",
        empty_label="Choose an organisation",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": "Choose the organisation the person is moving to."},
    )
    reason = forms.CharField(
        label="Why the file is going",
        help_text="For example: joined Oakfield Primary School on 1 September (in-year move).",
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        error_messages={"required": "Give the reason for sending the file."},
    )
    include_attachments = forms.BooleanField(
        required=False,
        label="Include the concerns' attachments (up to 15 MB in all)",
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

    def __init__(self, *args: Any, receivers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers  # type: ignore[attr-defined]


class ExportForm(forms.Form):
    receiver_organisation_id = forms.CharField(
        label="The receiving organisation's id on its Safecase",
        max_length=64,
        widget=forms.TextInput(attrs=INPUT),
    )
    receiver_organisation_name = forms.CharField(
        label="The receiving organisation's name",
        max_length=200,
        widget=forms.TextInput(attrs=INPUT),
    )
    receiver_public_key = forms.CharField(
        label="The receiving installation's public encryption key",
        help_text="Its operator gives it (manage.py transfers_keys): 44 characters of base64.",
        max_length=100,
        widget=forms.TextInput(attrs=INPUT),
    )
    reason = forms.CharField(
        label="Why the file is going", widget=forms.Textarea(attrs=TEXTAREA), max_length=2000
    )


class DownloadLinkForm(forms.Form):
    recipient_name = forms.CharField(
        label="Who receives it (organisation and person)",
        max_length=200,
        widget=forms.TextInput(attrs=INPUT),
    )
    recipient_email = forms.EmailField(
        label="Their e-mail address",
        help_text="The one-time link goes here. You will give them the code by telephone.",
        widget=forms.EmailInput(attrs=INPUT),
    )
    reason = forms.CharField(
        label="Why the file is going", widget=forms.Textarea(attrs=TEXTAREA), max_length=2000
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(VersionedForm):
    person = forms.ChoiceField(
        label="Whose record the file goes on",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Choose a person, or to add them as a new person."},
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("new", "Add them as a new person from the file")]
        choices += [
            (
                str(p.pk),
                f"{p.given_names} {p.family_name}"
                + (f", born {p.date_of_birth:%d %b %Y}" if p.date_of_birth else ""),
            )
            for p in people
        ]
        self.fields["person"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(VersionedForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs=TEXTAREA), max_length=2000)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="The six-digit code",
        help_text="The sender gave it to you by telephone.",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )
