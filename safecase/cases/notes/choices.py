"""The choices of the notes part: what kind of note, and who may read it."""

from __future__ import annotations

from django.db import models


class NoteKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    DISCUSSION = "discussion", "Discussion"
    SUPERVISION = "supervision", "Supervision"
    MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight"
    OTHER = "other", "Other"


class NoteVisibility(models.TextChoices):
    # The members currently allocated to the case (its lead, case workers, case management
    # group, decision makers) and the note's author.
    CASE_TEAM = "case_team", "The case team"
    # Everyone who may see the case (the organisation's safeguarding team, a partner with a
    # share): the same readers as the case itself.
    SAFEGUARDING_TEAM = "safeguarding_team", "The whole safeguarding team"
    # The people the author names (each must be able to see the case) and the author.
    NAMED = "named", "Named people only"
