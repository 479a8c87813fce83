"""The vocabulary of cases: stages, workflows, team roles and subject roles. Stored values are
kept forever; labels may change."""

from __future__ import annotations

from typing import Any

from django.db import models


class Stage(models.TextChoices):
    """The case management cycle (seed 001), with risk assessment running through all of it."""

    REPORTING = "reporting", "Reporting"
    EXTERNAL_REFERRAL = "external_referral", "External referral"
    INTERNAL_INVESTIGATION = "internal_investigation", "Internal investigation"
    DECISION = "decision", "Decision and sanctions"
    APPEAL = "appeal", "Appeal"
    LEARNING = "learning", "Learning"
    CLOSED = "closed", "Closed"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Workflow(models.TextChoices):
    """Which table of moves (transitions.py) a case type follows."""

    SHORT = "short", "Short path (proportionate: e.g. early help)"
    STANDARD = "standard", "Standard (e.g. child protection, child in need)"
    ALLEGATION = "allegation", "Allegation against a person in a position of trust (full path)"


class CaseKind(models.TextChoices):
    """Whose records a case type belongs with. Low-level concerns about adults stay on the
    lead's own log (KCSIE Part 4), as their concerns do; allegations about adults run apart
    from children's records (W12)."""

    CHILD = "child", "About a child or an adult at risk"
    ALLEGATION = "allegation", "An allegation against an adult in a position of trust"
    LOW_LEVEL = "low_level", "A low-level concern about an adult"


class TeamRole(models.TextChoices):
    LEAD = "lead", "Case lead"
    CASE_WORKER = "case_worker", "Case worker"
    CASE_MANAGEMENT_GROUP = "case_management_group", "Case management group"
    DECISION_MAKER = "decision_maker", "Decision maker"


class SubjectRole(models.TextChoices):
    SUBJECT = "subject", "The person the case is about"
    ADULT_CONCERNED = "adult_concerned", "The adult the allegation or concern is about"
    OTHER = "other", "Someone else involved"


# (code, label, kind, workflow): the shipped case types, kept by code forever.
DEFAULT_CASE_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("child_protection", "Child protection", CaseKind.CHILD, Workflow.STANDARD),
    ("child_in_need", "Child in need / welfare", CaseKind.CHILD, Workflow.STANDARD),
    ("early_help", "Early help", CaseKind.CHILD, Workflow.SHORT),
    (
        "allegation",
        "Allegation against a person in a position of trust",
        CaseKind.ALLEGATION,
        Workflow.ALLEGATION,
    ),
    ("low_level", "Low-level concern about an adult", CaseKind.LOW_LEVEL, Workflow.SHORT),
)


def install_default_case_types(case_type_model: Any) -> None:
    """Add the shipped case types that are missing (organisation = NULL: every organisation).
    Takes the model, so the migration can pass its historical one."""
    for position, (code, label, kind, workflow) in enumerate(DEFAULT_CASE_TYPES):
        case_type_model.objects.get_or_create(
            organisation=None,
            code=code,
            defaults={"label": label, "kind": kind, "workflow": workflow, "position": position},
        )
