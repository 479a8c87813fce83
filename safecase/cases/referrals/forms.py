"""The referral forms. Forms validate shapes; actions decide (and say why)."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.cases.referrals.choices import ReferralMethod
from safecase.cases.referrals.models import MAX_RESPONSE_DAYS

_INPUT = {"class": "govuk-input"}
_SHORT = {"class": "govuk-input govuk-input--width-10"}
_TEXT = {"class": "govuk-textarea", "rows": 4}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"]
DATE_ERROR = {"invalid": "Enter the date as day/month/year, e.g. 27/3/2026."}

Choices = list[tuple[str, str]]


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text or "For example, 27/3/2026.",
        widget=forms.DateInput(attrs=_SHORT),
        error_messages=DATE_ERROR,
    )


class ReferralForm(forms.Form):
    agency = forms.ChoiceField(label="Referred to", widget=forms.RadioSelect)
    made_on = _date("Date the referral was made")
    made_time = forms.TimeField(
        label="Time",
        input_formats=["%H:%M", "%H.%M"],
        help_text="24-hour clock, for example 14:30.",
        widget=forms.TimeInput(attrs={"class": "govuk-input govuk-input--width-5"}),
        error_messages={"invalid": "Enter the time as hours and minutes, e.g. 14:30."},
    )
    method = forms.ChoiceField(
        label="How", choices=ReferralMethod.choices, widget=forms.RadioSelect
    )
    contact_name = forms.CharField(
        label="Who you spoke to or wrote to",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=_INPUT),
    )
    contact_details = forms.CharField(
        label="Their contact details",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=_INPUT),
    )
    their_reference = forms.CharField(
        label="Their reference (if given)",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=_SHORT),
    )
    summary = forms.CharField(
        label="What you shared and asked",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=_TEXT),
    )
    follow_up_on = _date(
        "Follow up by (optional)",
        required=False,
        help_text="Leave empty for the agency's deadline in working days (the LADO: the next "
        "working day).",
    )

    def __init__(self, *args: Any, agencies: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = agencies


class ResponseForm(forms.Form):
    response = forms.CharField(label="What the agency said", widget=forms.Textarea(attrs=_TEXT))
    received_on = _date("Date the response came")
    outcome = forms.CharField(
        label="Outcome",
        max_length=300,
        help_text="For example: no further action; strategy meeting arranged; police "
        "investigation; advice given.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    their_reference = forms.CharField(
        label="Their reference (if given now)",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=_SHORT),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class EscalateForm(forms.Form):
    escalated_to = forms.CharField(
        label="Escalated to",
        max_length=200,
        help_text="For example: the LADO's team manager; the MASH duty manager.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    reason = forms.CharField(label="Why, and what you asked", widget=forms.Textarea(attrs=_TEXT))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AgencyForm(forms.Form):
    code = forms.CharField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    label = forms.CharField(label="Name", max_length=120, widget=forms.TextInput(attrs=_INPUT))
    response_working_days = forms.IntegerField(
        label="Response expected within (working days)",
        min_value=1,
        max_value=MAX_RESPONSE_DAYS,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    is_active = forms.BooleanField(label="Offered when recording a referral", required=False)
