"""Supervision on a case and each worker's schedule: who records it, bad input, who reads it,
and missed sessions computed from the schedule's periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

# DemoWorld through conftest: the import contract exempts safecase.<app>.tests from its rule
# on safecase.demo, but not the tests of the case parts (one level deeper).
from conftest import DemoWorld, actor_for
from safecase.cases.notes import actions, selectors
from safecase.cases.notes.models import (
    SupervisionAction,
    SupervisionRecord,
    SupervisionSchedule,
)
from safecase.cases.notes.tests.helpers import deputys_case, supervise
from safecase.cases.tests.helpers import restricted_case
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def test_a_supervisor_records_supervision_with_actions(world: DemoWorld) -> None:
    case = deputys_case(world)
    due = timezone.localdate() + timedelta(days=7)
    record = supervise(
        world,
        case,
        actions=[
            {"text": "Read the school's attendance record."},
            {"text": "Visit the aunt.", "owner": world.users["case_worker"], "due_on": due},
            {"text": ""},
        ],
        next_session_on=timezone.localdate() + timedelta(days=28),
    )
    assert record.supervisor == world.users["supervisor"]
    assert [(a.text, a.due_on) for a in SupervisionAction.objects.filter(record=record)] == [
        ("Read the school's attendance record.", None),
        ("Visit the aunt.", due),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"discussion": " "}, "discussion"),
        ({"held_at": None}, "held_at"),
        ({"held_at": timezone.now() + timedelta(days=2)}, "held_at"),
        ({"next_session_on": date(2000, 1, 1)}, "next_session_on"),
        ({"actions": [{"text": "Visit.", "due_on": date(2030, 1, 1)}]}, "actions"),
        ({"actions": [{"text": "", "due_on": date(2030, 1, 1)}]}, "actions"),
    ],
)
def test_bad_supervision_input_is_refused(
    world: DemoWorld, change: dict[str, object], field: str
) -> None:
    case = deputys_case(world)
    with pytest.raises(DomainError) as caught:
        supervise(world, case, **change)
    assert caught.value.field == field
    assert not SupervisionRecord.objects.exists()


def test_only_a_supervisor_records_and_the_supervisee_must_see_the_case(world: DemoWorld) -> None:
    case = deputys_case(world)
    with pytest.raises(NotPermitted):
        actions.supervision_record(
            actor=actor_for(world, "lead"),
            case=case,
            supervisee=world.users["case_worker"],
            held_at=timezone.now(),
            discussion="Reflection (synthetic).",
        )
    hidden = restricted_case(world, "supervisor")
    with pytest.raises(DomainError, match="cannot see this case"):
        supervise(world, hidden, supervisee=world.users["lead"])
    assert not SupervisionRecord.objects.exists()


def test_who_reads_a_supervision_record(world: DemoWorld) -> None:
    case = deputys_case(world)
    supervise(world, case)
    readers = {
        p
        for p in ("lead", "deputy", "case_worker", "supervisor", "reporter", "partner_with_share")
        if selectors.supervision_visible_to(actor_for(world, p)).exists()
    }
    # The supervisee, the case's team (the deputy leads it) and the supervisor; not the
    # organisation's lead, who is not on this case's team.
    assert readers == {"deputy", "case_worker", "supervisor"}


def schedule(every_weeks: int, starts_on: date) -> SupervisionSchedule:
    return SupervisionSchedule(every_weeks=every_weeks, starts_on=starts_on)


def test_missed_sessions_are_the_ended_periods_with_no_session() -> None:
    four_weekly = schedule(4, date(2026, 9, 1))
    today = date(2026, 11, 30)
    # Periods: 1 Sep-28 Sep, 29 Sep-26 Oct, 27 Oct-23 Nov, then 24 Nov-21 Dec (current).
    status = selectors.schedule_status(four_weekly, [date(2026, 10, 10)], today=today)
    assert [p.label for p in status.missed] == [
        "1 Sep 2026 to 28 Sep 2026",
        "27 Oct 2026 to 23 Nov 2026",
    ]
    assert status.next_due == date(2026, 12, 21)
    assert status.last_session == date(2026, 10, 10)


def test_a_session_on_a_periods_first_and_last_days_counts() -> None:
    weekly = schedule(1, date(2026, 11, 2))
    held = [date(2026, 11, 2), date(2026, 11, 15)]
    status = selectors.schedule_status(weekly, held, today=date(2026, 11, 16))
    assert status.missed == []  # 2-8 Nov held on the 2nd; 9-15 Nov held on the 15th
    assert status.next_due == date(2026, 11, 22)


def test_the_current_period_with_a_session_moves_next_due_on() -> None:
    weekly = schedule(2, date(2026, 11, 2))
    status = selectors.schedule_status(weekly, [date(2026, 11, 3)], today=date(2026, 11, 5))
    assert status.missed == [] and status.next_due == date(2026, 11, 29)


def test_a_schedule_not_yet_begun_has_nothing_missed() -> None:
    status = selectors.schedule_status(schedule(4, date(2027, 1, 4)), [], today=date(2026, 12, 1))
    assert status.missed == [] and status.next_due == date(2027, 1, 31)


def test_setting_a_schedule_and_changing_it_under_its_version(world: DemoWorld) -> None:
    supervisor = actor_for(world, "supervisor")
    worker = world.users["case_worker"]
    first = actions.schedule_set(
        actor=supervisor, worker=worker, every_weeks=4, starts_on=date(2026, 9, 1)
    )
    changed = actions.schedule_set(
        actor=supervisor, worker=worker, every_weeks=6, starts_on=date(2026, 9, 1), version=1
    )
    assert (changed.pk, changed.every_weeks, changed.version) == (first.pk, 6, 2)
    with pytest.raises(Conflict):
        actions.schedule_set(
            actor=supervisor, worker=worker, every_weeks=2, starts_on=date(2026, 9, 1), version=1
        )
    with pytest.raises(Conflict, match="already has a supervision schedule"):
        actions.schedule_set(
            actor=supervisor, worker=worker, every_weeks=2, starts_on=date(2026, 9, 1)
        )
    assert SupervisionSchedule.objects.get().every_weeks == 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"every_weeks": 0}, "every_weeks"),
        ({"every_weeks": 53}, "every_weeks"),
        ({"starts_on": None}, "starts_on"),
        ({"worker": "reporter"}, "worker"),
        ({"worker": "other_org"}, "worker"),
    ],
)
def test_bad_schedule_input_is_refused(
    world: DemoWorld, change: dict[str, object], field: str
) -> None:
    fields: dict[str, object] = {"every_weeks": 4, "starts_on": date(2026, 9, 1), **change}
    fields["worker"] = world.users[str(change.get("worker", "case_worker"))]
    with pytest.raises(DomainError) as caught:
        actions.schedule_set(actor=actor_for(world, "supervisor"), **fields)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert not SupervisionSchedule.objects.exists()


def test_only_a_supervisor_sets_schedules(world: DemoWorld) -> None:
    with pytest.raises(NotPermitted):
        actions.schedule_set(
            actor=actor_for(world, "lead"),
            worker=world.users["case_worker"],
            every_weeks=4,
            starts_on=date(2026, 9, 1),
        )


def test_the_overview_lists_missed_sessions_and_the_caseload(world: DemoWorld) -> None:
    case = deputys_case(world)
    today = timezone.localdate()
    actions.schedule_set(
        actor=actor_for(world, "supervisor"),
        worker=world.users["case_worker"],
        every_weeks=2,
        starts_on=today - timedelta(weeks=6),
    )
    supervise(world, case, days_ago=3)  # in the current period or the one just ended
    rows = {r.name: r for r in selectors.supervision_overview(actor_for(world, "supervisor"))}
    cass = rows["Cass Worker"]
    assert len(cass.missed) >= 1
    assert cass.open_cases == 1
    assert rows["Dev Deputy"].schedule is None and rows["Dev Deputy"].open_cases == 1
    overdue = selectors.overdue_supervisions(actor_for(world, "supervisor"))
    assert [r.name for r in overdue] == ["Cass Worker"]
    assert selectors.supervision_overview(actor_for(world, "lead")) == []


def test_a_session_on_a_restricted_case_is_not_counted_for_a_supervisor_not_named(
    world: DemoWorld,
) -> None:
    hidden = restricted_case(world, "case_worker", "supervisor")
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        supervise(world, hidden, days_ago=0)
    worker = world.users["case_worker"]
    assert selectors.supervision_visible_to(actor_for(world, "supervisor")).count() == 1
    assert selectors.supervision_visible_to(actor_for(world, "lead")).count() == 0
    own = actions.schedule_set(
        actor=actor_for(world, "supervisor"),
        worker=worker,
        every_weeks=1,
        starts_on=timezone.localdate() - timedelta(days=3),
    )
    assert own.worker == worker
    mine = selectors.own_schedule(actor_for(world, "case_worker"))
    assert mine is not None and mine.last_session is not None
