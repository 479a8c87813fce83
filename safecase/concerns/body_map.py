"""Body map marks: a side, a named region and a description, stored as data.

Named regions (not pixel positions) keep the record meaningful without the drawing, work without
JavaScript and read out well on a screen reader; each region has a point on the outline so the
page can also draw it.
"""

from __future__ import annotations

from typing import Any

from safecase.concerns.choices import BodySide
from safecase.core.errors import DomainError

# region code -> (label, x, y) on a 100 x 220 outline seen from behind (the person's left on
# the viewer's left); the front view mirrors it, as when facing the person.
REGIONS: dict[str, tuple[str, int, int]] = {
    "head": ("Head", 50, 15),
    "face": ("Face", 50, 22),
    "neck": ("Neck", 50, 38),
    "left_shoulder": ("Left shoulder", 32, 48),
    "right_shoulder": ("Right shoulder", 68, 48),
    "chest": ("Chest / upper back", 50, 60),
    "abdomen": ("Abdomen / lower back", 50, 85),
    "left_upper_arm": ("Left upper arm", 24, 68),
    "right_upper_arm": ("Right upper arm", 76, 68),
    "left_forearm": ("Left forearm", 18, 95),
    "right_forearm": ("Right forearm", 82, 95),
    "left_hand": ("Left hand", 14, 118),
    "right_hand": ("Right hand", 86, 118),
    "buttocks_groin": ("Groin / buttocks", 50, 110),
    "left_thigh": ("Left thigh", 41, 135),
    "right_thigh": ("Right thigh", 59, 135),
    "left_lower_leg": ("Left lower leg", 41, 172),
    "right_lower_leg": ("Right lower leg", 59, 172),
    "left_foot": ("Left foot", 40, 205),
    "right_foot": ("Right foot", 60, 205),
}
MAX_MARKS = 30


def clean_marks(marks: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Validate marks; raises DomainError with a message naming the problem."""
    if len(marks) > MAX_MARKS:
        raise DomainError(f"A body map can hold up to {MAX_MARKS} marks.", field="body_map")
    cleaned = []
    for number, mark in enumerate(marks, start=1):
        side, region = str(mark.get("side", "")), str(mark.get("region", ""))
        description = " ".join(str(mark.get("description", "")).split())
        if side not in BodySide.values or region not in REGIONS:
            raise DomainError(
                f"Body map mark {number}: choose a side and a place.", field="body_map"
            )
        if not description:
            raise DomainError(
                f"Body map mark {number}: describe what you saw (size, colour, shape).",
                field="body_map",
            )
        cleaned.append({"side": side, "region": region, "description": description[:300]})
    return cleaned


def for_display(marks: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Marks with their labels and drawing positions, for templates."""
    shown = []
    for number, mark in enumerate(marks, start=1):
        label, x, y = REGIONS.get(mark.get("region", ""), ("Unknown place", 50, 110))
        if mark.get("side") == BodySide.FRONT:
            x = 100 - x
        shown.append({**mark, "number": number, "label": label, "x": x, "y": y})
    return shown
