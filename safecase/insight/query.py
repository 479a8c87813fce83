"""Turning what someone typed into a full-text query that cannot be read as syntax.

Neither database ever sees the raw text. Both receive a query rebuilt here from letters and
digits only: FTS5 gets every word inside double quotes (so ``NEAR``, ``OR``, ``*``, ``(`` and
``"`` are just text), PostgreSQL gets plain words for ``websearch_to_tsquery`` (which never
raises on bad syntax anyway). The grammar is websearch's, cut down to what both engines answer
the same way:

- words: all must match (``jane smith``);
- "quoted phrases": the words in that order (``"went to school"``); an unbalanced quote runs to
  the end, as in websearch;
- ``or`` between groups of words (``smith or jones``).

Everything else (``-``, ``*``, brackets, punctuation) separates words. English stop words are
dropped the way PostgreSQL's ``english`` configuration drops them, so that FTS5 does not demand
words that PostgreSQL ignores. Identifiers typed with spaces or hyphens (``943 476 5919``,
``A123-4567-8901-2``) are joined back into the single stored token when the joined form is a
valid NHS number or UPN.

Known difference, documented rather than hidden: inside a phrase PostgreSQL lets any word stand
where a stop word was typed (``"went to school"`` also matches "went at school"), FTS5 wants the
word typed. Stemming is Porter's on SQLite and Snowball's English on PostgreSQL; they agree on
nearly every word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.gb import nhs, upn

MAX_QUERY_CHARS = 100
MAX_WORDS = 16
# The longest run of typed pieces that can make one identifier ("A 123 4567 8901 2").
_MAX_IDENTIFIER_PIECES = 5

# Letters and digits, as PostgreSQL's [[:alnum:]] and FTS5's unicode61 tokenizer see words.
WORD = re.compile(r"[^\W_]+")

# PostgreSQL's tsearch_data/english.stop (the Snowball list), which the 'english' configuration
# removes from documents and queries alike. Kept as one string to compare easily with that file.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself it its itself they them their theirs themselves what which who whom this that
    these those am is are was were be been being have has had having do does did doing a an the
    and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now
"""
STOPWORDS = frozenset(_ENGLISH_STOP.split())

# A phrase is a tuple of words in order; a clause is phrases that must all match; a query is
# clauses of which any may match.
Phrase = tuple[str, ...]
Clause = tuple[Phrase, ...]


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def words(self) -> list[str]:
        """Every word searched for, once each, in the order typed (for snippets)."""
        seen: dict[str, None] = {}
        for clause in self.clauses:
            for phrase in clause:
                for word in phrase:
                    if word not in STOPWORDS:
                        seen.setdefault(word, None)
        return list(seen)

    def to_fts5(self) -> str:
        """FTS5 MATCH syntax: every phrase a quoted string, so nothing typed is an operator."""

        def quoted(phrase: Phrase) -> str:
            return '"' + " ".join(phrase).replace('"', '""') + '"'

        return " OR ".join(
            "(" + " ".join(quoted(phrase) for phrase in clause) + ")" for clause in self.clauses
        )

    def to_websearch(self) -> str:
        """Text for websearch_to_tsquery: plain words, quoted phrases, ``or`` between clauses."""

        def rendered(phrase: Phrase) -> str:
            return phrase[0] if len(phrase) == 1 else '"' + " ".join(phrase) + '"'

        clauses = (" ".join(rendered(phrase) for phrase in clause) for clause in self.clauses)
        return " or ".join(clauses)


def _is_identifier(candidate: str) -> bool:
    if len(candidate) == 10 and candidate.isdigit():
        return bool(nhs.is_valid(candidate))
    return len(candidate) == 13 and bool(upn.is_valid(candidate.upper()))


def _join_identifiers(words: list[str]) -> list[str]:
    """Join consecutive pieces that together make a valid NHS number or UPN."""
    joined: list[str] = []
    i = 0
    while i < len(words):
        if any(c.isdigit() for c in words[i]):
            longest = min(_MAX_IDENTIFIER_PIECES, len(words) - i)
            for size in range(longest, 1, -1):
                candidate = "".join(words[i : i + size])
                if _is_identifier(candidate):
                    joined.append(candidate)
                    i += size
                    break
            else:
                joined.append(words[i])
                i += 1
        else:
            joined.append(words[i])
            i += 1
    return joined


def _trim_stopwords(words: list[str]) -> list[str]:
    """Stop words at either end of a phrase constrain nothing in PostgreSQL: drop them."""
    start, end = 0, len(words)
    while start < end and words[start] in STOPWORDS:
        start += 1
    while end > start and words[end - 1] in STOPWORDS:
        end -= 1
    return words[start:end]


class _Builder:
    def __init__(self) -> None:
        self.clauses: list[list[Phrase]] = [[]]
        self.loose: list[str] = []
        self.budget = MAX_WORDS

    def _add(self, phrase: list[str]) -> None:
        phrase = phrase[: self.budget]
        if phrase:
            self.budget -= len(phrase)
            self.clauses[-1].append(tuple(phrase))

    def flush_words(self) -> None:
        for word in _join_identifiers(self.loose):
            if word not in STOPWORDS:
                self._add([word])
        self.loose = []

    def add_phrase(self, text: str) -> None:
        self.flush_words()
        self._add(_trim_stopwords(_join_identifiers([w.lower() for w in WORD.findall(text)])))

    def add_chunk(self, chunk: str) -> None:
        if chunk.lower() == "or":
            self.flush_words()
            if self.clauses[-1]:
                self.clauses.append([])
            return
        self.loose.extend(w.lower() for w in WORD.findall(chunk))

    def result(self) -> ParsedQuery:
        self.flush_words()
        return ParsedQuery(tuple(tuple(clause) for clause in self.clauses if clause))


def parse_query(text: str) -> ParsedQuery:
    """The query in ``text`` (first 100 characters, at most 16 words); empty if nothing is left."""
    builder = _Builder()
    # Splitting on '"' leaves the quoted parts at odd positions; an unbalanced quote's phrase
    # runs to the end of the text.
    for position, part in enumerate(text[:MAX_QUERY_CHARS].split('"')):
        if position % 2:
            builder.add_phrase(part)
        else:
            for chunk in part.split():
                builder.add_chunk(chunk)
    return builder.result()
