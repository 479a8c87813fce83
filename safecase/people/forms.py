"""Validation of person forms. The actions re-check everything; forms give field-level messages."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.people.identifiers import IdentifierScheme
from safecase.people.models import Gender, Person, PersonKind, VulnerabilityFlag


class GovukDateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PersonForm(forms.Form):
    kind = forms.ChoiceField(label="Who is this?", choices=PersonKind.choices)
    given_names = forms.CharField(label="Legal given names", max_length=200)
    family_name = forms.CharField(label="Legal family name", max_length=200)
    preferred_name = forms.CharField(
        label="Preferred name (optional)", max_length=200, required=False
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)", required=False, widget=GovukDateInput
    )
    gender = forms.ChoiceField(choices=Gender.choices, initial=Gender.NOT_KNOWN)
    flags = forms.MultipleChoiceField(
        label="Vulnerabilities (optional)",
        choices=VulnerabilityFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_names", "family_name", "preferred_name"):
            self.fields[name].widget.attrs.update({"class": "govuk-input", "autocomplete": "off"})
        self.fields["date_of_birth"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-10"}
        )
        self.fields["kind"].widget.attrs.update({"class": "govuk-select"})
        self.fields["gender"].widget.attrs.update({"class": "govuk-select"})


class PersonCreateForm(PersonForm):
    identifier_scheme = forms.ChoiceField(
        label="Identifier (optional)",
        choices=[("", "None"), *IdentifierScheme.choices],
        required=False,
    )
    identifier_value = forms.CharField(label="Identifier number", max_length=64, required=False)
    not_a_duplicate = forms.BooleanField(label="None of these is the same person", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["identifier_scheme"].widget.attrs.update({"class": "govuk-select"})
        self.fields["identifier_value"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-20", "spellcheck": "false"}
        )

    def identifiers(self) -> list[tuple[str, str]]:
        scheme = self.cleaned_data.get("identifier_scheme") or ""
        value = (self.cleaned_data.get("identifier_value") or "").strip()
        return [(scheme, value)] if scheme and value else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("identifier_value") and not cleaned.get("identifier_scheme"):
            self.add_error("identifier_scheme", "Choose which kind of identifier this is.")
        return cleaned


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def for_person(cls, person: Person) -> PersonEditForm:
        return cls(
            initial={
                "kind": person.kind,
                "given_names": person.given_names,
                "family_name": person.family_name,
                "preferred_name": person.preferred_name,
                "date_of_birth": person.date_of_birth,
                "gender": person.gender,
                "flags": person.flags,
                "version": person.version,
            }
        )
