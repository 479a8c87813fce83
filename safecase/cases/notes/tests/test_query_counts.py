"""The notes tab and the schedules page run the same number of queries with one item of each
kind as with ten: notes of every visibility (with named readers, addenda and earlier text),
supervision records with actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# DemoWorld through conftest: the import contract exempts safecase.<app>.tests from its rule
# on safecase.demo, but not the tests of the case parts (one level deeper).
from conftest import DemoWorld, actor_for, client_for
from safecase.cases.models import Case
from safecase.cases.notes import actions
from safecase.cases.notes.tests.helpers import deputys_case, supervise, write_note

pytestmark = pytest.mark.django_db


def add_items(world: DemoWorld, case: Case, n: int) -> None:
    worker = actor_for(world, "case_worker")
    for i in range(n):
        note = write_note(world, case, fact=f"Contact {i} (synthetic).")
        actions.note_edit(
            actor=worker,
            note=note,
            version=note.version,
            kind="contact",
            fact=f"Contact {i}, edited (synthetic).",
            occurred_at=note.occurred_at,
        )
        actions.note_add_addendum(
            actor=worker, note=note, reason="A detail missing.", text=f"Addendum {i}."
        )
        write_note(world, case, visibility="named", named=("deputy", "lead"), fact=f"Named {i}.")
        write_note(world, case, visibility="case_team", fact=f"Team {i}.")
        supervise(world, case, days_ago=i + 1, actions=[{"text": "Read the file."}] * 2)


def count(client: Client, url: str) -> int:
    client.get(url)  # warm-up: the first request after sign-in settles the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_notes_tab_is_constant_in_queries(world: DemoWorld) -> None:
    small, large = deputys_case(world), deputys_case(world, title="Second case (synthetic)")
    add_items(world, small, 1)
    add_items(world, large, 10)  # 30 notes (a full page of 20 and more), 10 supervisions
    client = client_for(world.users["case_worker"])
    assert count(client, f"/cases/{small.pk}/notes/") == count(client, f"/cases/{large.pk}/notes/")


def test_the_schedules_page_is_constant_in_queries(world: DemoWorld) -> None:
    case = deputys_case(world)
    supervisor = actor_for(world, "supervisor")
    actions.schedule_set(
        actor=supervisor,
        worker=world.users["case_worker"],
        every_weeks=2,
        starts_on=timezone.localdate() - timedelta(weeks=30),
    )
    supervise(world, case)
    client = client_for(world.users["supervisor"])
    one = count(client, "/cases/supervision/")
    actions.schedule_set(
        actor=supervisor,
        worker=world.users["deputy"],
        every_weeks=4,
        starts_on=timezone.localdate() - timedelta(weeks=30),
    )
    for day in range(2, 11):
        supervise(world, case, days_ago=day)
    assert count(client, "/cases/supervision/") == one
