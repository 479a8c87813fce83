"""The case task forms. Forms validate shapes; actions decide (and say why)."""

from __future__ import annotations

from typing import Any

from django import forms

_INPUT = {"class": "govuk-input"}
_TEXT = {"class": "govuk-textarea", "rows": 3}

Choices = list[tuple[str, str]]


class TaskForm(forms.Form):
    title = forms.CharField(
        label="What needs doing", max_length=200, widget=forms.TextInput(attrs=_INPUT)
    )
    owner = forms.ChoiceField(
        label="Who owns it", widget=forms.Select(attrs={"class": "govuk-select"})
    )
    due_on = forms.DateField(
        label="Due by",
        help_text="For example, 27/3/2026.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"],
        widget=forms.DateInput(attrs={**_INPUT, "class": "govuk-input govuk-input--width-10"}),
        error_messages={"invalid": "Enter the due date as day/month/year, e.g. 27/3/2026."},
    )

    def __init__(self, *args: Any, owners: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = owners


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Mark the task",
        choices=(("done", "Done"), ("cancelled", "Cancelled")),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note (a reason is needed to cancel)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs=_TEXT),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
