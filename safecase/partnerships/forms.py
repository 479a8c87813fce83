"""The hub's forms. They check shape (required, lengths, dates); the actions check meaning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms

from safecase.access.models import Consent
from safecase.partnerships.choices import AgencyKind, Decision, Rating, Source

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]

TEXT = {"class": "govuk-input"}
AREA = {"class": "govuk-textarea", "rows": 5}


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SettingsForm(VersionForm):
    opens_at = forms.TimeField(
        label="Opens at", help_text="24-hour clock, e.g. 09:00", widget=forms.TextInput(TEXT)
    )
    closes_at = forms.TimeField(label="Closes at", widget=forms.TextInput(TEXT))
    weekdays = forms.MultipleChoiceField(
        label="Working days",
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
    )
    closed_days = forms.CharField(
        label="The hub's own closed days",
        help_text="One date a line (YYYY-MM-DD). Bank holidays are always closed.",
        required=False,
        widget=forms.Textarea(AREA),
    )
    red_working_hours = forms.IntegerField(
        label="Red: within how many working hours", min_value=1, widget=forms.NumberInput(TEXT)
    )
    amber_working_hours = forms.IntegerField(
        label="Amber: within how many working hours", min_value=1, widget=forms.NumberInput(TEXT)
    )
    green_hours = forms.IntegerField(
        label="Green: within how many hours (nights and weekends count)",
        min_value=1,
        widget=forms.NumberInput(TEXT),
    )
    reason = forms.CharField(
        label="Why the change", max_length=500, required=False, widget=forms.TextInput(TEXT)
    )

    def clean_closed_days(self) -> list[date]:
        days = []
        for line in self.cleaned_data["closed_days"].split():
            try:
                days.append(date.fromisoformat(line.strip()))
            except ValueError as exc:
                raise forms.ValidationError(f"{line[:20]} is not a date (YYYY-MM-DD).") from exc
        return days


class AgencyForm(forms.Form):
    agency_organisation = forms.ChoiceField(
        label="Member organisation", widget=forms.Select(attrs={"class": "govuk-select"})
    )
    kind = forms.ChoiceField(
        label="Kind of agency",
        choices=AgencyKind.choices,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency_organisation"].choices = members  # type: ignore[attr-defined]


class ReferForm(forms.Form):
    subject_name = forms.CharField(
        label="Who the referral is about", max_length=200, widget=forms.TextInput(TEXT)
    )
    summary = forms.CharField(
        label="What the hub needs to know", max_length=5000, widget=forms.Textarea(AREA)
    )
    concerns = forms.MultipleChoiceField(
        label="Concerns to send",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
    )
    case = forms.ChoiceField(
        label="Case to send", required=False, widget=forms.Select(attrs={"class": "govuk-select"})
    )
    person = forms.ChoiceField(
        label="Person to send",
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    lawful_basis = forms.CharField(
        label="Lawful basis for sharing",
        max_length=500,
        initial="UK GDPR Art. 6(1)(e) and Art. 9(2)(g)",
        widget=forms.TextInput(TEXT),
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=Consent.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
    consent_override_reason = forms.CharField(
        label="If consent was refused or not sought: why share anyway",
        max_length=1000,
        required=False,
        widget=forms.Textarea(AREA),
    )

    def __init__(
        self,
        *args: Any,
        concerns: list[tuple[str, str]],
        cases: list[tuple[str, str]],
        people: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concerns"].choices = concerns  # type: ignore[attr-defined]
        self.fields["case"].choices = [("", "No case"), *cases]  # type: ignore[attr-defined]
        self.fields["person"].choices = [("", "No person"), *people]  # type: ignore[attr-defined]


class EnterForm(forms.Form):
    source = forms.ChoiceField(
        label="How it came",
        choices=[(Source.PHONE, Source.PHONE.label), (Source.EMAIL, Source.EMAIL.label)],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
    caller = forms.CharField(
        label="Who referred (name, role, contact)", max_length=200, widget=forms.TextInput(TEXT)
    )
    subject_name = forms.CharField(
        label="Who the referral is about", max_length=200, widget=forms.TextInput(TEXT)
    )
    summary = forms.CharField(label="What was said", max_length=5000, widget=forms.Textarea(AREA))


class RateForm(VersionForm):
    rating = forms.ChoiceField(
        label="Rating",
        choices=Rating.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
    rationale = forms.CharField(
        label="Why this rating", max_length=2000, widget=forms.Textarea(AREA)
    )


class RequestForm(forms.Form):
    agencies = forms.MultipleChoiceField(
        label="Agencies to ask",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
    )
    question = forms.CharField(
        label="What the hub asks", max_length=2000, required=False, widget=forms.Textarea(AREA)
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = agencies  # type: ignore[attr-defined]


class AnswerForm(VersionForm):
    answer = forms.CharField(
        label="What your agency knows", max_length=10000, widget=forms.Textarea(AREA)
    )
    hold = forms.BooleanField(
        label="Hold for our approver to release",
        required=False,
        help_text="The hub sees a held answer only once your approver releases it.",
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )


class ShareForm(VersionForm):
    reason = forms.CharField(
        label="Why share this section with the other agencies and the referrer",
        max_length=500,
        widget=forms.TextInput(TEXT),
    )


class FileForm(forms.Form):
    file = forms.FileField(
        label="Add a file to your section",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
    )


class DecideForm(VersionForm):
    decision = forms.ChoiceField(
        label="The hub's decision",
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
    rationale = forms.CharField(label="Rationale", max_length=5000, widget=forms.Textarea(AREA))


class ReportForm(forms.Form):
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"class": "govuk-input", "type": "date"})
    )
    end = forms.DateField(
        label="To", widget=forms.DateInput(attrs={"class": "govuk-input", "type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date):
            if end < start:
                raise forms.ValidationError("The end comes before the start.")
            if (end - start).days > 366:
                raise forms.ValidationError("Choose a period of a year at most.")
        return data


def aware_dates(start: date, end: date) -> tuple[datetime, datetime]:
    from django.utils import timezone

    begin = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    finish = timezone.make_aware(datetime.combine(end, datetime.max.time()))
    return begin, finish
