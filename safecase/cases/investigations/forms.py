"""The investigation's forms. Forms validate shapes; actions decide (and say why)."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.cases.investigations.choices import FindingKind, IntervieweeRole, InvestigationStatus

_TEXT = {"class": "govuk-textarea", "rows": 4}
_INPUT = {"class": "govuk-input"}
_SELECT = {"class": "govuk-select"}
_DATE = {"class": "govuk-input govuk-input--width-10", "type": "date"}
_DATETIME = {"class": "govuk-input govuk-input--width-20", "type": "datetime-local"}

Choices = list[tuple[str, str]]


def _choices(form: forms.Form, name: str, choices: Choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class InvestigationForm(forms.Form):
    terms_of_reference = forms.CharField(
        label="Terms of reference",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What the investigation is to find out, and what is outside it.",
    )
    plan = forms.CharField(
        label="Plan",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Who will be interviewed, what evidence will be sought, and when.",
    )
    investigator = forms.ChoiceField(label="Investigator", widget=forms.Select(attrs=_SELECT))
    status = forms.ChoiceField(
        label="Status", choices=InvestigationStatus.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Why are you making this change?",
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, members: Choices, opening: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "investigator", [("", "Choose the investigator"), *members])
        if opening:
            del self.fields["status"]
            self.fields["reason"].label = "Why is an investigation needed?"


class InterviewForm(forms.Form):
    interviewee_name = forms.CharField(
        label="Name of the person interviewed",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="Their full name. Leave blank if you choose a person on the case below.",
    )
    person = forms.ChoiceField(
        label="Or a person on the case", required=False, widget=forms.Select(attrs=_SELECT)
    )
    role = forms.ChoiceField(
        label="Their role", choices=IntervieweeRole.choices, widget=forms.RadioSelect
    )
    held_at = forms.DateTimeField(
        label="When the interview was held",
        widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    interviewer = forms.ChoiceField(label="Interviewed by", widget=forms.Select(attrs=_SELECT))
    summary = forms.CharField(
        label="Summary of what was said (fact)",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What the person said, as they said it, without your view of it.",
    )
    own_words = forms.CharField(
        label="Their own words, where given",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Verbatim, in quotation if you can.",
    )
    interviewer_opinion = forms.CharField(
        label="Your opinion (kept apart, shown as opinion)",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Your professional view: how the account fits with other evidence, demeanour.",
    )
    signed = forms.BooleanField(label="The statement was signed", required=False)
    signed_on = forms.DateField(
        label="Date signed", required=False, widget=forms.DateInput(attrs=_DATE)
    )

    def __init__(self, *args: Any, members: Choices, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "interviewer", [("", "Choose who interviewed"), *members])
        _choices(self, "person", [("", "Not a person on the case"), *people])


class AddendumForm(forms.Form):
    reason = forms.CharField(
        label="Why the addendum", max_length=300, widget=forms.TextInput(attrs=_INPUT)
    )
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs=_TEXT))


class EvidenceForm(forms.Form):
    item = forms.CharField(label="Item", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    source = forms.CharField(
        label="Source",
        max_length=300,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="Who or where it came from.",
    )
    obtained_on = forms.DateField(label="Date obtained", widget=forms.DateInput(attrs=_DATE))
    file = forms.FileField(
        label="File (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
        help_text="PDF, PNG, JPEG, text or Word (.docx). Stored encrypted; its SHA-256 is kept.",
    )


class CustodyForm(forms.Form):
    from_whom = forms.CharField(label="From", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    to_whom = forms.CharField(label="To", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    transferred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    purpose = forms.CharField(label="Purpose", max_length=300, widget=forms.TextInput(attrs=_INPUT))


class FindingForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of finding", choices=FindingKind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label="Finding", widget=forms.Textarea(attrs=_TEXT))
    interviews = forms.MultipleChoiceField(
        label="Based on these interviews", required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence = forms.MultipleChoiceField(
        label="Based on this evidence", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, interviews: Choices, evidence: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "interviews", interviews)
        _choices(self, "evidence", evidence)
