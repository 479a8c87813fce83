"""Sending notifications and marking them read: who is told, what they are told, the audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import actor_for
from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.demo.personas import DemoWorld
from safecase.notifications import actions, selectors
from safecase.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def send(world: DemoWorld, *personas: str, org: str = "secondary", **extra: Any) -> list[Any]:
    organisation = world.organisations[org]
    fields: dict[str, Any] = {
        "kind": NotificationKind.URGENT_CONCERN,
        "target_id": Notification().id,  # any UUID: the target is only a link
        **extra,
    }
    return actions.notify(
        actor=Actor.system("test", organisation=organisation),
        organisation_id=organisation.pk,
        recipients=[world.users[p] for p in personas],
        **fields,
    )


def also_member(world: DemoWorld, persona: str, org: str, role: str = Role.REPORTER) -> None:
    membership = Membership.objects.create(
        user=world.users[persona], organisation=world.organisations[org]
    )
    MembershipRole.objects.create(membership=membership, role=role)


def test_it_tells_active_members_only_once_each_and_records_it(world: DemoWorld) -> None:
    Membership.objects.filter(user=world.users["case_worker"]).update(is_active=False)
    target = Notification().id
    sent = send(world, "lead", "deputy", "case_worker", "other_org", target_id=target)
    assert sorted(n.recipient_id for n in sent) == sorted(
        [world.users["lead"].pk, world.users["deputy"].pk]
    )
    event = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_SENT)
    assert event.organisation_id == str(world.organisations["secondary"].pk)
    assert event.changes["kind"] == "urgent_concern"
    assert event.changes["target"] == str(target)
    assert sorted(event.changes["recipients"]) == sorted(str(n.recipient_id) for n in sent)
    # A retried task, or the same reminder tomorrow, tells nobody twice.
    assert send(world, "lead", "deputy", target_id=target) == []
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SENT).count() == 1
    assert send(world) == []


def test_its_text_is_a_fixed_sentence_with_a_time_and_its_link_a_known_page(
    world: DemoWorld,
) -> None:
    at = timezone.now().replace(hour=13, minute=2) - timedelta(days=1)
    (today,) = send(world, "lead")
    (earlier,) = send(world, "lead", at=at)
    local = timezone.localtime(today.created_at)
    assert today.text == (
        f"An urgent concern was recorded at {local:%H:%M}; open Safecase to read it."
    )
    assert f"{timezone.localtime(at):%H:%M} on " in earlier.text
    assert today.target_url == f"/concerns/{today.target_id}/"
    (alert,) = send(world, "lead", kind=NotificationKind.PATTERN_ALERT)
    assert alert.target_url == "/concerns/queue/"
    Notification.objects.filter(pk=alert.pk).update(target_url_name="admin:index")
    alert.refresh_from_db()
    assert alert.target_url is None  # only the listed pages are ever linked


def test_a_member_cannot_notify_people_of_another_organisation(world: DemoWorld) -> None:
    with pytest.raises(NotPermitted):
        actions.notify(
            actor=actor_for(world, "lead"),
            organisation_id=world.organisations["outside"].pk,
            recipients=[world.users["other_org"]],
            kind=NotificationKind.ACTION_ASSIGNED,
        )
    assert not Notification.objects.exists()


def test_marking_read_is_recorded_once_and_harmless_twice(world: DemoWorld) -> None:
    (notification,) = send(world, "lead")
    lead = actor_for(world, "lead")
    actions.notification_mark_read(actor=lead, notification=notification)
    first_read = Notification.objects.get(pk=notification.pk).read_at
    assert first_read is not None
    again = actions.notification_mark_read(actor=lead, notification=notification)
    assert again.read_at == first_read
    events = AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_READ)
    assert [(e.subject_id, e.actor_id) for e in events] == [
        (str(notification.pk), str(world.users["lead"].pk))
    ]


def test_nobody_marks_someone_elses_notification_read(world: DemoWorld) -> None:
    (notification,) = send(world, "lead")
    for persona in ("deputy", "other_org"):
        with pytest.raises(NotPermitted):
            actions.notification_mark_read(
                actor=actor_for(world, persona), notification=notification
            )
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_marking_all_read_stays_in_this_organisation_and_before_the_list_was_shown(
    world: DemoWorld,
) -> None:
    also_member(world, "lead", "outside")
    send(world, "lead", "lead")
    send(world, "lead")
    send(world, "deputy")
    (elsewhere,) = send(world, "lead", org="outside")
    shown_at = timezone.now()
    (arrived_later,) = send(world, "lead")
    Notification.objects.filter(pk=arrived_later.pk).update(
        created_at=shown_at + timedelta(seconds=1)
    )
    lead = actor_for(world, "lead")
    assert actions.notification_mark_all_read(actor=lead, up_to=shown_at) == 2
    assert selectors.unread_count(lead) == 1
    assert Notification.objects.get(pk=elsewhere.pk).read_at is None
    assert Notification.objects.filter(recipient=world.users["deputy"], read_at=None).count() == 1
    event = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_ALL_READ)
    assert event.changes == {"count": 2}
    assert actions.notification_mark_all_read(actor=lead) == 1
    assert actions.notification_mark_all_read(actor=lead) == 0
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_ALL_READ).count() == 2
