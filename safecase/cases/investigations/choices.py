"""The vocabulary of an internal investigation. Stored values are kept forever; labels may
change."""

from __future__ import annotations

from django.db import models


class InvestigationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    CONCLUDED = "concluded", "Concluded"


# The moves an investigation's status may make; reopening a concluded one (new information)
# is allowed, with its reason, and kept in the revisions.
STATUS_MOVES: dict[str, frozenset[str]] = {
    InvestigationStatus.PLANNED: frozenset({InvestigationStatus.IN_PROGRESS}),
    InvestigationStatus.IN_PROGRESS: frozenset({InvestigationStatus.CONCLUDED}),
    InvestigationStatus.CONCLUDED: frozenset({InvestigationStatus.IN_PROGRESS}),
}


class IntervieweeRole(models.TextChoices):
    CHILD = "child", "Child"
    WITNESS = "witness", "Witness"
    ADULT_CONCERNED = "adult_concerned", "Adult concerned"
    PARENT = "parent", "Parent or carer"
    PROFESSIONAL = "professional", "Professional"


class FindingKind(models.TextChoices):
    """What a finding is: kept apart so that a decision maker never mistakes an allegation
    that could not be established, or someone's opinion, for an established fact."""

    ESTABLISHED_FACT = "established_fact", "Established fact"
    ALLEGATION_NOT_ESTABLISHED = "allegation_not_established", "Allegation (not established)"
    OPINION = "opinion", "Opinion"
