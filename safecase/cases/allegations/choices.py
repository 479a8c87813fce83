"""The vocabulary of the allegation track (W12): the harm tests shipped by default, the
suspension decisions and their review outcomes, the barring and regulatory bodies. Stored
values are kept forever; labels may change."""

from __future__ import annotations

from django.db import models

# (code, question): the four tests of KCSIE Part 4, shipped; an organisation may reword them,
# drop one or add its own (AllegationSettings). Each answer keeps the question as it was asked.
DEFAULT_HARM_TESTS: tuple[tuple[str, str], ...] = (
    ("harmed", "Behaved in a way that has harmed a child, or may have harmed a child"),
    (
        "offence",
        "Possibly committed a criminal offence against or related to a child",
    ),
    (
        "risk",
        "Behaved towards a child or children in a way that indicates they may pose a risk of "
        "harm to children",
    ),
    (
        "unsuitable",
        "Behaved or may have behaved in a way that indicates they may not be suitable to work "
        "with children",
    ),
)
MAX_HARM_TESTS = 8


class SuspensionChoice(models.TextChoices):
    SUSPENDED = "suspended", "Suspended"
    NOT_SUSPENDED = "not_suspended", "Not suspended"
    ALTERNATIVE = (
        "alternative",
        "Alternative arrangements (e.g. redeployment, no unsupervised contact)",
    )


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue as it is"
    LIFT = "lift", "Lift (end the arrangement)"
    CHANGE = "change", "Change the arrangement"


class BarringBody(models.TextChoices):
    DBS = "dbs", "Disclosure and Barring Service (DBS)"
    TRA = "tra", "Teaching Regulation Agency"
    GOVERNING_BODY = "governing_body", "A sport's national governing body"
    OTHER = "other", "Another regulatory body"
