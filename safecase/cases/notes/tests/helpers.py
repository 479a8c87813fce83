"""Building notes, supervision and schedules for tests through the real actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

# DemoWorld through conftest: the import contract exempts safecase.<app>.tests from its rule
# on safecase.demo, but not the tests of the case parts (one level deeper).
from conftest import DemoWorld, actor_for
from safecase.cases import actions as case_actions
from safecase.cases.choices import TeamRole
from safecase.cases.models import Case
from safecase.cases.notes import actions
from safecase.cases.notes.models import CaseNote, SupervisionRecord
from safecase.cases.tests.helpers import open_case


def deputys_case(world: DemoWorld, **extra: Any) -> Case:
    """A case the deputy leads, with Cass Worker as its case worker: Lena Lead, the
    organisation's lead, is not on its team."""
    case = open_case(world, "deputy", **extra)
    case_actions.case_allocate(
        actor=actor_for(world, "deputy"),
        case=case,
        version=case.version,
        user=world.users["case_worker"],
        role=TeamRole.CASE_WORKER,
        reason="Cass knows the family.",
    )
    case.refresh_from_db()
    return case


def write_note(
    world: DemoWorld,
    case: Case,
    persona: str = "case_worker",
    *,
    visibility: str = "safeguarding_team",
    named: tuple[str, ...] = (),
    **extra: Any,
) -> CaseNote:
    fields: dict[str, Any] = {
        "kind": "contact",
        "fact": "Phoned Jamie's mother; she said Jamie slept at his aunt's (synthetic).",
        "opinion": "Mother seemed anxious to end the call.",
        "occurred_at": timezone.now() - timedelta(hours=2),
        **extra,
    }
    return actions.note_add(
        actor=actor_for(world, persona),
        case=case,
        visibility=visibility,
        named_people=[world.users[p] for p in named],
        **fields,
    )


def supervise(
    world: DemoWorld, case: Case, *, days_ago: int = 1, **extra: Any
) -> SupervisionRecord:
    fields: dict[str, Any] = {
        "supervisee": world.users["case_worker"],
        "held_at": timezone.now() - timedelta(days=days_ago),
        "discussion": "Reflected on the mother's account and the aunt's role (synthetic).",
        "decisions": "Visit the aunt.",
        **extra,
    }
    return actions.supervision_record(actor=actor_for(world, "supervisor"), case=case, **fields)
