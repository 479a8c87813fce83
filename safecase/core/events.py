"""Domain events for integrations: what happened, published by actions, delivered elsewhere.

An action calls ``publish()`` inside its own transaction, after its writes and audit event.
Subscribers (the outgoing webhooks, safecase.api.webhooks) run at once, in that transaction,
so what they record (a delivery waiting to be sent) commits or rolls back with the action; any
network I/O they defer with ``transaction.on_commit``. The core knows no subscriber: each one
registers itself from its app's ready().
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The event names an organisation can subscribe to (M5). Never renamed: integrators rely on
# them.
REFERRAL_CREATED = "referral.created"
INFORMATION_REQUEST_DUE = "information_request.due"
INFORMATION_REQUEST_ANSWERED = "information_request.answered"
REFERRAL_DECIDED = "referral.decided"
TRANSFER_RECEIVED = "transfer.received"

EVENT_TYPES: tuple[str, ...] = (
    REFERRAL_CREATED,
    INFORMATION_REQUEST_DUE,
    INFORMATION_REQUEST_ANSWERED,
    REFERRAL_DECIDED,
    TRANSFER_RECEIVED,
)


@dataclass(frozen=True)
class DomainEvent:
    """One event for one organisation: ``payload`` holds identifiers and statuses that
    organisation may see, never narrative (a receiver fetches details through the API, where
    the access policy applies)."""

    organisation_id: uuid.UUID
    event_type: str
    payload: Mapping[str, Any] = field(default_factory=dict)


Subscriber = Callable[[DomainEvent], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(*, organisation_id: uuid.UUID, event_type: str, payload: Mapping[str, Any]) -> None:
    """Tell every subscriber; call inside the action's transaction (see the module's note)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}.")
    event = DomainEvent(organisation_id=organisation_id, event_type=event_type, payload=payload)
    for subscriber in list(_subscribers):
        subscriber(event)
