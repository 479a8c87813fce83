"""Reading the audit trail: only the actor's organisation's chain, newest first, by keyset."""

from __future__ import annotations

from django.db.models import QuerySet

from safecase.access import scoping
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor


def audit_event_list(actor: Actor, *, action: str | None = None) -> QuerySet[AuditEvent]:
    events = scoping.audit_events_visible_to(actor)
    if action and action in AuditAction.values:
        events = events.filter(action=action)
    return events
