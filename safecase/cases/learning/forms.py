"""The learning review's forms. Forms check shapes; the actions decide and say why."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.cases.learning.choices import RecommendationStatus


class DateInput(forms.DateInput):
    """A browser date picker: its value is ISO (YYYY-MM-DD) whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


_TEXT = {"class": "govuk-textarea", "rows": 4}
_INPUT = {"class": "govuk-input"}
_DATE = {"class": "govuk-input govuk-input--width-10"}
_BAD_DATE = {"invalid": "Enter a real date, e.g. 2026-03-14.", "required": "Enter the date."}
Choices = list[tuple[str, str]]


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, error_messages=_BAD_DATE, widget=DateInput(attrs=_DATE))


def _text(label: str, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        error_messages={"required": f"Say {label[0].lower() + label[1:]}."},
        widget=forms.Textarea(attrs=_TEXT),
    )


class ReviewForm(forms.Form):
    went_well = _text("What went well")
    do_better = _text("What could be done better")
    why_it_happened = _text(
        "Why it happened", "The reasons, not the blame: systems, pressures, what people knew."
    )
    facilitator = forms.CharField(
        label="Facilitated by",
        max_length=200,
        error_messages={"required": "Say who facilitated the review."},
        widget=forms.TextInput(attrs=_INPUT),
    )
    held_on = _date("Date held")
    themes = forms.MultipleChoiceField(
        label="Themes", required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, themes: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["themes"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = themes


class RecommendationForm(forms.Form):
    text = _text("Recommendation")
    owner = forms.ChoiceField(label="Owner", widget=forms.Select(attrs={"class": "govuk-select"}))
    due_on = _date("Due by")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, members: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose"), *members]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=RecommendationStatus.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Note",
        required=False,
        help_text="Needed when dropping or reopening it: why.",
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ThemesForm(forms.Form):
    labels = forms.CharField(
        label="Themes, one a line",
        help_text="A theme you take out is retired: reviews keep it and it is still counted, "
        "but it is no longer offered.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 10}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def lines(self) -> list[str]:
        return str(self.cleaned_data["labels"]).splitlines()
