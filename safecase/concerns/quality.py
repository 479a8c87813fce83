"""Recording-quality hints (R6): advice while writing, never a block.

Each hint says what it noticed and why it matters, in plain words. The checks are deliberately
simple and explainable; a hint that is wrong costs the writer a glance, not a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Hint:
    code: str
    message: str


OPINION_WORDS = (
    "i think",
    "i feel",
    "i believe",
    "probably",
    "obviously",
    "clearly",
    "seems",
    "seemed",
    "appears to",
    "appeared to",
    "i suspect",
    "it is likely",
    "must have",
)
VAGUE_WORDS = (
    "inappropriate",
    "a bit",
    "some bruising",
    "upset",
    "not right",
    "odd",
    "strange",
    "the usual",
    "concerning",
)
DISCLOSURE_WORDS = ("told me", "said that", "disclosed", "she said", "he said", "they said")
INITIALS = re.compile(r"^\s*(?:[A-Z]\.?\s*){1,3}$")


def hints_for(
    *,
    fact: str,
    own_words: str,
    happened_at: datetime | None,
    location: str,
    names: list[str],
) -> list[Hint]:
    found: list[Hint] = []
    fact_lower = fact.lower()
    if happened_at is None:
        found.append(
            Hint(
                "no_time",
                "Say when it happened, even roughly: a chronology is built "
                "from these times, and patterns show up only with them.",
            )
        )
    if not location.strip():
        found.append(
            Hint(
                "no_place",
                "Say where it happened. Places matter for contextual "
                "safeguarding: the same park or bus stop can link concerns.",
            )
        )
    opinion = [w for w in OPINION_WORDS if w in fact_lower]
    if opinion:
        found.append(
            Hint(
                "opinion_in_fact",
                f"“{opinion[0]}” sounds like opinion. Keep what you "
                "saw or heard in the fact box, and put your view in “My opinion”.",
            )
        )
    vague = [w for w in VAGUE_WORDS if w in fact_lower]
    if vague:
        found.append(
            Hint(
                "vague",
                f"“{vague[0]}” is vague. Describe exactly what you saw or heard "
                "(size, colour, words, behaviour) so someone else can picture it.",
            )
        )
    if any(INITIALS.match(name) for name in names if name):
        found.append(
            Hint(
                "initials",
                "Write names in full, not initials: years later, initials "
                "cannot be matched to a person.",
            )
        )
    if any(w in fact_lower for w in DISCLOSURE_WORDS) and not own_words.strip():
        found.append(
            Hint(
                "disclosure_without_words",
                "It sounds as if someone told you something. "
                "Write their own words exactly as they said them, in the box for that.",
            )
        )
    return found
