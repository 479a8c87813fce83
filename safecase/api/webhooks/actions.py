"""Managing an organisation's webhooks: every change by a person, each with its audit event.

The signing secret is returned once, by the create and rotate actions, for the page or the API
to show; audit events record that it was set or changed (``[changed]``), never its value.
Sending is not here (safecase.api.webhooks.delivery): it is the system's routine work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.api.webhooks import delivery, egress, signing
from safecase.api.webhooks.models import WebhookDelivery, WebhookEndpoint
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError
from safecase.core.events import EVENT_TYPES

MAX_DESCRIPTION = 200


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    wanted = [str(e).strip() for e in event_types]
    unknown = sorted({e for e in wanted if e not in EVENT_TYPES})
    if unknown:
        raise DomainError(
            f"Unknown event type: {', '.join(unknown)}. Choose from {', '.join(EVENT_TYPES)}.",
            field="event_types",
        )
    if not wanted:
        raise DomainError("Choose at least one event to be told about.", field="event_types")
    return [e for e in EVENT_TYPES if e in wanted]


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(
            f"Keep the description to {MAX_DESCRIPTION} characters.", field="description"
        )
    return description


def _lock(endpoint: WebhookEndpoint, version: int) -> WebhookEndpoint:
    current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if current.version != version:
        raise Conflict(
            "Someone else changed this endpoint while you were looking at it. "
            "Review the current settings and try again."
        )
    return current


def _refresh(endpoint: WebhookEndpoint, current: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic(durable=True)
def webhook_endpoint_create(
    *, actor: Actor, url: str, event_types: Iterable[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint for the actor's organisation; returns it and its secret (shown once)."""
    require(actor, Permission.WEBHOOK_MANAGE)
    if actor.organisation is None:
        raise DomainError("Choose an organisation first.")
    url = url.strip()
    egress.check_url(url)
    types = _clean_event_types(event_types)
    description = _clean_description(description)
    secret = signing.new_secret()
    endpoint_id = uuid.uuid4()
    endpoint = WebhookEndpoint.objects.create(
        id=endpoint_id,
        organisation=actor.organisation,
        url=url,
        description=description,
        event_types=types,
        secret_encrypted=delivery.seal_secret(endpoint_id, secret),
        created_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.WEBHOOK_CREATED,
        subject=endpoint,
        changes={
            "url": url,
            "event_types": types,
            "description": description,
            "secret": recorder.CHANGED,
        },
    )
    return endpoint, secret


@transaction.atomic(durable=True)
def webhook_endpoint_update(
    *,
    actor: Actor,
    endpoint: WebhookEndpoint,
    version: int,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given (None leaves a field as it is); refuses a stale version."""
    require(actor, Permission.WEBHOOK_MANAGE, endpoint)
    wanted: dict[str, Any] = {}
    if url is not None:
        egress.check_url(url)
        wanted["url"] = url.strip()
    if event_types is not None:
        wanted["event_types"] = _clean_event_types(event_types)
    if description is not None:
        wanted["description"] = _clean_description(description)
    if is_active is not None:
        wanted["is_active"] = bool(is_active)
    current = _lock(endpoint, version)
    changes = {
        name: [getattr(current, name), value]
        for name, value in wanted.items()
        if getattr(current, name) != value
    }
    updates: dict[str, Any] = {name: pair[1] for name, pair in changes.items()}
    if "is_active" in changes:
        updates["deactivated_at"] = None if updates["is_active"] else timezone.now()
    WebhookEndpoint.objects.filter(pk=current.pk).update(
        **updates, version=F("version") + 1, updated_at=timezone.now()
    )
    recorder.record(
        actor=actor, action=AuditAction.WEBHOOK_CHANGED, subject=current, changes=changes
    )
    return _refresh(endpoint, current)


@transaction.atomic(durable=True)
def webhook_endpoint_rotate_secret(
    *, actor: Actor, endpoint: WebhookEndpoint, version: int
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, used from the next attempt on; the old one stops working at once."""
    require(actor, Permission.WEBHOOK_MANAGE, endpoint)
    current = _lock(endpoint, version)
    secret = signing.new_secret()
    WebhookEndpoint.objects.filter(pk=current.pk).update(
        secret_encrypted=delivery.seal_secret(current.pk, secret),
        secret_rotated_at=timezone.now(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    recorder.record(
        actor=actor,
        action=AuditAction.WEBHOOK_SECRET_ROTATED,
        subject=current,
        changes={"secret": recorder.CHANGED},
    )
    return _refresh(endpoint, current), secret


@transaction.atomic(durable=True)
def webhook_endpoint_deactivate(
    *, actor: Actor, endpoint: WebhookEndpoint, version: int
) -> WebhookEndpoint:
    """Stop sending to this endpoint; what is still waiting is given up at its next attempt."""
    require(actor, Permission.WEBHOOK_MANAGE, endpoint)
    current = _lock(endpoint, version)
    if not current.is_active:
        raise DomainError("This endpoint is already deactivated.")
    WebhookEndpoint.objects.filter(pk=current.pk).update(
        is_active=False,
        deactivated_at=timezone.now(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    recorder.record(
        actor=actor,
        action=AuditAction.WEBHOOK_DEACTIVATED,
        subject=current,
        changes={"is_active": [True, False]},
    )
    return _refresh(endpoint, current)


@transaction.atomic(durable=True)
def webhook_endpoint_ping(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a ``webhook.ping`` test event to this endpoint (sent after commit, retried)."""
    require(actor, Permission.WEBHOOK_MANAGE, endpoint)
    if not endpoint.is_active:
        raise DomainError("Reactivate this endpoint before sending it a test event.")
    sent = delivery.queue(
        endpoint=endpoint,
        event_type=delivery.PING_EVENT,
        payload={"endpoint": str(endpoint.pk)},
        requested_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.WEBHOOK_PINGED,
        subject=endpoint,
        changes={"delivery": str(sent.pk), "event_id": str(sent.event_id)},
    )
    return sent


@transaction.atomic(durable=True)
def webhook_delivery_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send an event again, as a new delivery with the same event id (receivers deduplicate
    on it) and a fresh set of attempts."""
    from safecase.api.webhooks import delivery as sender

    endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
    require(actor, Permission.WEBHOOK_MANAGE, endpoint)
    if not endpoint.is_active:
        raise DomainError("Reactivate this endpoint before sending anything to it again.")
    again = sender.queue(
        endpoint=endpoint,
        event_type=delivery.event_type,
        payload=delivery.payload,
        event_id=delivery.event_id,
        occurred_at=delivery.occurred_at,
        redelivery_of=delivery.redelivery_of or delivery,
        requested_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.WEBHOOK_REDELIVERED,
        subject=again,
        changes={"redelivery_of": str(delivery.pk), "event_id": str(delivery.event_id)},
        organisation_id=endpoint.organisation_id,
    )
    return again
