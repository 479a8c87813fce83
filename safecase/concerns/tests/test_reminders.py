"""Overdue concerns are escalated once to the deputies; overdue actions reach their owners."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions
from safecase.concerns.models import Concern, ConcernAction
from safecase.concerns.tests.test_concerns import actor_for, submitted_concern
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db


def test_overdue_concerns_are_escalated_once(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    fresh = submitted_concern(world)
    old = submitted_concern(world)
    Concern.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(hours=30))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.escalated_at is not None and fresh.escalated_at is None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.users["lead"].email, world.users["deputy"].email]
    )
    assert "Jamie" not in mail.outbox[0].body
    assert AuditEvent.objects.filter(action=AuditAction.CONCERN_ESCALATED).count() == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
    assert mail.outbox == []


def test_the_digest_tells_owners_about_overdue_actions(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    action = actions.action_create(
        actor=actor_for(world, "lead"),
        concern=concern,
        description="Call the parent",
        owner=world.users["case_worker"],
        due_on=timezone.localdate(),
    )
    ConcernAction.objects.filter(pk=action.pk).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    mail.outbox.clear()
    call_command("send_reminders", digest=True, stdout=StringIO())
    assert [m.to for m in mail.outbox] == [[world.users["case_worker"].email]]
    assert "1 action(s)" in mail.outbox[0].body and "parent" not in mail.outbox[0].body
