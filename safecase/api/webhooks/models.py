"""Outgoing webhooks (issue 5, M5 model 3): where an organisation wants to be told that something
happened, and the log of every delivery made to it.

Both belong to one organisation and are seen and managed only by its administrators
(``webhook.manage``); another organisation's endpoints and deliveries are 404 to everyone else.
Nothing here holds case narrative: a delivery's payload carries identifiers and statuses only
(safecase.core.events), and a receiver fetches details through the API, where the policy applies.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from safecase.core.models import BaseModel


class WebhookEndpoint(BaseModel):
    """A URL of the organisation's own systems, told about the event types it subscribed to.

    The signing secret is generated here, shown once (at creation and at each rotation) and kept
    only encrypted (safecase.core.crypto, bound to this endpoint): it must be readable to sign
    each delivery, so it cannot be hashed like an API token. It is never logged nor audited.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    # Names from safecase.core.events.EVENT_TYPES (checked by the actions).
    event_types = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    secret_encrypted = models.BinaryField(editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            # The subscriber's lookup on every published event; the settings list.
            models.Index(fields=["organisation", "is_active"], name="webhook_ep_org_active"),
            models.Index(fields=["organisation", "-created_at", "id"], name="webhook_ep_org_list"),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.url).hostname or ""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed, will retry"
    GIVEN_UP = "given_up", "Given up"


class WebhookDelivery(BaseModel):
    """One event for one endpoint, and how sending it went: the outbox row written in the
    transaction of the action that published the event (so nothing is lost if the process dies
    before it is sent), then updated by the sender after each attempt.

    ``event_id`` is the ``webhook-id`` a receiver deduplicates on: the same on every retry and on
    a re-delivery a person asks for (which is a new row pointing at the first). ``last_error``
    is short and never holds the secret, a signature or more than a few hundred characters of
    the receiver's answer. Seen by the organisation's administrators, in the endpoint's log.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the sender may next try; while one attempt runs it holds the claim's expiry.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    succeeded_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="redeliveries"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            # The sender's query: what is due now, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="webhook_dl_due"),
            # The delivery log of one endpoint, newest first (keyset pages).
            models.Index(fields=["endpoint", "-created_at", "id"], name="webhook_dl_log"),
            models.Index(fields=["organisation", "event_id"], name="webhook_dl_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"

    @property
    def is_done(self) -> bool:
        return self.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.GIVEN_UP)
