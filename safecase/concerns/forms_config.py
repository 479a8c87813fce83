"""Forms for the lead's safeguarding settings. Forms check shapes; config_actions decides
(bounds, duplicates, versions), so every rule and its message lives in one place."""

from __future__ import annotations

from typing import Any

from django import forms

from safecase.concerns.choices import LevelOfNeed
from safecase.concerns.models import PatternRule, SafeguardingSettings

_WHOLE = {"invalid": "Enter a whole number."}


def _hours(label: str, hint: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=hint,
        error_messages={**_WHOLE, "required": "Enter a number of hours."},
        widget=forms.NumberInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
        ),
    )


class CategoryAddForm(forms.Form):
    label = forms.CharField(
        label="Add a category of your own",
        max_length=200,
        error_messages={"required": "Give the new category a name."},
        help_text="Recorders will see it in the list after the ones above.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].widget.attrs.update({"class": "govuk-input"})


class CategoryRenameForm(forms.Form):
    label = forms.CharField(
        label="New name",
        max_length=200,
        error_messages={"required": "Give the category a name."},
        help_text="Concerns already recorded under this category will show the new name.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].widget.attrs.update({"class": "govuk-input"})


class CategoryChangeForm(forms.Form):
    """The buttons on the category list: retire, reinstate, move up or down."""

    version = forms.IntegerField(min_value=0)
    direction = forms.ChoiceField(choices=(("up", "Up"), ("down", "Down")), required=False)


class TimingsForm(forms.Form):
    overdue_hours = _hours(
        "Overdue after (hours)",
        "An untriaged concern is marked overdue on the triage queue and the home page this many "
        "hours after it was submitted.",
    )
    escalate_hours = _hours(
        "Escalated to the deputies after (hours)",
        "An untriaged concern is e-mailed to the deputies and leads (once) this many hours after "
        "it was submitted. It cannot be sooner than the overdue time.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def for_settings(cls, config: SafeguardingSettings) -> TimingsForm:
        return cls(
            initial={
                "overdue_hours": config.effective_overdue_hours,
                "escalate_hours": config.effective_escalate_hours,
                "version": config.version,
            }
        )


class LevelLabelsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shipped = SafeguardingSettings()
        for level in LevelOfNeed.values:
            self.fields[f"level_{level}"] = forms.CharField(
                label=f"Level {level}",
                max_length=200,
                required=False,
                help_text=f"Shipped label: {shipped.level_description(level)}",
                widget=forms.TextInput(attrs={"class": "govuk-input"}),
            )

    def level_fields(self) -> list[forms.BoundField]:
        return [self[f"level_{level}"] for level in LevelOfNeed.values]

    def labels(self) -> dict[int, str]:
        return {level: self.cleaned_data.get(f"level_{level}", "") for level in LevelOfNeed.values}

    @classmethod
    def for_settings(cls, config: SafeguardingSettings) -> LevelLabelsForm:
        initial: dict[str, Any] = {"version": config.version}
        for level in LevelOfNeed.values:
            initial[f"level_{level}"] = config.level_description(level)
        return cls(initial=initial)


class PatternRuleForm(forms.Form):
    is_active = forms.BooleanField(
        label="Watch for this pattern", required=False, help_text="Untick to switch it off."
    )
    threshold = forms.IntegerField(
        label="How many make a pattern",
        error_messages={**_WHOLE, "required": "Enter how many make a pattern."},
        widget=forms.NumberInput(
            attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}
        ),
    )
    window_days = forms.IntegerField(
        label="Within how many days",
        error_messages={**_WHOLE, "required": "Enter the number of days to look back."},
        widget=forms.NumberInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def for_rule(cls, rule: PatternRule) -> PatternRuleForm:
        return cls(
            initial={
                "is_active": rule.is_active,
                "threshold": rule.threshold,
                "window_days": rule.window_days,
                "version": rule.version,
            }
        )
