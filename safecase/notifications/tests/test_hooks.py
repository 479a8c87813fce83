"""Concern work reaches people in-app: urgent concerns, escalations, pattern alerts, actions."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Concern, ConcernAction, PatternAlert
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.demo.personas import DemoWorld
from safecase.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

DETAILS = ("Jamie", "bruise", "Playground", "step-dad", "Riverside")


def _told(world: DemoWorld, kind: str) -> dict[str, Notification]:
    by_user = {u.pk: name for name, u in world.users.items()}
    return {by_user[n.recipient_id]: n for n in Notification.objects.filter(kind=kind)}


def _no_details(notification: Notification) -> None:
    assert not any(word.lower() in notification.text.lower() for word in DETAILS)


def test_an_urgent_concern_tells_the_leads_in_app_and_by_email(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        concern = submitted_concern(world, is_urgent=True)
    told = _told(world, NotificationKind.URGENT_CONCERN)
    assert set(told) == {"lead", "deputy"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.users["lead"].email, world.users["deputy"].email]
    )
    for notification in told.values():
        assert notification.target_id == concern.pk
        assert notification.organisation_id == concern.organisation_id
        assert notification.text.startswith("An urgent concern was recorded at ")
        _no_details(notification)
    sent = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_SENT)
    assert sent.actor_label == "system:urgent" and sent.changes["kind"] == "urgent_concern"
    # The lead follows the link to the concern itself.
    lead = client_for(world.users["lead"])
    page = lead.get("/notifications/").content.decode()
    assert f'href="/concerns/{concern.pk}/"' in page
    assert lead.get(f"/concerns/{concern.pk}/").status_code == 200


def test_a_concern_that_is_not_urgent_tells_nobody_at_once(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted_concern(world)
    assert not Notification.objects.filter(kind=NotificationKind.URGENT_CONCERN).exists()


def test_an_urgent_low_level_concern_reaches_only_those_who_may_read_it(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted_concern(world, "case_worker", kind="low_level_adult", is_urgent=True)
    assert set(_told(world, NotificationKind.URGENT_CONCERN)) == {"lead"}
    assert [m.to[0] for m in mail.outbox] == [world.users["lead"].email]


def test_an_overdue_concern_is_escalated_to_the_deputies_once(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    old = submitted_concern(world)
    Concern.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
    told = _told(world, NotificationKind.CONCERN_ESCALATED)
    assert set(told) == {"lead", "deputy"}
    assert told["deputy"].target_id == old.pk
    assert told["deputy"].target_url == f"/concerns/{old.pk}/"
    _no_details(told["deputy"])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
    assert Notification.objects.filter(kind=NotificationKind.CONCERN_ESCALATED).count() == 2


def test_a_new_pattern_alert_lands_with_the_lead(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            submitted_concern(world)
    # Four concerns about one child at one place: two alerts, each told once to the lead,
    # though both grew with the fourth concern.
    alerts = set(PatternAlert.objects.values_list("pk", flat=True))
    assert len(alerts) == 2
    told = Notification.objects.filter(kind=NotificationKind.PATTERN_ALERT)
    assert {n.recipient_id for n in told} == {world.users["lead"].pk}
    assert sorted(n.target_id for n in told) == sorted(alerts)
    for notification in told:
        assert notification.target_url == "/concerns/queue/"
        _no_details(notification)
        assert "concerns about" not in notification.text  # not the alert's summary


def test_an_action_set_by_someone_else_tells_its_owner(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    lead = actor_for(world, "lead")
    for owner in ("case_worker", "lead"):
        concern_actions.action_create(
            actor=lead,
            concern=concern,
            description="Call the parent about the bruise",
            owner=world.users[owner],
            due_on=timezone.localdate(),
        )
    told = _told(world, NotificationKind.ACTION_ASSIGNED)
    assert set(told) == {"case_worker"}  # not the lead, who set their own
    action = ConcernAction.objects.get(owner=world.users["case_worker"])
    assert told["case_worker"].target_id == action.pk
    assert told["case_worker"].target_url == "/concerns/mine/"
    _no_details(told["case_worker"])
    assert "parent" not in told["case_worker"].text
    sent = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_SENT)
    assert sent.actor_id == str(world.users["lead"].pk)


def test_overdue_actions_reach_their_owners_once(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    action = concern_actions.action_create(
        actor=actor_for(world, "lead"),
        concern=concern,
        description="Call the parent",
        owner=world.users["case_worker"],
        due_on=timezone.localdate(),
    )
    call_command("send_reminders", digest=True, stdout=StringIO())
    assert not Notification.objects.filter(kind=NotificationKind.ACTION_OVERDUE).exists()
    ConcernAction.objects.filter(pk=action.pk).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    for _ in range(2):
        call_command("send_reminders", digest=True, stdout=StringIO())
    told = _told(world, NotificationKind.ACTION_OVERDUE)
    assert set(told) == {"case_worker"} and told["case_worker"].target_id == action.pk
    assert Notification.objects.filter(kind=NotificationKind.ACTION_OVERDUE).count() == 1
