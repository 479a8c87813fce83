"""The demo's webhook: Northshire Police's integration endpoint, told when an information
request to the police is due.

It points at ``integration.northshire-police.invalid``: ``.invalid`` never resolves (RFC 6761),
so each delivery fails at once, without a network lookup, and backs off on the retry schedule
until it is given up; nothing ever waits on it. Made through the real action, as the system
acting for the police. ``world`` is the demo world (``organisations`` by key). Idempotent.
"""

from __future__ import annotations

from typing import Any

from safecase.api.webhooks import actions
from safecase.api.webhooks.models import WebhookEndpoint
from safecase.core.actors import Actor
from safecase.core.events import INFORMATION_REQUEST_DUE

DEMO_URL = "https://integration.northshire-police.invalid/safecase"


def build_demo_webhooks(world: Any) -> WebhookEndpoint:
    police = world.organisations["police"]
    existing = WebhookEndpoint.objects.filter(organisation=police, url=DEMO_URL).first()
    if existing is not None:
        return existing
    endpoint, _secret = actions.webhook_endpoint_create(
        actor=Actor.system("demo", organisation=police),
        url=DEMO_URL,
        description="Police case system (demo: this address never answers)",
        event_types=[INFORMATION_REQUEST_DUE],
    )
    return endpoint
