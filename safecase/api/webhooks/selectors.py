"""Reading webhooks: an organisation's own endpoints and their delivery logs, for its
administrators only. Another organisation's endpoint or delivery is the same 404 as a missing
one (safecase.access.lookups.access_object)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.api.webhooks.models import WebhookDelivery, WebhookEndpoint
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page

LOG_PAGE_SIZE = 25


def endpoints_visible_to(actor: Actor) -> QuerySet[WebhookEndpoint]:
    if actor.organisation is None or not can(actor, Permission.WEBHOOK_MANAGE):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organisation=actor.organisation)


def access_endpoint(actor: Actor, endpoint_id: object) -> WebhookEndpoint:
    return access_object(actor, endpoints_visible_to(actor), endpoint_id, Permission.WEBHOOK_MANAGE)


def deliveries_visible_to(actor: Actor) -> QuerySet[WebhookDelivery]:
    if actor.organisation is None or not can(actor, Permission.WEBHOOK_MANAGE):
        return WebhookDelivery.objects.none()
    return WebhookDelivery.objects.filter(organisation=actor.organisation)


def access_delivery(actor: Actor, delivery_id: object) -> WebhookDelivery:
    return access_object(
        actor,
        deliveries_visible_to(actor).select_related("endpoint"),
        delivery_id,
        Permission.WEBHOOK_MANAGE,
    )


def endpoint_list(actor: Actor, *, cursor: str | None = None) -> KeysetPage[Any]:
    return keyset_page(endpoints_visible_to(actor), key=("-created_at", "id"), cursor=cursor)


def delivery_log(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """Newest first; page it with keyset_page on ("-created_at", "id")."""
    return WebhookDelivery.objects.filter(
        endpoint=endpoint, organisation_id=endpoint.organisation_id
    )


def delivery_log_page(endpoint: WebhookEndpoint, *, cursor: str | None) -> KeysetPage[Any]:
    return keyset_page(
        delivery_log(endpoint), key=("-created_at", "id"), cursor=cursor, size=LOG_PAGE_SIZE
    )
