"""The risk part's forms. Forms validate shapes; actions decide (and say why in a DomainError)."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.cases.risk.choices import Decision, GateKind, InterimMeasure, RiskLevel, Score

_TEXT = {"class": "govuk-textarea", "rows": 4}
_INPUT = {"class": "govuk-input"}


class DateInput(forms.DateInput):
    """A browser date picker: its value is ISO (YYYY-MM-DD) whatever the locale; without
    JavaScript or a picker, typing 2027-01-31 works."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"class": "govuk-input govuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d"
        )


class RiskAssessForm(forms.Form):
    risk_factors = forms.CharField(
        label="Risk factors",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What makes harm more likely or more serious. Separate fact from opinion.",
    )
    protective_factors = forms.CharField(
        label="Protective factors",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What keeps the child safe (or say there are none).",
    )
    likelihood = forms.TypedChoiceField(
        label="Likelihood of harm", choices=Score.choices, coerce=int, widget=forms.RadioSelect
    )
    impact = forms.TypedChoiceField(
        label="Impact if it happens", choices=Score.choices, coerce=int, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(
        label="Overall level of risk", choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    interim_measures = forms.MultipleChoiceField(
        label="Interim measures in place",
        choices=InterimMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interim_other = forms.CharField(
        label="The other measure (if you ticked Other)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=_INPUT),
    )
    next_review_on = forms.DateField(
        label="Next review",
        widget=DateInput,
        help_text="A date after today, e.g. 2027-01-31.",
        error_messages={
            "required": "Give the date of the next review.",
            "invalid": "Give the next review date as a real date, e.g. 2027-01-31.",
        },
    )
    reason = forms.CharField(
        label="Why you are assessing the risk now",
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
        help_text="For example: new information from the police, or the planned review.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApprovalRequestForm(forms.Form):
    kind = forms.ChoiceField(label="What needs approval", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why you are asking", widget=forms.Textarea(attrs={**_TEXT, "rows": 3})
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, GateKind(k).label) for k in kinds]


class ApprovalDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason for your decision",
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
        help_text="Required whether you approve or refuse: the record must say why.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class GatesForm(forms.Form):
    closure_needs_approval = forms.BooleanField(
        label="Closing a case needs a supervisor's approval", required=False
    )
    risk_version_needs_approval = forms.BooleanField(
        label="Each new risk assessment needs a supervisor's approval", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
