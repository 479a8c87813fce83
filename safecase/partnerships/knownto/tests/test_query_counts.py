"""A check's query count does not grow with the number of people indexed (only with the
number of organisations it finds, one audit event each), nor does the answer page's."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import DemoWorld, actor_for, client_for
from safecase.partnerships.knownto import actions
from safecase.partnerships.knownto.tests.helpers import BORN, NHS, person
from safecase.people.models import Person

pytestmark = pytest.mark.django_db

# 13 on this machine: the lock on the asker, the hourly count, the match, the check and its
# answer, and one audit event on each side (the chain head locked, the event, the head moved).
MAX_QUERIES = 15


def _ask(world: DemoWorld) -> int:
    actor = actor_for(world, "partner_with_share")
    with CaptureQueriesContext(connection) as queries:
        actions.known_to_check(
            actor=actor,
            purpose="Screening (synthetic).",
            identifiers=[("nhs", NHS), ("upn", "F801200100001")],
            given_names="Jamie",
            family_name="Example-Child",
            date_of_birth=BORN,
        )
    return len(queries)


def test_a_checks_queries_do_not_grow_with_the_people(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    _ask(world)  # the chains' heads exist from here on
    few = _ask(world)
    for n in range(30):
        person(world, given=f"Child{n}", born=date(2012, 1, 1 + n % 28))
        person(world, org="primary", given=f"Pupil{n}", identifiers=[("other", f"R-{n}")])
        person(world, org="outside", given="Jamie", identifiers=[("nhs", NHS)] if n == 0 else [])
    assert Person.objects.count() > 90
    many = _ask(world)
    assert many == few, (few, many)
    assert many <= MAX_QUERIES


def test_the_answer_pages_queries_are_bounded(
    world: DemoWorld, django_assert_max_num_queries: object
) -> None:
    person(world, identifiers=[("nhs", NHS)])
    person(world, org="primary", identifiers=[("nhs", NHS)])
    client = client_for(world.users["partner_with_share"])
    location = client.post("/known-to/", {"nhs": NHS, "purpose": "x"})["Location"]
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(location).status_code == 200
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get("/known-to/").status_code == 200
