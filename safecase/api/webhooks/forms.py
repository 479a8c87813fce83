"""The endpoint form: a URL, a description and the events to be told about."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.api.webhooks import egress
from safecase.core.errors import DomainError
from safecase.core.events import EVENT_TYPES

EVENT_LABELS = {
    "referral.created": "A referral to the hub is created (referral.created)",
    "information_request.due": "An information request to us is due (information_request.due)",
    "information_request.answered": "An information request is answered "
    "(information_request.answered)",
    "referral.decided": "The hub decides a referral (referral.decided)",
    "transfer.received": "A safeguarding file is received (transfer.received)",
}


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where Safecase sends each event, by POST. It must start with https://.",
    )
    description = forms.CharField(label="Description (optional)", max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=[(e, EVENT_LABELS.get(e, e)) for e in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to be told about."},
    )
    is_active = forms.BooleanField(label="Active: send events to this endpoint", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs.update(
            {
                "class": "govuk-input",
                "inputmode": "url",
                "spellcheck": "false",
                "autocomplete": "off",
            }
        )
        self.fields["description"].widget.attrs.update({"class": "govuk-input"})
        self.fields["is_active"].widget.attrs.update({"class": "govuk-checkboxes__input"})

    def clean_url(self) -> str:
        # The action checks again; checking here too shows every problem of the form at once.
        url: str = self.cleaned_data["url"].strip()
        try:
            egress.check_url(url)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
