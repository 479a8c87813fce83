"""The vocabulary of learning reviews: the shipped themes and a recommendation's status.
Stored values are kept forever; labels may change."""

from __future__ import annotations

from django.db import models

# (code, label): the themes offered until an organisation sets its own vocabulary.
DEFAULT_THEMES: tuple[tuple[str, str], ...] = (
    ("information_sharing", "Information sharing"),
    ("recording_quality", "Recording quality"),
    ("supervision", "Supervision"),
    ("safer_recruitment", "Safer recruitment"),
    ("escalation", "Escalation"),
    ("online_safety", "Online safety"),
    ("training", "Training and awareness"),
    ("policy", "Policy and procedure"),
)
MAX_THEMES = 40


class RecommendationStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"
