"""Helpers for the webhook tests: an endpoint of Riverside's pointing at a test receiver, and a
stand-in domain event published the way the other parts publish theirs."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from conftest import DemoWorld, actor_for
from safecase.api.webhooks import actions
from safecase.api.webhooks.models import WebhookEndpoint
from safecase.core import events

LOCAL = {"SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS": ["127.0.0.1"]}


def make_endpoint(
    world: DemoWorld,
    url: str,
    *,
    persona: str = "org_admin",
    event_types: tuple[str, ...] = (events.REFERRAL_CREATED,),
) -> tuple[WebhookEndpoint, str]:
    return actions.webhook_endpoint_create(
        actor=actor_for(world, persona), url=url, event_types=list(event_types)
    )


def publish_referral_created(organisation_id: Any, **payload: Any) -> None:
    """A stand-in for the hub's action: publish inside a transaction of its own."""
    with transaction.atomic():
        events.publish(
            organisation_id=organisation_id,
            event_type=events.REFERRAL_CREATED,
            payload={"referral": "r-1", "status": "received", **payload},
        )
