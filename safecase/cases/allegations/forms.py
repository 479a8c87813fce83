"""The allegation track's forms. Forms check shapes (a date is a date); the actions decide
(rationale present, review after the decision...) and say why in a DomainError."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.cases.allegations.choices import (
    MAX_HARM_TESTS,
    BarringBody,
    ReviewOutcome,
    SuspensionChoice,
)


class DateInput(forms.DateInput):
    """A browser date picker: its value is ISO (YYYY-MM-DD) whatever the locale; without
    the picker the same text is typed."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


_TEXT = {"class": "govuk-textarea", "rows": 3}
_INPUT = {"class": "govuk-input"}
_DATE = {"class": "govuk-input govuk-input--width-10"}
_BAD_DATE = {"invalid": "Enter a real date, e.g. 2026-03-14.", "required": "Enter the date."}
YES_NO = (("yes", "Yes"), ("no", "No"))


def _date(label: str, *, required: bool = True, hint: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=hint,
        error_messages=_BAD_DATE,
        widget=DateInput(attrs=_DATE),
    )


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class HarmTestForm(forms.Form):
    """One yes/no answer and a note for each of the organisation's harm tests."""

    summary = forms.CharField(
        label="Summary (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=_TEXT),
    )
    version = _version()

    def __init__(self, *args: Any, questions: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        summary = self.fields.pop("summary")
        version = self.fields.pop("version")
        for q in questions:
            self.fields[f"answer_{q['code']}"] = forms.ChoiceField(
                label=q["question"],
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer yes or no: {q['question']}."},
            )
            self.fields[f"note_{q['code']}"] = forms.CharField(
                label="Note",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
            )
        self.fields["summary"] = summary
        self.fields["version"] = version

    def pairs(self) -> list[tuple[Any, Any]]:
        return [(self[f"answer_{q['code']}"], self[f"note_{q['code']}"]) for q in self.questions]

    def answers(self) -> dict[str, bool | None]:
        data = self.cleaned_data
        return {
            q["code"]: {"yes": True, "no": False}.get(data.get(f"answer_{q['code']}", ""))
            for q in self.questions
        }

    def notes(self) -> dict[str, str]:
        return {q["code"]: self.cleaned_data.get(f"note_{q['code']}", "") for q in self.questions}


class LadoForm(forms.Form):
    lado_reference = forms.CharField(
        label="The LADO's reference", max_length=60, widget=forms.TextInput(attrs=_INPUT)
    )
    referred_on = _date("Date of the referral")
    referred_time = forms.TimeField(
        label="Time of the referral",
        error_messages={"invalid": "Enter a time, e.g. 14:30.", "required": "Enter the time."},
        widget=TimeInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    version = _version()


class SuspensionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=SuspensionChoice.choices, widget=forms.RadioSelect
    )
    arrangements = forms.CharField(
        label="Arrangements",
        required=False,
        help_text="For alternative arrangements: what they are (e.g. redeployed to the office).",
        widget=forms.Textarea(attrs=_TEXT),
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Why this decision: the risk to children, the advice of the LADO, the "
        "alternatives considered.",
        error_messages={"required": "Give the rationale for this decision."},
        widget=forms.Textarea(attrs=_TEXT),
    )
    starts_on = _date("From")
    next_review_on = _date("Next review", required=False)
    version = _version()


class ReviewForm(forms.Form):
    reviewed_on = _date("Date of the review")
    outcome = forms.ChoiceField(
        label="Outcome", choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    new_decision = forms.ChoiceField(
        label="If changed, the decision becomes",
        required=False,
        choices=[("", "Choose"), *SuspensionChoice.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    arrangements = forms.CharField(
        label="Arrangements (if changed)", required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    rationale = forms.CharField(
        label="Rationale",
        error_messages={"required": "Give the rationale for this review."},
        widget=forms.Textarea(attrs=_TEXT),
    )
    next_review_on = _date("Next review", required=False, hint="Not needed when lifted.")
    version = _version()


class BarringForm(forms.Form):
    body = forms.ChoiceField(
        label="Referred to", choices=BarringBody.choices, widget=forms.RadioSelect
    )
    body_name = forms.CharField(
        label="Name of the body",
        required=False,
        max_length=120,
        help_text="For a governing body or another body, e.g. The Football Association.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    referred_on = _date("Date of the referral")
    reference = forms.CharField(
        label="Their reference (optional)",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs=_INPUT),
    )
    reason = forms.CharField(
        label="Why the referral is made",
        error_messages={"required": "Give the reason for the referral."},
        widget=forms.Textarea(attrs=_TEXT),
    )
    version = _version()


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label="Their outcome",
        error_messages={"required": "Say what the body decided."},
        widget=forms.Textarea(attrs=_TEXT),
    )
    outcome_on = _date("Date of the outcome")
    version = _version()


class HarmTestSettingsForm(forms.Form):
    """The organisation's harm tests, one a line (a blank line drops it)."""

    version = _version()

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(MAX_HARM_TESTS):
            self.fields[f"question_{index + 1}"] = forms.CharField(
                label=f"Test {index + 1}",
                required=False,
                max_length=300,
                initial=questions[index] if index < len(questions) else "",
                widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
            )

    def questions(self) -> list[str]:
        return [self.cleaned_data.get(f"question_{i + 1}", "") for i in range(MAX_HARM_TESTS)]
