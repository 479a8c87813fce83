"""The webhook actions, reconciled with their audit events by tests/test_actions_audited.py
(which discovers this SCENARIOS). Riverside's administrator manages the endpoints; the lead,
the auditor and other organisations are refused."""

from __future__ import annotations

from safecase.api.webhooks import actions
from safecase.api.webhooks.models import WebhookDelivery, WebhookEndpoint
from safecase.audit.events import AuditAction
from safecase.core import events
from tests.audit_kit import Call, Case, Kit

URL = "https://hooks.riverside.example.org/safecase"


def _endpoint(k: Kit) -> WebhookEndpoint:
    endpoint, _ = actions.webhook_endpoint_create(
        actor=k.actor("org_admin"), url=URL, event_types=[events.REFERRAL_CREATED]
    )
    return endpoint


def _create(k: Kit, persona: str = "org_admin") -> Call:
    return lambda: actions.webhook_endpoint_create(
        actor=k.actor(persona), url=URL, event_types=[events.REFERRAL_DECIDED], description="CMS"
    )


def _update(k: Kit, persona: str = "org_admin") -> Call:
    endpoint = _endpoint(k)
    return lambda: actions.webhook_endpoint_update(
        actor=k.actor(persona),
        endpoint=endpoint,
        version=endpoint.version,
        event_types=[events.REFERRAL_CREATED, events.REFERRAL_DECIDED],
    )


def _rotate(k: Kit, persona: str = "org_admin") -> Call:
    endpoint = _endpoint(k)
    return lambda: actions.webhook_endpoint_rotate_secret(
        actor=k.actor(persona), endpoint=endpoint, version=endpoint.version
    )


def _deactivate(k: Kit, persona: str = "org_admin") -> Call:
    endpoint = _endpoint(k)
    return lambda: actions.webhook_endpoint_deactivate(
        actor=k.actor(persona), endpoint=endpoint, version=endpoint.version
    )


def _ping(k: Kit, persona: str = "org_admin") -> Call:
    endpoint = _endpoint(k)
    return lambda: actions.webhook_endpoint_ping(actor=k.actor(persona), endpoint=endpoint)


def _redeliver(k: Kit, persona: str = "org_admin") -> Call:
    endpoint = _endpoint(k)
    sent = actions.webhook_endpoint_ping(actor=k.actor("org_admin"), endpoint=endpoint)
    delivery = WebhookDelivery.objects.get(pk=sent.pk)
    return lambda: actions.webhook_delivery_redeliver(actor=k.actor(persona), delivery=delivery)


SCENARIOS = {
    "safecase.api.webhooks.actions.webhook_endpoint_create": Case(
        AuditAction.WEBHOOK_CREATED, _create, lambda k: _create(k, "lead")
    ),
    "safecase.api.webhooks.actions.webhook_endpoint_update": Case(
        AuditAction.WEBHOOK_CHANGED, _update, lambda k: _update(k, "primary_lead")
    ),
    "safecase.api.webhooks.actions.webhook_endpoint_rotate_secret": Case(
        AuditAction.WEBHOOK_SECRET_ROTATED, _rotate, lambda k: _rotate(k, "auditor")
    ),
    "safecase.api.webhooks.actions.webhook_endpoint_deactivate": Case(
        AuditAction.WEBHOOK_DEACTIVATED, _deactivate, lambda k: _deactivate(k, "other_org")
    ),
    "safecase.api.webhooks.actions.webhook_endpoint_ping": Case(
        AuditAction.WEBHOOK_PINGED, _ping, lambda k: _ping(k, "reporter")
    ),
    "safecase.api.webhooks.actions.webhook_delivery_redeliver": Case(
        AuditAction.WEBHOOK_REDELIVERED, _redeliver, lambda k: _redeliver(k, "primary_lead")
    ),
}
