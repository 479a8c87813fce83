"""The outbox and the sender: deliveries written with the event, sent after commit, retried.

``on_event`` is subscribed to safecase.core.events from the app's ready(): inside the publishing
action's transaction it writes one pending delivery per active endpoint of that organisation
subscribed to the event type, and asks for them to be sent once (and only if) the transaction
commits. The rows are the outbox: if the process dies before sending, ``manage.py
webhooks_deliver`` (or the next task) finds them due and sends them.

Sending is not an action (ADR 0018): it writes no audit event, as an attempt is the system's
routine work, recorded in the delivery itself (attempts, last answer, status). Each attempt first
claims the row with a conditional UPDATE, so two workers never send the same attempt twice, and
sends with no transaction open.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from safecase.api.webhooks import egress, signing
from safecase.api.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from safecase.core import crypto
from safecase.core.events import DomainEvent

logger = logging.getLogger(__name__)

PING_EVENT = "webhook.ping"
# Seconds to wait after each failed attempt: 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then give up
# (seven attempts over about 20 hours and 36 minutes). SAFECASE_WEBHOOK_RETRY_SCHEDULE overrides.
DEFAULT_RETRY_SCHEDULE: tuple[int, ...] = (60, 300, 1800, 7200, 21600, 43200)
# Each wait is stretched or shortened by up to this fraction, so that many receivers coming back
# at once are not all retried in the same second.
JITTER = 0.1
# How long one attempt holds its claim: longer than any attempt can take (connect + read).
CLAIM_SECONDS = 120
DUE_BATCH = 100


# --- The secret -----------------------------------------------------------------------------


def _aad(endpoint_id: uuid.UUID) -> bytes:
    return f"webhooks.endpoint:{endpoint_id}:secret".encode()


def seal_secret(endpoint_id: uuid.UUID, secret: str) -> bytes:
    return crypto.encrypt(signing.secret_key(secret), aad=_aad(endpoint_id))


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    key = crypto.decrypt(bytes(endpoint.secret_encrypted), aad=_aad(endpoint.pk))
    return signing.SECRET_PREFIX + base64.b64encode(key).decode("ascii")


# --- The outbox -----------------------------------------------------------------------------


def retry_schedule() -> tuple[int, ...]:
    raw = getattr(settings, "SAFECASE_WEBHOOK_RETRY_SCHEDULE", None)
    return tuple(int(s) for s in raw) if raw else DEFAULT_RETRY_SCHEDULE


def max_attempts() -> int:
    return len(retry_schedule()) + 1


def _enqueue_after_commit(delivery_ids: Sequence[uuid.UUID]) -> None:
    from safecase.api.webhooks.tasks import deliver_webhook

    def send() -> None:
        for delivery_id in delivery_ids:
            try:
                deliver_webhook.enqueue(delivery_id=str(delivery_id))
            except Exception:  # a task backend that is down must not fail the committed action
                logger.exception("Webhook delivery %s: could not queue it", delivery_id)

    transaction.on_commit(send)


def on_event(event: DomainEvent) -> None:
    """The subscriber: one pending delivery per active endpoint subscribed to the event type."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(
            organisation_id=event.organisation_id, is_active=True
        ).only("pk", "organisation_id", "event_types")
        if event.event_type in (e.event_types or [])
    ]
    if not endpoints:
        return
    now = timezone.now()
    payload = json.loads(json.dumps(dict(event.payload), default=str))
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                organisation_id=event.organisation_id,
                endpoint=endpoint,
                event_type=event.event_type,
                payload=payload,
                occurred_at=now,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    _enqueue_after_commit([d.pk for d in deliveries])


def queue(
    *,
    endpoint: WebhookEndpoint,
    event_type: str,
    payload: dict[str, Any],
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
    redelivery_of: WebhookDelivery | None = None,
    requested_by: Any = None,
) -> WebhookDelivery:
    """One delivery to one endpoint (a ping, a re-delivery), inside the caller's transaction."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        organisation_id=endpoint.organisation_id,
        endpoint=endpoint,
        event_id=event_id or uuid.uuid4(),
        event_type=event_type,
        payload=payload,
        occurred_at=occurred_at or now,
        next_attempt_at=now,
        redelivery_of=redelivery_of,
        requested_by=requested_by,
    )
    _enqueue_after_commit([delivery.pk])
    return delivery


# --- Sending --------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """The request body: the same bytes on every attempt and every re-delivery of the event."""
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event_type,
        "created": delivery.occurred_at.isoformat().replace("+00:00", "Z"),
        "organisation": str(delivery.organisation_id),
        "data": delivery.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def next_wait(attempts: int, *, rng: random.Random | None = None) -> timedelta | None:
    """How long after failed attempt number ``attempts`` to try again; None: give up."""
    schedule = retry_schedule()
    if attempts > len(schedule):
        return None
    base = schedule[attempts - 1]
    spread = (rng or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=base * (1 + spread))


def _redact(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _claim(delivery_id: uuid.UUID, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(
        Q(pk=delivery_id),
        Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED)),
        Q(next_attempt_at__lte=now),
    ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    if claimed != 1:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _send(
    delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime
) -> tuple[egress.Answer, list[str]]:
    """Sign and POST; also what must never be stored from the answer (secret, signature)."""
    try:
        secret = endpoint_secret(endpoint)
    except (crypto.DecryptionError, crypto.KeyConfigurationError):
        # Its key was removed from SAFECASE_FILE_KEYS: nothing can be signed until an
        # administrator rotates the secret. A failed attempt, retried as usual.
        return egress.Answer(None, "signing secret unreadable: rotate the endpoint's secret"), []
    body = body_of(delivery)
    headers = signing.signed_headers(
        secret=secret, msg_id=str(delivery.event_id), timestamp=int(now.timestamp()), body=body
    )
    answer = egress.post(endpoint.url, body=body, headers=headers)
    signature = headers["webhook-signature"]
    return answer, [
        secret,
        secret.removeprefix(signing.SECRET_PREFIX),
        signature,
        signature.partition(",")[2],
    ]


def attempt(
    delivery_id: uuid.UUID | str, *, now: datetime | None = None, rng: random.Random | None = None
) -> WebhookDelivery | None:
    """Send one due delivery once and record the answer; None when it is not due (or another
    worker holds it). ``now`` lets the tests drive the clock through the retry schedule."""
    now = now or timezone.now()
    delivery = _claim(uuid.UUID(str(delivery_id)), now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    number = delivery.attempts + 1
    if endpoint.is_active:
        answer, redactions = _send(delivery, endpoint, now)
    else:
        answer, redactions = egress.Answer(None, "endpoint deactivated"), []
        number = max_attempts()  # nothing more is tried for a deactivated endpoint
    ok = answer.status is not None and 200 <= answer.status < 300
    wait = None if ok else next_wait(number, rng=rng)
    if ok:
        status, next_at = DeliveryStatus.SUCCEEDED, None
    elif wait is None:
        status, next_at = DeliveryStatus.GIVEN_UP, None
    else:
        status, next_at = DeliveryStatus.FAILED, now + wait
    error = answer.error
    if answer.excerpt:
        error = f"{error}: {answer.excerpt}"
    error = _redact(error, *redactions)[:300]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=F("attempts") + 1,
        next_attempt_at=next_at,
        last_attempt_at=now,
        last_response_status=answer.status,
        last_error=error,
        succeeded_at=now if ok else None,
        updated_at=timezone.now(),
    )
    logger.info(
        "Webhook delivery %s (%s) to %s: attempt %d, %s%s",
        delivery.pk,
        delivery.event_type,
        endpoint.host,
        delivery.attempts + 1,
        status,
        f" ({answer.error})" if answer.error else "",
    )
    delivery.refresh_from_db()
    return delivery


def due(now: datetime | None = None, *, limit: int = DUE_BATCH) -> list[uuid.UUID]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED), next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(
    now: datetime | None = None, *, limit: int = DUE_BATCH, rng: random.Random | None = None
) -> list[WebhookDelivery]:
    """Send every delivery due at ``now`` (at most ``limit``), once each.

    Without ``now`` each attempt claims its row at the real time it starts, so a claim never
    starts out already expired behind a long batch (the tests pass ``now`` to move the clock).
    """
    sent = []
    for delivery_id in due(now or timezone.now(), limit=limit):
        done = attempt(delivery_id, now=now, rng=rng)
        if done is not None:
            sent.append(done)
    return sent
