"""The notes part's forms. Forms validate shapes; actions decide (and say why)."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.cases.notes.actions import MAX_WEEKS
from safecase.cases.notes.choices import NoteKind, NoteVisibility

_TEXT = {"class": "govuk-textarea", "rows": 5}
_INPUT = {"class": "govuk-input"}
_SELECT = {"class": "govuk-select"}
# A native date-time picker, and without one the browser still takes the typed value.
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
ACTION_ROWS = 3

Choices = list[tuple[str, str]]


def _datetime(label: str, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"class": "govuk-input govuk-input--width-20", "type": "datetime-local"},
            format="%Y-%m-%dT%H:%M",
        ),
        error_messages={"invalid": "Enter a real date and time, e.g. 2026-11-03 14:30."},
        **kwargs,
    )


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(
            attrs={"class": "govuk-input govuk-input--width-10", "type": "date"}, format="%Y-%m-%d"
        ),
        error_messages={"invalid": "Enter a real date, e.g. 2026-11-03."},
        **kwargs,
    )


def _choices(form: forms.Form, name: str, choices: Choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of note", choices=NoteKind.choices, widget=forms.RadioSelect
    )
    occurred_at = _datetime(
        "When it happened", help_text="The date and time of the contact or discussion."
    )
    fact = forms.CharField(
        label="Facts",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What happened, was seen or was said, and by whom. Keep your opinion for the "
        "next box.",
    )
    opinion = forms.CharField(
        label="Your opinion (optional)",
        required=False,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
        help_text="Your view or assessment. It is always shown labelled as opinion.",
    )
    visibility = forms.ChoiceField(
        label="Who may read it",
        choices=NoteVisibility.choices,
        initial=NoteVisibility.SAFEGUARDING_TEAM,
        widget=forms.RadioSelect,
        help_text="Cannot be changed later. Only notes for the whole safeguarding team appear "
        "in the people's chronologies.",
    )
    named_people = forms.MultipleChoiceField(
        label="The named people (for a note restricted to named people)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each must be able to see the case. You can always read your own note.",
    )

    def __init__(self, *args: Any, members: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "named_people", members)


class NoteEditForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of note", choices=NoteKind.choices, widget=forms.RadioSelect
    )
    occurred_at = _datetime("When it happened")
    fact = forms.CharField(label="Facts", widget=forms.Textarea(attrs=_TEXT))
    opinion = forms.CharField(
        label="Your opinion (optional)",
        required=False,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddendumForm(forms.Form):
    reason = forms.CharField(
        label="Why you are adding this", max_length=300, widget=forms.TextInput(attrs=_INPUT)
    )
    text = forms.CharField(
        label="What you are adding or correcting", widget=forms.Textarea(attrs=_TEXT)
    )


class SupervisionForm(forms.Form):
    supervisee = forms.ChoiceField(label="Worker supervised", widget=forms.Select(attrs=_SELECT))
    held_at = _datetime("When the session was held")
    discussion = forms.CharField(
        label="Discussion",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="The reflection on the case: what is known, what worries you, what is "
        "working, how the worker is.",
    )
    decisions = forms.CharField(
        label="Decisions (optional)", required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    next_session_on = _date("Next session (optional)", required=False)

    def __init__(self, *args: Any, supervisees: Choices, owners: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "supervisee", supervisees)
        for i in range(ACTION_ROWS):
            self.fields[f"action_{i}_text"] = forms.CharField(
                label=f"Action {i + 1}",
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs=_INPUT),
            )
            self.fields[f"action_{i}_owner"] = forms.ChoiceField(
                label=f"Action {i + 1}: owner (optional)",
                required=False,
                choices=[("", "No owner"), *owners],
                widget=forms.Select(attrs=_SELECT),
            )
            self.fields[f"action_{i}_due_on"] = _date(
                f"Action {i + 1}: due date (with an owner)", required=False
            )

    def action_rows(self) -> list[list[Any]]:
        return [
            [self[f"action_{i}_{part}"] for part in ("text", "owner", "due_on")]
            for i in range(ACTION_ROWS)
        ]


class ScheduleForm(forms.Form):
    worker = forms.ChoiceField(label="Worker", widget=forms.Select(attrs=_SELECT))
    every_weeks = forms.IntegerField(
        label="A session every (weeks)",
        min_value=1,
        max_value=MAX_WEEKS,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
        error_messages={"invalid": "Enter a whole number of weeks, e.g. 4."},
    )
    starts_on = _date("Starting on")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, workers: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "worker", workers)
