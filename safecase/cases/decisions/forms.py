"""The decision and appeal forms. Forms validate shapes; actions decide (and say why in a
DomainError). The rationale, grounds and reasons are checked by the actions, so the message is
the same from a page and from the API.

Sanctions need no JavaScript: one row per sanction the organisation offers, each with a tick
box, an optional detail and an optional end date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from safecase.cases.decisions.choices import (
    APPEAL_OUTCOME_HELP,
    AppealOutcome,
    AppliesTo,
    OptionKind,
)
from safecase.cases.decisions.models import DecisionOption
from safecase.cases.decisions.selectors import SanctionInput

_TEXT = {"class": "govuk-textarea", "rows": 5}
_INPUT = {"class": "govuk-input"}
_DATE = {"class": "govuk-input govuk-input--width-10", "type": "date"}
_DATETIME = {"class": "govuk-input govuk-input--width-20", "type": "datetime-local"}
_SELECT = {"class": "govuk-select"}

Choices = list[tuple[str, str]]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _choices(form: forms.Form, name: str, choices: Choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _datetime_field(label: str, *, required: bool = True, help_text: str = "") -> Any:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M"),
        help_text=help_text or "Date and time, e.g. 2026-03-14 14:30.",
        error_messages={"invalid": "Enter a real date and time, e.g. 2026-03-14 14:30."},
    )


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> Any:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
        help_text=help_text,
        error_messages={"invalid": "Enter a real date, e.g. 2026-03-14."},
    )


def option_label(option: DecisionOption) -> str:
    return f"{option.label} – {option.help_text}" if option.help_text else option.label


class SanctionFields:
    """The sanction rows, added to a form for the sanctions the organisation offers."""

    sanction_options: list[DecisionOption]

    def add_sanction_fields(self, form: forms.Form, options: list[DecisionOption]) -> None:
        self.sanction_options = options
        for option in options:
            form.fields[f"sanction_{option.pk}"] = forms.BooleanField(
                label=option.label, required=False, help_text=option.help_text
            )
            form.fields[f"sanction_{option.pk}_detail"] = forms.CharField(
                label=f"Detail of {option.label.lower()} (optional)",
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs=_INPUT),
            )
            form.fields[f"sanction_{option.pk}_ends_on"] = _date_field(
                f"{option.label} ends on (optional)"
            )

    def sanction_rows(self, form: forms.Form) -> list[dict[str, Any]]:
        return [
            {
                "option": o,
                "tick": form[f"sanction_{o.pk}"],
                "detail": form[f"sanction_{o.pk}_detail"],
                "ends_on": form[f"sanction_{o.pk}_ends_on"],
            }
            for o in self.sanction_options
        ]

    def chosen_sanctions(self, data: dict[str, Any]) -> list[SanctionInput]:
        return [
            SanctionInput(
                option=o,
                detail=data.get(f"sanction_{o.pk}_detail") or "",
                ends_on=data.get(f"sanction_{o.pk}_ends_on"),
            )
            for o in self.sanction_options
            if data.get(f"sanction_{o.pk}")
        ]


class DecisionForm(SanctionFields, forms.Form):
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect)
    decision_makers = forms.MultipleChoiceField(
        label="Decision makers",
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone who took the decision. You are recording it, so you are one of them.",
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Why this outcome and these sanctions, from the information available. "
        "Required: the record must say why.",
    )
    decided_at = _datetime_field("When the decision was made")
    supersede_reason = forms.CharField(
        label="Why this decision supersedes the current one",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="A decision is never edited: a correction is a new decision with its reason. "
        "The current one stays on the record.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        outcomes: list[DecisionOption],
        sanctions: list[DecisionOption],
        makers: Choices,
        superseding: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "outcome", [(str(o.pk), option_label(o)) for o in outcomes])
        _choices(self, "decision_makers", makers)
        if not superseding:
            del self.fields["supersede_reason"]
        self.outcome_options = {str(o.pk): o for o in outcomes}
        self.add_sanction_fields(self, sanctions)
        self.initial.setdefault("decided_at", _now_local())


class AppealForm(forms.Form):
    appellant_person = forms.ChoiceField(
        label="Appellant on the case (optional)",
        required=False,
        widget=forms.Select(attrs=_SELECT),
        help_text="A person on the case who appeals, e.g. the adult the allegation is about.",
    )
    appellant_name = forms.CharField(
        label="Or the appellant's name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=_INPUT),
    )
    appellant_role = forms.CharField(
        label="Their role or relationship (optional)",
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="E.g. the coach, a parent, their union representative.",
    )
    grounds = forms.CharField(
        label="Grounds of appeal",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What the appellant says is wrong with the decision or sanction. Required.",
    )
    lodged_at = _datetime_field("When the appeal was lodged")
    deadline = _date_field(
        "Deadline for lodging the appeal",
        help_text="By default 14 calendar days after the decision (standing in for 10 "
        "working days).",
    )
    late_reason = forms.CharField(
        label="If lodged after the deadline: why it is accepted",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: Choices, deadline: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "appellant_person", [("", "Someone not on the case"), *people])
        self.initial.setdefault("lodged_at", _now_local())
        self.initial.setdefault("deadline", deadline)


class PanelForm(forms.Form):
    panel = forms.MultipleChoiceField(
        label="Appeal panel",
        widget=forms.CheckboxSelectMultiple,
        help_text="Members who may decide on this case. None of the original decision makers "
        "may sit on the panel.",
    )
    hearing_at = _datetime_field("Hearing date and time (optional)", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, members: Choices, original_makers: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.original_makers = original_makers
        _choices(
            self,
            "panel",
            [
                (pk, f"{name} (made the decision under appeal: cannot sit)")
                if pk in original_makers
                else (pk, name)
                for pk, name in members
            ],
        )

    def clean_panel(self) -> list[str]:
        chosen: list[str] = self.cleaned_data.get("panel") or []
        conflicted = sorted(self.original_makers[pk] for pk in chosen if pk in self.original_makers)
        if conflicted:
            raise forms.ValidationError(
                f"{', '.join(conflicted)} made the decision under appeal, so cannot sit on its "
                "panel: the panel must be independent of the original decision makers."
            )
        return chosen


class AppealOutcomeForm(SanctionFields, forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome of the appeal",
        widget=forms.RadioSelect,
        choices=[
            (value, f"{label}. {APPEAL_OUTCOME_HELP[value]}")
            for value, label in AppealOutcome.choices
        ],
    )
    outcome_reason = forms.CharField(
        label="The panel's reasons",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Required, whatever the outcome.",
    )
    decided_at = _datetime_field("When the panel decided")
    new_outcome = forms.ChoiceField(
        label="Varied decision: its outcome",
        required=False,
        widget=forms.RadioSelect,
        help_text="Only if the appeal is varied.",
    )
    decision_makers = forms.MultipleChoiceField(
        label="Varied decision: its decision makers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Panel members only; all of the panel if none is ticked.",
    )
    rationale = forms.CharField(
        label="Varied decision: its rationale",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        outcomes: list[DecisionOption],
        sanctions: list[DecisionOption],
        panel: Choices,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "new_outcome", [(str(o.pk), option_label(o)) for o in outcomes])
        _choices(self, "decision_makers", panel)
        self.outcome_options = {str(o.pk): o for o in outcomes}
        self.add_sanction_fields(self, sanctions)
        self.initial.setdefault("decided_at", _now_local())


class OptionAddForm(forms.Form):
    kind = forms.ChoiceField(
        label="What it is", choices=OptionKind.choices, widget=forms.RadioSelect
    )
    label = forms.CharField(label="Name", max_length=120, widget=forms.TextInput(attrs=_INPUT))
    applies_to = forms.ChoiceField(
        label="For outcomes: which cases it is offered on",
        choices=AppliesTo.choices,
        initial=AppliesTo.ANY,
        widget=forms.RadioSelect,
    )
    help_text = forms.CharField(
        label="What it means (optional)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=_INPUT),
    )
