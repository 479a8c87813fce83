"""The vocabulary of recording and triage. UK defaults; every list becomes configurable per
organisation (product G3) without changing stored values."""

from __future__ import annotations

from django.db import models


class ConcernKind(models.TextChoices):
    CHILD = "child", "A concern about a child or an adult at risk"
    LOW_LEVEL_ADULT = (
        "low_level_adult",
        "A low-level concern about an adult who works with children",
    )


class ConcernStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


# (code, label): the default categories (domain.md), shipped as data, kept by code forever.
DEFAULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("physical", "Physical abuse"),
    ("emotional", "Emotional abuse"),
    ("sexual", "Sexual abuse"),
    ("neglect", "Neglect"),
    ("child_on_child", "Child-on-child abuse (incl. sexual violence and harassment)"),
    ("online", "Online safety"),
    ("cse", "Child sexual exploitation"),
    ("cce", "Child criminal exploitation"),
    ("domestic_abuse", "Domestic abuse"),
    ("fgm", "Female genital mutilation"),
    ("radicalisation", "Radicalisation"),
    ("self_harm", "Self-harm"),
    ("mental_health", "Mental health"),
    ("missing", "Missing from education or home"),
    ("bullying", "Bullying"),
    ("honour_based", "Honour-based abuse"),
    ("modern_slavery", "Modern slavery or trafficking"),
    ("substance_misuse", "Substance misuse"),
    ("young_carer", "Young carer"),
    ("other", "Other"),
)


class LevelOfNeed(models.IntegerChoices):
    UNIVERSAL = 1, "1 – Universal (no additional needs)"
    EARLY_HELP = 2, "2 – Early help"
    CHILD_IN_NEED = 3, "3 – Child in need"
    CHILD_PROTECTION = 4, "4 – Child protection"


class Rag(models.TextChoices):
    RED = "red", "Red – act now"
    AMBER = "amber", "Amber – act today"
    GREEN = "green", "Green – act within days"


class TriageDecision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    MONITOR = "monitor", "Monitor"
    EARLY_HELP = "early_help", "Early help"
    REFER_EXTERNALLY = "refer", "Refer externally"
    OPEN_CASE = "open_case", "Open a case"
    ADD_TO_CASE = "add_to_case", "Add to an existing case"


# Decisions that keep the concern inside the organisation: a decision not to refer (T5), which
# must record the threshold considered and a date to look again.
NOT_REFERRED = frozenset(
    {TriageDecision.NO_FURTHER_ACTION, TriageDecision.MONITOR, TriageDecision.EARLY_HELP}
)


class PersonRole(models.TextChoices):
    SUBJECT = "subject", "The person the concern is about"
    ALLEGED = "alleged", "A person alleged to have caused harm"
    OTHER = "other", "Someone else involved"


class BodySide(models.TextChoices):
    FRONT = "front", "Front"
    BACK = "back", "Back"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
