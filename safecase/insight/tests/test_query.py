"""What someone types becomes a query of letters, digits and our own syntax, never theirs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safecase.insight.query import MAX_QUERY_CHARS, MAX_WORDS, STOPWORDS, parse_query

# Our FTS5 output: groups of double-quoted strings of words, joined by OR. Nothing else.
FTS5_SHAPE = re.compile(r'^\("[^\W_]+( [^\W_]+)*"( "[^\W_]+( [^\W_]+)*")*\)( OR \(.+\))*$')
WEBSEARCH_SHAPE = re.compile(r'^[^\W_]*([ "][^\W_]*)*$')


@pytest.mark.parametrize(
    ("typed", "fts5", "websearch"),
    [
        ("Jane Smith", '("jane" "smith")', "jane smith"),
        (
            '"went to school" or Smith',
            '("went to school") OR ("smith")',
            '"went to school" or smith',
        ),
        ("smith OR jones bright", '("smith") OR ("jones" "bright")', "smith or jones bright"),
        ("the smith", '("smith")', "smith"),
        ('"the Smith family"', '("smith family")', '"smith family"'),
        ("O'Brien", '("o" "brien")', "o brien"),
        ("well-being", '("well")', "well"),
        ("Zoë", '("zoë")', "zoë"),
        ("x-or-y", '("x" "y")', "x y"),
    ],
)
def test_it_keeps_words_phrases_and_or(typed: str, fts5: str, websearch: str) -> None:
    query = parse_query(typed)
    assert query.to_fts5() == fts5
    assert query.to_websearch() == websearch


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "*", "OR", "or or OR", '"', '""', "the and of", "NOT", "-", "()", "^$", "\x00"],
)
def test_nothing_searchable_gives_an_empty_query(typed: str) -> None:
    assert parse_query(typed).is_empty


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        (
            "'\"); DROP TABLE insight_searchdocument; --",
            ["drop", "table", "insight", "searchdocument"],
        ),
        ("NEAR(smith jones, 2)", ["near", "smith", "jones", "2"]),
        ("smi*", ["smi"]),
        ('title:smith body:"x', ["title", "smith", "body", "x"]),
        ("a AND NOT b", ["b"]),
        ("{jane} ^smith", ["jane", "smith"]),
    ],
)
def test_engine_syntax_is_only_text(typed: str, words: list[str]) -> None:
    query = parse_query(typed)
    assert query.words == words
    assert FTS5_SHAPE.match(query.to_fts5())
    assert WEBSEARCH_SHAPE.match(query.to_websearch())


@pytest.mark.parametrize(
    ("typed", "joined"),
    [
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        ("9434765919", "9434765919"),
        ("B801 2000 0500 1", "b801200005001"),
        ('"943 476 5919"', "9434765919"),
        ("Ashworth 943 476 5919", "9434765919"),
    ],
)
def test_identifiers_typed_in_pieces_are_joined(typed: str, joined: str) -> None:
    assert joined in parse_query(typed).words


def test_numbers_that_are_not_identifiers_stay_apart() -> None:
    # 943 476 5918 has the wrong check digit: three numbers, not an NHS number.
    assert parse_query("943 476 5918").words == ["943", "476", "5918"]
    assert parse_query("year 6 2024").words == ["year", "6", "2024"]


def test_it_reads_at_most_100_characters_and_16_words() -> None:
    assert parse_query("x" * 99 + " tail").words == ["x" * 99]
    many = " ".join(f"w{i}" for i in range(40))
    assert len(parse_query(many).words) == MAX_WORDS
    assert MAX_QUERY_CHARS == 100


def test_stop_words_are_postgresqls() -> None:
    assert len(STOPWORDS) == 127
    assert {"the", "or", "and", "not", "s", "t", "don"} <= STOPWORDS


@given(st.text(max_size=150))
def test_any_text_gives_only_our_syntax(typed: str) -> None:
    query = parse_query(typed)
    if query.is_empty:
        assert query.to_fts5() == ""
        return
    assert FTS5_SHAPE.match(query.to_fts5()), query.to_fts5()
    assert WEBSEARCH_SHAPE.match(query.to_websearch()), query.to_websearch()
    assert sum(len(p) for c in query.clauses for p in c) <= MAX_WORDS
