"""The case forms. Forms validate shapes; actions decide (and say why in a DomainError)."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.cases.choices import SubjectRole, TeamRole

_TEXT = {"class": "govuk-textarea", "rows": 3}
_INPUT = {"class": "govuk-input"}
_SELECT = {"class": "govuk-select"}

Choices = list[tuple[str, str]]


def _choices(form: forms.Form, name: str, choices: Choices) -> None:
    """Set a choice field's options, known only when the form is made (they depend on who
    asks)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class OpenCaseForm(forms.Form):
    case_type = forms.ChoiceField(label="Type of case", widget=forms.RadioSelect)
    title = forms.CharField(
        label="Title",
        max_length=200,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="A short name for the situation, e.g. 'Allegation against a coach, U12s'.",
    )
    reason = forms.CharField(
        label="Why are you opening a case?", widget=forms.Textarea(attrs=_TEXT)
    )
    concern = forms.UUIDField(widget=forms.HiddenInput, required=False)
    restrict = forms.BooleanField(
        label="Restrict this case to named people",
        required=False,
        help_text="For example an allegation against the lead or a senior manager: nobody else, "
        "not even another lead or the auditor, will see that the case exists. You are always "
        "one of the named people.",
    )
    named_people = forms.MultipleChoiceField(
        label="Who else may see it", required=False, widget=forms.CheckboxSelectMultiple
    )
    restriction_reason = forms.CharField(
        label="Why it is restricted", required=False, widget=forms.Textarea(attrs=_TEXT)
    )

    def __init__(
        self, *args: Any, case_types: Choices, members: Choices | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "case_type", case_types)
        if members is None:  # the actor may not restrict records: no such choice offered
            for name in ("restrict", "named_people", "restriction_reason"):
                del self.fields[name]
        else:
            _choices(self, "named_people", members)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("restrict") and data.get("named_people"):
            self.add_error(
                "restrict", "Tick 'Restrict this case' to limit it to the people you chose."
            )
        return data


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move the case to", widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason for the move", widget=forms.Textarea(attrs=_TEXT))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, moves: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "to_stage", moves)


class AllocateForm(forms.Form):
    user = forms.ChoiceField(label="Who", widget=forms.Select(attrs=_SELECT))
    role = forms.ChoiceField(
        label="Role on the case", choices=TeamRole.choices, widget=forms.RadioSelect
    )
    replacing = forms.ChoiceField(
        label="Instead of (optional)",
        required=False,
        widget=forms.Select(attrs=_SELECT),
        help_text="A new case lead always replaces the current one.",
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs=_TEXT))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, members: Choices, current: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "user", members)
        _choices(self, "replacing", [("", "Nobody: an addition to the team"), *current])


class AddConcernForm(forms.Form):
    """On the case page beside AddSubjectForm: each has its own prefix, so ids never clash."""

    prefix = "add_concern"
    concern = forms.ChoiceField(label="Concern to add", widget=forms.Select(attrs=_SELECT))
    reason = forms.CharField(
        label="Why it belongs to this case",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=_INPUT),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, concerns: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "concern", concerns)


class AddSubjectForm(forms.Form):
    prefix = "add_subject"
    person = forms.ChoiceField(label="Person to add", widget=forms.Select(attrs=_SELECT))
    role = forms.ChoiceField(
        label="How they are involved", choices=SubjectRole.choices, widget=forms.RadioSelect
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "person", people)


class ConcernToCaseForm(forms.Form):
    """From a concern (or its triage: "add to an existing case"): which open case it joins."""

    case = forms.ChoiceField(label="Case to add the concern to", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why it belongs to this case",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=_INPUT),
    )

    def __init__(self, *args: Any, cases: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "case", cases)
