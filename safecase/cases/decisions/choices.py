"""The vocabulary of decisions and appeals. Stored values are kept forever; labels may change.

The outcomes and sanctions an organisation offers are rows (models.DecisionOption): the
shipped defaults below (organisation = NULL: every organisation), which an organisation may
stop offering, and its own. A decision copies the label it was given, so a later rename never
changes what a past decision said.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class OptionKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    SANCTION = "sanction", "Sanction"


class AppliesTo(models.TextChoices):
    """Which cases an outcome is offered on: allegations against an adult in a position of
    trust have their own findings (KCSIE Part 4); other cases theirs. Sanctions apply to any."""

    ALLEGATION = "allegation", "Allegations against an adult in a position of trust"
    OTHER = "other", "Other cases (child protection, welfare, low-level concerns)"
    ANY = "any", "Any case"


class AppealOutcome(models.TextChoices):
    """What the appeal panel decided. Careful: in UK practice "the appeal is upheld" means the
    appellant wins. Here the words follow the issue, each defined once, and the labels say
    what happens to the decision so nobody reads them the other way round."""

    UPHELD = "upheld", "Upheld: the original decision stands"
    DISMISSED = "dismissed", "Dismissed: the appeal is rejected, nothing changes"
    VARIED = "varied", "Varied: the panel records a new decision that replaces it"


APPEAL_OUTCOME_HELP: dict[str, str] = {
    AppealOutcome.UPHELD: "The panel confirms the decision as it was made: its outcome and "
    "sanctions stand.",
    AppealOutcome.DISMISSED: "The panel rejects the appeal (for example, the grounds are not "
    "made out or it was not brought within the rules): the decision stands.",
    AppealOutcome.VARIED: "The panel changes the decision: it records its own outcome, "
    "sanctions and rationale, with a frozen snapshot, and that becomes the current decision. "
    "The first decision stays on the record.",
}

# The default deadline for lodging an appeal. safecase/core/calendar.py (working days, bank
# holidays) does not exist on this branch: 14 calendar days stand in for 10 working days.
APPEAL_DEADLINE_DAYS = 10  # working days (core.calendar)

# (code, label, applies_to, help): the shipped outcomes, kept by code forever.
DEFAULT_OUTCOMES: tuple[tuple[str, str, str, str], ...] = (
    (
        "substantiated",
        "Substantiated",
        AppliesTo.ALLEGATION,
        "There is sufficient evidence to prove the allegation.",
    ),
    (
        "unsubstantiated",
        "Unsubstantiated",
        AppliesTo.ALLEGATION,
        "There is insufficient evidence either to prove or disprove the allegation. The term "
        "implies neither guilt nor innocence.",
    ),
    (
        "unfounded",
        "Unfounded",
        AppliesTo.ALLEGATION,
        "There is no evidence or proper basis which supports the allegation being made.",
    ),
    (
        "false",
        "False",
        AppliesTo.ALLEGATION,
        "There is sufficient evidence to disprove the allegation.",
    ),
    (
        "malicious",
        "Malicious",
        AppliesTo.ALLEGATION,
        "There is sufficient evidence to disprove the allegation, and there has been a "
        "deliberate act to deceive.",
    ),
    (
        "concerns_confirmed",
        "Concerns confirmed",
        AppliesTo.OTHER,
        "The enquiry confirmed the concerns; the actions below follow.",
    ),
    (
        "concerns_not_confirmed",
        "Concerns not confirmed",
        AppliesTo.OTHER,
        "The enquiry did not confirm the concerns.",
    ),
    (
        "no_further_action",
        "No further action",
        AppliesTo.OTHER,
        "Nothing more is needed from the organisation on this case.",
    ),
)

DEFAULT_SANCTIONS: tuple[tuple[str, str, str], ...] = (
    ("warning", "Warning", "A verbal or written warning; say which in the detail."),
    ("training", "Training", "Training to complete, e.g. safeguarding or behaviour management."),
    ("supervision", "Supervision", "Closer supervision or monitoring for a period."),
    ("suspension", "Suspension", "Suspended from the role (give the end date if known)."),
    ("dismissal", "Dismissal", "Dismissed from the role."),
    ("ban", "Ban", "Barred from the organisation's activities or premises."),
    ("other", "Other", "Any other measure; describe it in the detail."),
)


def install_default_options(option_model: Any) -> None:
    """Add the shipped outcomes and sanctions that are missing. Takes the model, so the
    migration can pass its historical one."""
    for position, (code, label, applies_to, help_text) in enumerate(DEFAULT_OUTCOMES):
        option_model.objects.get_or_create(
            organisation=None,
            kind=OptionKind.OUTCOME,
            code=code,
            defaults={
                "label": label,
                "applies_to": applies_to,
                "help_text": help_text,
                "position": position,
            },
        )
    for position, (code, label, help_text) in enumerate(DEFAULT_SANCTIONS):
        option_model.objects.get_or_create(
            organisation=None,
            kind=OptionKind.SANCTION,
            code=code,
            defaults={
                "label": label,
                "applies_to": AppliesTo.ANY,
                "help_text": help_text,
                "position": position,
            },
        )
