"""The notes part's demo builder (safecase.cases.notes.demo, kept here because the cases package
may not import the demo): notes of several types on the demo's allegation case, a supervision
session, and a schedule for Cass Worker with one missed session; idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import actor_for
from safecase.cases.notes import selectors
from safecase.cases.notes.demo import build_demo_notes
from safecase.cases.notes.models import CaseNote, SupervisionRecord, SupervisionSchedule
from safecase.demo.cases import build_demo_cases
from safecase.demo.concerns import build_demo_concerns
from safecase.demo.personas import build_demo_world

pytestmark = pytest.mark.django_db


def test_the_demo_notes_and_supervision(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world = build_demo_world()
        build_demo_concerns(world)
        build_demo_cases(world)
        build_demo_notes(world)
        build_demo_notes(world)
    assert CaseNote.objects.count() == 5
    assert set(CaseNote.objects.values_list("kind", flat=True)) == {
        "contact",
        "discussion",
        "other",
        "management_oversight",
    }
    assert SupervisionRecord.objects.count() == 1 and SupervisionSchedule.objects.count() == 1
    rows = selectors.overdue_supervisions(actor_for(world, "supervisor"))
    assert [(r.name, len(r.missed)) for r in rows] == [("Cass Worker", 1)]
