"""The person page reads the chronology a page at a time: every entry exactly once, in the
same order as the full chronology, walking older and back newer, ties included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.concerns import actions, selectors
from safecase.concerns.models import Addendum, Concern, Triage
from safecase.concerns.selectors import ChronologyFilter, person_chronology_page
from safecase.concerns.tests.test_concerns import submitted_concern, triage
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create
from safecase.people.models import Person

pytestmark = pytest.mark.django_db


def child_with_history(world: DemoWorld, concerns: int = 7) -> Person:
    lead = actor_for(world, "lead")
    person = person_create(actor=lead, kind="child", given_names="Jamie", family_name="Pager")
    moment = timezone.now() - timedelta(days=30)
    for i in range(concerns):
        # Pairs of concerns that happened at the same moment, to exercise the tie-break.
        concern = submitted_concern(world, happened_at=moment + timedelta(days=i // 2))
        actions.concern_link_person(actor=lead, concern_person=concern.people.get(), person=person)
        if i % 2 == 0:
            triage(world, concern)
        if i % 3 == 0:
            actions.concern_add_addendum(
                actor=lead, concern=concern, reason="Clarified", text="Left forearm, not right."
            )
    # Entries made in the same instant as each other: created_at ties across sources.
    same = timezone.now()
    Addendum.objects.filter(concern__people__person=person).update(created_at=same)
    Triage.objects.filter(concern__people__person=person).update(created_at=same)
    return person


def key(entry: selectors.ChronologyEntry) -> tuple[str, object]:
    return (entry.kind, entry.entry_id)


def test_pages_walk_every_entry_once_in_order_both_ways(world: DemoWorld) -> None:
    person = child_with_history(world)
    lead = actor_for(world, "lead")
    everything = [key(e) for e in selectors.person_chronology(lead, person)]
    assert len(everything) == 7 + 4 + 3

    walked, pages, cursor = [], [], None
    while True:
        page = person_chronology_page(lead, person, cursor=cursor, size=3)
        assert page.total == len(everything)
        walked += [key(e) for e in page.entries]
        pages.append(page)
        if page.older_cursor is None:
            break
        cursor = page.older_cursor
    assert walked == everything
    assert pages[0].newer_cursor is None

    # And back again from the last page, newer each time, to the first.
    back = list(pages[-1].entries)
    page = pages[-1]
    while page.newer_cursor is not None:
        page = person_chronology_page(lead, person, cursor=page.newer_cursor, newer=True, size=3)
        back = list(page.entries) + back
    assert [key(e) for e in back] == everything


def test_a_page_costs_the_same_queries_for_a_short_and_a_long_history(
    world: DemoWorld, django_assert_max_num_queries: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = child_with_history(world, concerns=2)

    def counted() -> int:
        lead = actor_for(world, "lead")  # a new request's actor: nothing remembered
        with CaptureQueriesContext(connection) as ctx:
            person_chronology_page(lead, person, size=3)
        return len(ctx.captured_queries)

    before = counted()
    more = child_with_history(world, concerns=8)
    for concern_person in more.concerns.all():
        concern_person.person = person
        concern_person.save(update_fields=["person"])
    assert counted() == before


@pytest.mark.parametrize("cursor", ["nonsense", "", "MjAyNnxvbmV8dHdv", "YXxifGM"])
def test_a_malformed_cursor_starts_from_the_newest(world: DemoWorld, cursor: str) -> None:
    person = child_with_history(world, concerns=3)
    lead = actor_for(world, "lead")
    first = person_chronology_page(lead, person, size=2)
    for newer in (False, True):
        again = person_chronology_page(lead, person, cursor=cursor, newer=newer, size=2)
        assert [key(e) for e in again.entries] == [key(e) for e in first.entries]


def test_filters_apply_to_every_page(world: DemoWorld) -> None:
    person = child_with_history(world, concerns=4)
    lead = actor_for(world, "lead")
    first = Concern.objects.filter(people__person=person).order_by("happened_at").first()
    assert first is not None
    actions.concern_mark_significant(actor=lead, concern=first, significant=True)
    page = person_chronology_page(lead, person, only=ChronologyFilter(significant_only=True))
    assert {e.concern_id for e in page.entries} == {first.pk}
    assert page.total == len(page.entries)


def test_the_person_page_links_older_and_newer_entries(world: DemoWorld) -> None:
    person = child_with_history(world, concerns=30)
    client = client_for(world.users["lead"])
    first = client.get(f"/people/{person.pk}/")
    assert first.status_code == 200
    assert b"Older entries" in first.content and b"Newer entries" not in first.content
    older = first.context["chronology_older"]
    second = client.get(f"/people/{person.pk}/", {"older": older})
    assert b"Newer entries" in second.content
    shown = {e.entry_id for e in first.context["chronology"]}
    assert shown.isdisjoint({e.entry_id for e in second.context["chronology"]})
    junk = client.get(f"/people/{person.pk}/", {"older": "%%%", "newer": "x" * 5000})
    assert junk.status_code == 200


def test_a_cursor_with_an_impossible_time_starts_from_the_newest(world: DemoWorld) -> None:
    import base64
    import uuid

    person = child_with_history(world, concerns=3)
    impossible = f"0001-01-01T00:00:00+01:00|4|{uuid.uuid4()}"
    cursor = base64.urlsafe_b64encode(impossible.encode()).decode().rstrip("=")
    client = client_for(world.users["lead"])
    first = client.get(f"/people/{person.pk}/")
    for name in ("older", "newer"):
        response = client.get(f"/people/{person.pk}/", {name: cursor})
        assert response.status_code == 200
        assert response.context["chronology"] == first.context["chronology"]
