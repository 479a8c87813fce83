"""search(): the same hits on SQLite and PostgreSQL, and only what the actor may see.

Every expectation here is written once and holds on both databases (CI runs the suite on each):
that is the "same results contract".
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safecase.access import scoping
from safecase.concerns.actions import concern_add_addendum, concern_save_draft
from safecase.concerns.selectors import concerns_visible_to
from safecase.insight import search as search_module
from safecase.insight.models import SearchDocument
from safecase.insight.query import parse_query
from safecase.insight.search import SearchHit, index_concern, index_person, remove, search
from safecase.insight.tests.conftest import (
    NHS,
    UPN,
    SearchWorld,
    actor_for,
    add_concern,
    add_person,
)
from safecase.people.actions import person_merge, person_update
from safecase.people.selectors import people_visible_to

pytestmark = pytest.mark.django_db

HOSTILE = [
    "'\"); DROP TABLE insight_searchdocument; --",
    "NEAR(",
    "NEAR(bruise purple, 1)",
    "*",
    "OR",
    "AND",
    "NOT",
    '"',
    '"unbalanced',
    "bruise\"'",
    "(bruise",
    "bruise)",
    "title:bruise",
    "{title body}: bruise",
    "^bruise",
    "bruise*",
    "-bruise",
    "!bruise",
    "bruise & purple | !x",
    "bruise <-> purple",
    "\\",
    "%",
    "%s",
    "\x00",
    "😀",
    "Ａｓｈｗｏｒｔｈ",
    "x" * 500,
]


def titles(hits: list[SearchHit]) -> list[str]:
    return sorted(hit.title for hit in hits)


def found(search_world: SearchWorld, persona: str, q: str, **kwargs: Any) -> list[str]:
    return titles(search(actor_for(search_world.world, persona), q, **kwargs))


ZOE = "Zoë Ashworth"
ZOE_CONCERN = "Concern about Zoë Ashworth"
TOM_CONCERN = "Concern about Tom Bright"
LOW_LEVEL = "Low-level concern about Mr Colin Staffroom"


@pytest.mark.parametrize(
    ("persona", "q", "expected"),
    [
        # The lead sees the organisation's people (the restricted one too: she is named) and
        # concerns, the low-level log included; never Westbrook's or the police's records.
        ("lead", "Ashworth", ["Hana Ashworth", ZOE_CONCERN, ZOE]),
        ("lead", "bruise", [TOM_CONCERN, ZOE_CONCERN]),
        ("lead", "staffroom", [LOW_LEVEL]),
        # The deputy and case worker: not the restricted person, not the low-level log (the
        # case worker recorded it, so finds it as its recorder).
        ("deputy", "Ashworth", [ZOE_CONCERN, ZOE]),
        ("deputy", "staffroom", []),
        ("case_worker", "staffroom", [LOW_LEVEL]),
        ("case_worker", "Hana", []),
        # The reporter finds the concern she recorded, and no person record at all.
        ("reporter", "Ashworth", [ZOE_CONCERN]),
        ("reporter", "bruise", [ZOE_CONCERN]),
        ("reporter", "Tom", []),
        # The police practitioner: her own organisation's child, and Zoë, shared with them.
        ("partner_with_share", "Ashworth", ["Pat Ashworth", ZOE]),
        ("partner_with_share", "bruise", []),
        # Health and Westbrook: only their own. Administrators and auditors: nothing.
        ("partner_without", "Ashworth", []),
        ("other_org", "Ashworth", ["Concern about Zoe Ashworth", ZOE]),
        ("org_admin", "Ashworth", []),
        ("auditor", "bruise", []),
        ("primary_lead", "Ashworth", []),
    ],
)
def test_each_persona_finds_only_what_they_may_see(
    search_world: SearchWorld, persona: str, q: str, expected: list[str]
) -> None:
    assert found(search_world, persona, q) == sorted(expected)


@pytest.mark.parametrize(
    "persona", ["lead", "deputy", "case_worker", "reporter", "partner_with_share", "other_org"]
)
@pytest.mark.parametrize("q", ["Ashworth", "bruise", "zoe OR tom", "Year 8", "Playground"])
def test_hits_are_exactly_the_matches_the_selectors_let_through(
    search_world: SearchWorld, persona: str, q: str
) -> None:
    """Against the selectors themselves: nothing missing, nothing extra, whatever the scope."""
    actor = actor_for(search_world.world, persona)
    everything = SearchDocument.objects.filter(id__gte=0)
    sql, params = search_module._search_sql(
        parse_query(q), [search_module._Scope(everything, few=True)], 200
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    all_matches = {(kind, str(uuid.UUID(str(object_id)))) for kind, object_id, *_ in rows}
    visible = {("person", str(pk)) for pk in people_visible_to(actor).values_list("pk", flat=True)}
    visible |= {
        ("concern", str(pk)) for pk in concerns_visible_to(actor).values_list("pk", flat=True)
    }
    hits = {(hit.kind, str(hit.object_id)) for hit in search(actor, q)}
    assert hits == all_matches & visible
    assert all_matches - visible, "the data should hold matches this persona may not see"


def test_the_results_contract(search_world: SearchWorld) -> None:
    """Kind, id, title and snippet are the same on both databases; rank orders them."""
    hits = search(actor_for(search_world.world, "lead"), "forearm")
    assert hits == [
        SearchHit(
            kind="concern",
            object_id=search_world.id("reporter_concern"),
            title=ZOE_CONCERN,
            snippet=(
                "A purple bruise, about 3 cm, on the left forearm. My step-dad grabbed me. "
                "Categories: Physical abuse. Where: Playground. People: Zoë Ashworth (Year 8). "
                "Also written: Zoe Ashworth."
            ),
            rank=hits[0].rank,
        )
    ]
    assert hits[0].rank > 0
    person = search(actor_for(search_world.world, "lead"), "Zoe", kinds=["person"])
    assert person == [
        SearchHit(
            kind="person",
            object_id=search_world.id("zoe"),
            title=ZOE,
            snippet=(
                "Child. Born 17 May 2014. NHS number 9434765919. "
                "Unique Pupil Number (UPN) B801200005001. Also written: Zoe."
            ),
            rank=person[0].rank,
        )
    ]


def test_hits_come_best_first_with_a_title_match_above_a_body_match(
    search_world: SearchWorld,
) -> None:
    add_concern(
        search_world.world,
        "case_worker",
        "Sam Other",
        "Sam mentioned Bright, a friend from the park, several times.",
    )
    hits = search(actor_for(search_world.world, "lead"), "Bright", kinds=["concern"])
    assert [hit.title for hit in hits] == [TOM_CONCERN, "Concern about Sam Other"]
    assert hits[0].rank > hits[1].rank


def test_kinds_and_limit(search_world: SearchWorld) -> None:
    lead = actor_for(search_world.world, "lead")
    assert {h.kind for h in search(lead, "Ashworth", kinds=["concern"])} == {"concern"}
    assert {h.kind for h in search(lead, "Ashworth", kinds=["person"])} == {"person"}
    assert search(lead, "Ashworth", kinds=[]) == []
    assert len(search(lead, "Ashworth", limit=1)) == 1


@pytest.mark.parametrize("typed", [NHS, "943 476 5919", "943-476-5919", " 943  476 5919 "])
def test_an_nhs_number_finds_its_person_however_it_is_typed(
    search_world: SearchWorld, typed: str
) -> None:
    assert found(search_world, "case_worker", typed) == [ZOE]
    # Westbrook has a child with the same NHS number: its lead finds theirs, never Riverside's.
    other = search(actor_for(search_world.world, "other_org"), typed)
    assert [hit.object_id for hit in other] == [search_world.id("decoy_person")]


@pytest.mark.parametrize("typed", [UPN, UPN.lower(), "B801 2000 0500 1", "b801-2000-0500-1"])
def test_a_upn_finds_its_person_however_it_is_typed(search_world: SearchWorld, typed: str) -> None:
    assert found(search_world, "case_worker", typed) == [ZOE]
    assert found(search_world, "partner_with_share", typed) == [ZOE]
    assert found(search_world, "other_org", typed) == []


def test_accents_are_optional_in_names(search_world: SearchWorld) -> None:
    assert found(search_world, "lead", "Zoe Ashworth") == [ZOE_CONCERN, ZOE]
    assert found(search_world, "lead", "Zoë Ashworth") == [ZOE_CONCERN, ZOE]


def test_words_phrases_and_or(search_world: SearchWorld) -> None:
    assert found(search_world, "lead", "bruised") == [TOM_CONCERN, ZOE_CONCERN]
    assert found(search_world, "lead", "purple bruise") == [ZOE_CONCERN]
    assert found(search_world, "lead", '"left forearm"') == [ZOE_CONCERN]
    assert found(search_world, "lead", '"forearm left"') == []
    assert found(search_world, "lead", "purple OR bike") == [TOM_CONCERN, ZOE_CONCERN]
    assert found(search_world, "lead", "the") == []


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_input_is_only_ever_text(search_world: SearchWorld, typed: str) -> None:
    hits = search(actor_for(search_world.world, "lead"), typed)
    assert all(h.kind in ("person", "concern") for h in hits)
    assert SearchDocument.objects.count() == 9


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(max_size=120))
def test_no_text_makes_search_fail(search_world: SearchWorld, typed: str) -> None:
    hits = search(actor_for(search_world.world, "lead"), typed)
    visible = {search_world.id(n) for n in ("zoe", "tom", "hidden", "reporter_concern")}
    visible |= {search_world.id(n) for n in ("worker_concern", "low_level")}
    assert {h.object_id for h in hits} <= visible


def test_search_takes_the_same_queries_whatever_the_size_of_the_index(
    search_world: SearchWorld,
) -> None:
    search(actor_for(search_world.world, "lead"), "Ashworth")  # content types are cached now

    def queries() -> int:
        lead = actor_for(search_world.world, "lead")  # a new request's actor: nothing remembered
        with CaptureQueriesContext(connection) as ctx:
            search(lead, "Ashworth bruise OR Tom")
        return len(ctx.captured_queries)

    before = queries()
    for i in range(15):
        add_person(search_world.world, "lead", f"Extra{i}", "Ashworth")
        add_concern(search_world.world, "reporter", f"Extra{i} Ashworth", "Another bruise.")
    # The ids shared into the organisation, once for people and once for concerns (remembered
    # by the actor for the rest of the request), then the search itself: on both databases.
    assert before == queries() == 3
    auditor = actor_for(search_world.world, "auditor")
    lead = actor_for(search_world.world, "lead")
    with CaptureQueriesContext(connection) as ctx:
        assert search(lead, "   ") == []
        assert search(auditor, "Ashworth") == []
    assert len(ctx.captured_queries) == 0


def test_the_index_follows_changes(search_world: SearchWorld) -> None:
    world = search_world.world
    lead = actor_for(world, "lead")
    tom = search_world.records["tom"]
    tom = person_update(actor=lead, person=tom, version=tom.version, family_name="Brightwell")
    index_person(tom)
    assert found(search_world, "lead", "Brightwell") == ["Tom Brightwell (Tommy)"]
    assert found(search_world, "lead", "Bright", kinds=["person"]) == []

    concern = search_world.records["worker_concern"]
    concern_add_addendum(
        actor=actor_for(world, "case_worker"),
        concern=concern,
        reason="Spoke to the parent",
        text="Mother says the trampoline caused it.",
    )
    index_concern(concern)
    assert found(search_world, "lead", "trampoline") == [TOM_CONCERN]

    remove(concern)
    assert found(search_world, "lead", "trampoline") == []


def test_drafts_are_never_indexed(search_world: SearchWorld) -> None:
    actor = actor_for(search_world.world, "reporter")
    draft = concern_save_draft(
        actor=actor,
        concern=None,
        version=None,
        people=[{"name": "Draft Child"}],
        category_codes=["neglect"],
        fact="Unsent words about a skateboard.",
    )
    index_concern(draft)
    assert not SearchDocument.objects.filter(object_id=draft.pk).exists()
    assert found(search_world, "reporter", "skateboard") == []


def test_a_merged_record_is_found_under_the_survivor(search_world: SearchWorld) -> None:
    hidden, zoe = search_world.records["hidden"], search_world.records["zoe"]
    survivor = person_merge(
        actor=actor_for(search_world.world, "lead"),
        survivor=zoe,
        duplicate=hidden,
        reason="Same child, recorded twice.",
    )
    hidden.refresh_from_db()
    remove(hidden)  # what person_merge will do once wired
    index_person(survivor)
    assert not SearchDocument.objects.filter(object_id=hidden.pk).exists()
    assert found(search_world, "lead", "Hana", kinds=["person"]) == [ZOE]
    index_person(hidden)  # a merged record is never indexed again
    assert not SearchDocument.objects.filter(object_id=hidden.pk).exists()


def test_reindex_rebuilds_the_same_index(search_world: SearchWorld) -> None:
    before = {(d.kind, d.object_id, d.title, d.body) for d in SearchDocument.objects.all()}
    SearchDocument.objects.all().delete()
    assert found(search_world, "lead", "Ashworth") == []
    call_command("search_reindex", stdout=(out := _Out()))
    after = {(d.kind, d.object_id, d.title, d.body) for d in SearchDocument.objects.all()}
    assert after == before
    assert "5 people and 4 concerns" in out.text
    assert found(search_world, "lead", "Ashworth") == sorted(["Hana Ashworth", ZOE_CONCERN, ZOE])


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_database_keeps_its_full_text_index_in_step(search_world: SearchWorld) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # FTS5 compares its index with the documents table and raises if they differ.
            cursor.execute(
                "INSERT INTO insight_searchdocument_fts (insight_searchdocument_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'insight_searchdocument' "
                "AND indexdef LIKE '%USING gin (search_vector)%'"
            )
            assert cursor.fetchone() == (1,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL itself")
def test_the_stop_words_are_exactly_postgresqls(db: None) -> None:
    from safecase.insight.query import STOPWORDS

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w FROM unnest(%s::text[]) AS w WHERE to_tsvector('english', w) <> ''",
            [sorted(STOPWORDS)],
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT count(*) FROM ts_debug('english', %s) WHERE lexemes = '{}'",
            [" ".join(sorted(STOPWORDS))],
        )
        assert cursor.fetchone() == (len(STOPWORDS),)


def test_a_hub_receiving_very_many_shares_still_finds_them(
    search_world: SearchWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past MAX_SHARED_IDS the shared ids go to the database as a subquery, not a list.
    monkeypatch.setattr(scoping, "MAX_SHARED_IDS", 0)
    assert found(search_world, "partner_with_share", "Ashworth") == ["Pat Ashworth", ZOE]
    assert found(search_world, "partner_without", "Ashworth") == []
