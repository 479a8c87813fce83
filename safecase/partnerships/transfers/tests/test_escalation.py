"""A file not acted on in time is escalated to both sides, once per step; the command and the
task run the same escalation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from conftest import DemoWorld, actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.calendar import add_working_days
from safecase.partnerships.transfers import actions
from safecase.partnerships.transfers.escalation import escalate_transfers, step_due_on
from safecase.partnerships.transfers.models import Transfer
from safecase.partnerships.transfers.tasks import escalate_transfers_task
from safecase.partnerships.transfers.tests.helpers import send

pytestmark = pytest.mark.django_db


def _escalations(org: object) -> int:
    return AuditEvent.objects.filter(
        organisation_id=str(org), action=AuditAction.TRANSFER_ESCALATED
    ).count()


def test_due_in_five_working_days(world: DemoWorld) -> None:
    transfer = send(world)
    assert transfer.due_on == add_working_days(transfer.issued_at.date(), 5)


def test_nothing_happens_before_the_due_date(world: DemoWorld) -> None:
    transfer = send(world)
    assert escalate_transfers(today=transfer.due_on) == 0


def test_each_step_once_to_both_sides(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    transfer = send(world)
    first = step_due_on(transfer, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_transfers(today=first) == 1
    assert escalate_transfers(today=first) == 0  # once per step
    school, oakfield = world.organisations["secondary"].pk, world.organisations["primary"].pk
    assert _escalations(school) == _escalations(oakfield) == 1
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {
        "A safeguarding file is waiting for you",
        "A safeguarding file you sent is still waiting",
    }
    assert transfer.person_label not in "".join(m.body for m in mail.outbox)
    second = step_due_on(transfer, 2)
    assert escalate_transfers(today=second - timedelta(days=1)) in (0, 1)
    escalate_transfers(today=second)
    assert Transfer.objects.get(pk=transfer.pk).escalation_step == 2


def test_an_accepted_file_is_not_escalated(world: DemoWorld) -> None:
    transfer = send(world)
    actions.transfer_accept(
        actor=actor_for(world, "primary_lead"), transfer=transfer, version=transfer.version
    )
    assert escalate_transfers(today=step_due_on(transfer, 1)) == 0


def test_the_command_and_the_task(world: DemoWorld) -> None:
    transfer = send(world)
    Transfer.objects.filter(pk=transfer.pk).update(due_on=date(2020, 1, 6))
    call_command("transfers_escalate")
    assert Transfer.objects.get(pk=transfer.pk).escalation_step == 1
    escalate_transfers_task.enqueue()
    assert Transfer.objects.get(pk=transfer.pk).escalation_step == 2
