"""The learning tab and the learning page across cases run the same number of queries with
one recommendation (and one tagged case) and with ten."""

from __future__ import annotations

import pytest

from conftest import actor_for, client_for
from safecase.cases.learning import actions
from safecase.cases.learning.tests.helpers import recommend, review
from safecase.cases.tests.helpers import DemoWorld, open_case
from tests.test_query_counts import _count, _diff

pytestmark = pytest.mark.django_db


def test_the_learning_pages_do_not_grow_with_the_data(world: DemoWorld) -> None:
    case = open_case(world)
    review(world, case)
    first = recommend(world, case)
    actions.recommendation_update(
        actor=actor_for(world, "lead"),
        recommendation=first,
        version=first.version,
        status="done",
        reason="Done.",
    )
    recommend(world, case)
    client = client_for(world.users["lead"])
    urls = [f"/cases/{case.pk}/learning/", "/cases/learning/", "/cases/learning/?theme=supervision"]
    for url in urls:
        client.get(url)
    small = [_count(client, url) for url in urls]
    for _ in range(9):
        other = open_case(world)
        review(world, other, themes=["supervision", "escalation"])
        recommend(world, other)
        recommend(world, case)
    large = [_count(client, url) for url in urls]
    for url, (before, _, before_sql), (after, _, after_sql) in zip(urls, small, large, strict=True):
        assert after == before, (url, _diff(before_sql, after_sql))
