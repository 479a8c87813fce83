"""What the index holds for a person or a concern, and the snippet a hit shows.

Titles and bodies are plain text; templates escape them. Snippets are cut here, in Python,
rather than by ts_headline() or FTS5's snippet(), so both databases show the same text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from django.utils import timezone

from safecase.concerns.choices import ConcernKind
from safecase.concerns.models import Concern
from safecase.insight.models import DocumentKind, SearchDocument
from safecase.people.identifiers import IdentifierScheme
from safecase.people.models import Person, PersonKind

SNIPPET_CHARS = 200
# How much text before the first match a snippet keeps, for context.
_SNIPPET_LEAD = 60


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _also_written(names: Iterable[str]) -> str:
    """Names with accents also in plain letters, so 'Zoe' finds Zoë on both databases."""
    folded = [_ascii(name) for name in names if name and _ascii(name) != name]
    return f"Also written: {', '.join(folded)}." if folded else ""


def _text(*parts: str) -> str:
    """The non-empty parts, each with its whitespace collapsed, one after another."""
    return " ".join(" ".join(part.split()) for part in parts if part and part.strip())


def person_document(person: Person) -> SearchDocument:
    """A person's names (title), kind, date of birth and identifiers (body).

    Identifiers are stored compact (``9434765919``); a search typed with spaces is joined back
    by the query parser. Names of records merged into this one are kept too. Uses
    ``identifiers`` and ``merged_from``: prefetch them for many people.
    """
    title = f"{person.given_names} {person.family_name}"
    if person.preferred_name:
        title += f" ({person.preferred_name})"
    schemes = dict(IdentifierScheme.choices)
    identifiers = sorted(
        (str(schemes.get(i.scheme, i.scheme)), i.value) for i in person.identifiers.all()
    )
    # Records merged into this one keep their names findable here.
    merged = sorted(f"{p.given_names} {p.family_name}" for p in person.merged_from.all())
    born = person.date_of_birth
    body = _text(
        f"{PersonKind(person.kind).label}.",
        f"Born {born.day} {born:%B %Y}." if born else "",
        *(f"{label} {value}." for label, value in identifiers),
        f"Also recorded as: {'; '.join(merged)}." if merged else "",
        _also_written([person.given_names, person.family_name, person.preferred_name, *merged]),
    )
    return SearchDocument(
        organisation_id=person.organisation_id,
        kind=DocumentKind.PERSON,
        object_id=person.pk,
        title=title[:300],
        body=body,
        updated_at=timezone.now(),
    )


def concern_document(concern: Concern) -> SearchDocument:
    """Who a submitted concern is about (title); what the recorder wrote, its addenda, its
    categories and place (body).

    Triage decisions and actions are left out: the concern's recorder finds it too, and may not
    read those. Uses ``people``, ``categories`` and ``addenda``: prefetch them for many concerns.
    """
    people = list(concern.people.all())
    names = [p.name_as_recorded for p in people]
    kind = "Low-level concern" if concern.kind == ConcernKind.LOW_LEVEL_ADULT else "Concern"
    title = f"{kind} about {', '.join(names)}" if names else kind
    categories = "; ".join(c.label for c in concern.categories.all())
    details = "; ".join(
        f"{p.name_as_recorded} ({p.details_as_recorded})" for p in people if p.details_as_recorded
    )
    body = _text(
        concern.fact,
        concern.own_words,
        concern.opinion,
        concern.immediate_actions,
        concern.others_informed,
        *(f"Addendum: {a.reason}. {a.text}" for a in concern.addenda.all()),
        f"Categories: {categories}." if categories else "",
        f"Where: {concern.location}." if concern.location else "",
        f"People: {details}." if details else "",
        _also_written(names),
    )
    return SearchDocument(
        organisation_id=concern.organisation_id,
        kind=DocumentKind.CONCERN,
        object_id=concern.pk,
        title=title[:300],
        body=body,
        updated_at=timezone.now(),
    )


def snippet(body: str, words: Sequence[str]) -> str:
    """Up to 200 characters of the body around the first word searched for."""
    text = " ".join(body.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    positions = []
    for word in words:
        # A word's first letters find its other endings ('bruises' finds 'bruising'), as the
        # stemmers do in the databases.
        stem = word[: max(4, len(word) - 2)]
        found = re.search(rf"(?<![^\W_]){re.escape(stem)}", text, re.IGNORECASE)
        if found:
            positions.append(found.start())
    start = max(0, min(positions, default=0) - _SNIPPET_LEAD)
    if start:
        # Start at a word boundary (or where we are, if the word runs on).
        start = text.find(" ", start, start + 20) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
