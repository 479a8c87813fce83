"""The concern form and the triage form. Forms validate shapes; actions decide."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from safecase.concerns.body_map import REGIONS
from safecase.concerns.choices import (
    BodySide,
    ConcernKind,
    LevelOfNeed,
    PersonRole,
    Rag,
    TriageDecision,
)
from safecase.concerns.models import Concern

PEOPLE_ROWS = 3
MARK_ROWS = 3
_TEXT = {"class": "govuk-textarea", "rows": 5}


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is this about?",
        choices=ConcernKind.choices,
        initial=ConcernKind.CHILD,
        widget=forms.RadioSelect,
    )
    is_urgent = forms.BooleanField(
        label="Urgent: a child may be at risk of harm now or today",
        required=False,
        help_text="The safeguarding lead is told at once. If a child is in immediate danger, "
        "call 999 first.",
    )
    recorder_role = forms.CharField(label="Your role", max_length=120, required=False)
    happened_on = forms.DateField(label="Date it happened", required=False, widget=DateInput)
    happened_time = forms.TimeField(label="Time (if known)", required=False, widget=TimeInput)
    happened_at_approximate = forms.BooleanField(
        label="The date or time is approximate", required=False
    )
    location = forms.CharField(label="Where it happened", max_length=200, required=False)
    categories = forms.MultipleChoiceField(
        label="What kind of concern is it?", widget=forms.CheckboxSelectMultiple, required=False
    )
    fact = forms.CharField(
        label="What I saw or heard (facts only)",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Describe exactly what you saw or heard, when and where. Use full names.",
    )
    own_words = forms.CharField(
        label="Their own words, exactly as said",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="If someone told you something, write their words, not a summary.",
    )
    opinion = forms.CharField(
        label="My opinion (labelled as opinion wherever it is shown)",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
    )
    immediate_actions = forms.CharField(
        label="What I did straight away", required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    others_informed = forms.CharField(
        label="Who else I told", required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 2})
    )
    attachment = forms.FileField(
        label="Attach a file (optional)",
        required=False,
        help_text="A photo of a handwritten note, a letter or a screenshot: PDF, PNG, JPEG, "
        "Word (.docx) or text, up to 10 MB. Do not photograph injuries.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, category_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = category_choices
        for name in ("recorder_role", "location"):
            self.fields[name].widget.attrs.update({"class": "govuk-input"})
        self.fields["happened_on"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-10"}
        )
        self.fields["happened_time"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-5"}
        )
        for i in range(PEOPLE_ROWS):
            self.fields[f"person_{i}_name"] = forms.CharField(
                label=f"Person {i + 1}: full name", max_length=200, required=False
            )
            self.fields[f"person_{i}_details"] = forms.CharField(
                label=f"Person {i + 1}: class, team or date of birth",
                max_length=200,
                required=False,
            )
            self.fields[f"person_{i}_role"] = forms.ChoiceField(
                label=f"Person {i + 1}: involvement",
                choices=PersonRole.choices,
                initial=PersonRole.SUBJECT,
                required=False,
            )
            self.fields[f"person_{i}_name"].widget.attrs.update(
                {"class": "govuk-input", "autocomplete": "off"}
            )
            self.fields[f"person_{i}_details"].widget.attrs.update({"class": "govuk-input"})
            self.fields[f"person_{i}_role"].widget.attrs.update({"class": "govuk-select"})
        regions = [
            ("", "Choose a place"),
            *((code, label) for code, (label, _, _) in REGIONS.items()),
        ]
        for i in range(MARK_ROWS):
            self.fields[f"mark_{i}_side"] = forms.ChoiceField(
                label=f"Mark {i + 1}: side", choices=[("", "–"), *BodySide.choices], required=False
            )
            self.fields[f"mark_{i}_region"] = forms.ChoiceField(
                label=f"Mark {i + 1}: place on the body", choices=regions, required=False
            )
            self.fields[f"mark_{i}_description"] = forms.CharField(
                label=f"Mark {i + 1}: what you saw (size, colour, shape)",
                max_length=300,
                required=False,
            )
            self.fields[f"mark_{i}_side"].widget.attrs.update({"class": "govuk-select"})
            self.fields[f"mark_{i}_region"].widget.attrs.update({"class": "govuk-select"})
            self.fields[f"mark_{i}_description"].widget.attrs.update({"class": "govuk-input"})

    def people_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"person_{i}_{p}"] for p in ("name", "details", "role")]
            for i in range(PEOPLE_ROWS)
        ]

    def mark_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"mark_{i}_{p}"] for p in ("side", "region", "description")]
            for i in range(MARK_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("happened_time") and not cleaned.get("happened_on"):
            self.add_error("happened_on", "Give the date as well as the time.")
        return cleaned

    def people(self) -> list[dict[str, str]]:
        d = self.cleaned_data
        return [
            {
                "name": d.get(f"person_{i}_name", ""),
                "details": d.get(f"person_{i}_details", ""),
                "role": d.get(f"person_{i}_role") or PersonRole.SUBJECT,
            }
            for i in range(PEOPLE_ROWS)
        ]

    def marks(self) -> list[dict[str, str]]:
        d = self.cleaned_data
        rows = []
        for i in range(MARK_ROWS):
            side, region, text = (
                d.get(f"mark_{i}_{p}", "") for p in ("side", "region", "description")
            )
            if side or region or text:
                rows.append({"side": side, "region": region, "description": text})
        return rows

    def happened_at(self) -> datetime | None:
        day = self.cleaned_data.get("happened_on")
        if day is None:
            return None
        given = self.cleaned_data.get("happened_time")
        happened = timezone.make_aware(datetime.combine(day, given or time(12, 0)))
        if given is None:
            # A day without a time stands at midday (marked approximate), but never later than
            # now: something seen this morning, recorded before noon, did not happen "in the
            # future" (the action refuses those).
            happened = min(happened, timezone.now().replace(microsecond=0))
        return happened

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "people": self.people(),
            "category_codes": d["categories"],
            "kind": d["kind"],
            "recorder_role": d["recorder_role"],
            "is_urgent": d["is_urgent"],
            "happened_at": self.happened_at(),
            "happened_at_approximate": d["happened_at_approximate"]
            or (d.get("happened_on") is not None and d.get("happened_time") is None),
            "location": d["location"],
            "body_marks": self.marks(),
            **{
                k: d[k]
                for k in ("fact", "own_words", "opinion", "immediate_actions", "others_informed")
            },
        }

    @staticmethod
    def initial_for(concern: Concern) -> dict[str, Any]:
        local = timezone.localtime(concern.happened_at) if concern.happened_at else None
        initial: dict[str, Any] = {
            "kind": concern.kind,
            "is_urgent": concern.is_urgent,
            "recorder_role": concern.recorder_role,
            "happened_on": local.date() if local else None,
            "happened_time": local.time().replace(second=0, microsecond=0) if local else None,
            "happened_at_approximate": concern.happened_at_approximate,
            "location": concern.location,
            "categories": [c.code for c in concern.categories.all()],
            "version": concern.version,
            **{
                k: getattr(concern, k)
                for k in ("fact", "own_words", "opinion", "immediate_actions", "others_informed")
            },
        }
        for i, person in enumerate(concern.people.order_by("created_at")[:PEOPLE_ROWS]):
            initial[f"person_{i}_name"] = person.name_as_recorded
            initial[f"person_{i}_details"] = person.details_as_recorded
            initial[f"person_{i}_role"] = person.role
        for i, mark in enumerate(concern.body_map[:MARK_ROWS]):
            for part in ("side", "region", "description"):
                initial[f"mark_{i}_{part}"] = mark.get(part, "")
        return initial


class AddendumForm(forms.Form):
    reason = forms.CharField(label="Why you are adding this", max_length=300)
    text = forms.CharField(
        label="What you are adding or correcting", widget=forms.Textarea(attrs=_TEXT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.update({"class": "govuk-input"})


class TriageForm(forms.Form):
    level_of_need = forms.TypedChoiceField(
        label="Level of need", choices=LevelOfNeed.choices, coerce=int
    )
    rag = forms.ChoiceField(label="Urgency (RAG)", choices=Rag.choices)
    initial_risk = forms.CharField(
        label="Initial assessment of risk", widget=forms.Textarea(attrs={**_TEXT, "rows": 3})
    )
    decision = forms.ChoiceField(
        label="Decision", choices=TriageDecision.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale (required)",
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Why this decision, on the information you have now.",
    )
    threshold_considered = forms.CharField(
        label="Threshold considered (for a decision not to refer)",
        required=False,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
    )
    review_on = forms.DateField(label="Look at this again on", required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, level_choices: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if level_choices:
            # The organisation's own words for levels 1–4; the stored number never changes.
            self.fields["level_of_need"].choices = level_choices
        self.fields["level_of_need"].widget.attrs.update({"class": "govuk-select"})
        self.fields["rag"].widget.attrs.update({"class": "govuk-select"})
        self.fields["review_on"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})


class ActionForm(forms.Form):
    description = forms.CharField(label="What needs doing", max_length=300)
    owner = forms.ChoiceField(label="Who will do it")
    due_on = forms.DateField(label="By when", widget=DateInput)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        self.fields["description"].widget.attrs.update({"class": "govuk-input"})
        self.fields["owner"].widget.attrs.update({"class": "govuk-select"})
        self.fields["due_on"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})


class LinkPersonForm(forms.Form):
    concern_person = forms.UUIDField()
    person = forms.UUIDField(required=False)
