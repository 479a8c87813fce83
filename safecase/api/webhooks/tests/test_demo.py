"""The demo's webhook: Northshire Police's endpoint, subscribed to information requests due,
built idempotently; its deliveries fail at once (a .invalid host) and back off, never block."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from conftest import DemoWorld
from safecase.api.webhooks import delivery
from safecase.api.webhooks.demo import DEMO_URL, build_demo_webhooks
from safecase.api.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core import events

pytestmark = pytest.mark.django_db


def test_the_demo_endpoint_is_built_once_and_never_blocks(world: DemoWorld) -> None:
    endpoint = build_demo_webhooks(world)
    assert build_demo_webhooks(world) == endpoint
    assert WebhookEndpoint.objects.count() == 1
    assert endpoint.organisation == world.organisations["police"]
    assert endpoint.url == DEMO_URL and endpoint.event_types == ["information_request.due"]
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_CREATED).count() == 1
    with transaction.atomic():
        events.publish(
            organisation_id=world.organisations["police"].pk,
            event_type=events.INFORMATION_REQUEST_DUE,
            payload={"information_request": "ir-1", "referral": "r-1", "status": "due"},
        )
    started = time.monotonic()
    (row,) = delivery.deliver_due()
    assert time.monotonic() - started < 2
    assert row.status == DeliveryStatus.FAILED and row.next_attempt_at is not None
    assert row.last_error == "host does not resolve (.invalid names never do)"
    assert (
        WebhookDelivery.objects.filter(organisation=world.organisations["secondary"]).count() == 0
    )
