"""Writing audit events: called by actions and access lookups, inside their transaction."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from safecase.audit.events import AuditAction, Outcome
from safecase.audit.models import GLOBAL_CHAIN, AuditEvent, ChainHead
from safecase.core.actors import Actor

GENESIS_HASH = "0" * 64
# Stored instead of a sensitive value, so the trail shows that it changed but not what to.
CHANGED = "[changed]"

# The fields covered by the hash, in a fixed list so that adding a column never silently
# changes what earlier hashes meant.
HASHED_FIELDS = (
    "chain",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "roles",
    "action",
    "outcome",
    "subject_type",
    "subject_id",
    "reason",
    "request_id",
    "ip",
    "channel",
    "changes",
)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """sha256(prev_hash || canonical JSON of the hashed fields)."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["occurred_at"] = fields["occurred_at"].isoformat(timespec="microseconds")
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()


def _plain_json(changes: dict[str, Any]) -> dict[str, Any]:
    """Make changes JSON-native now, so the stored value is exactly the hashed value."""
    result: dict[str, Any] = json.loads(json.dumps(changes, cls=DjangoJSONEncoder))
    return result


def _lock_head(chain: str) -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        # A savepoint, so a concurrent creator's win does not spoil the caller's transaction.
        with transaction.atomic():
            ChainHead.objects.create(chain=chain, seq=0, hash=GENESIS_HASH)
    except IntegrityError:
        pass
    return ChainHead.objects.select_for_update().get(chain=chain)


def record(
    *,
    actor: Actor,
    action: AuditAction,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str = "",
    outcome: Outcome = Outcome.SUCCESS,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    organisation_id: Any = None,
) -> AuditEvent:
    """Append one event to the organisation's chain, inside the caller's transaction.

    Raises RuntimeError when called outside a transaction: an audit row must commit or roll back
    together with the change it describes.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    if subject is not None:
        subject_type = subject._meta.label_lower
        subject_id = str(subject.pk)
    org_id = organisation_id if organisation_id is not None else actor.organisation_id
    chain = str(org_id) if org_id else GLOBAL_CHAIN
    head = _lock_head(chain)
    fields: dict[str, Any] = {
        "chain": chain,
        "seq": head.seq + 1,
        "occurred_at": timezone.now(),
        "actor_id": str(actor.user.pk) if actor.user is not None else "",
        "actor_label": actor.label[:300],
        "organisation_id": str(org_id) if org_id else "",
        "roles": ",".join(sorted(actor.roles))[:300],
        "action": str(action),
        "outcome": str(outcome),
        "subject_type": subject_type[:64],
        "subject_id": subject_id[:64],
        "reason": reason,
        "request_id": actor.request_id[:64],
        "ip": (actor.ip or "")[:45],
        "channel": actor.channel,
        "changes": _plain_json(changes or {}),
    }
    fields["prev_hash"] = head.hash
    fields["hash"] = event_hash(head.hash, fields)
    event = AuditEvent.objects.create(**fields)
    ChainHead.objects.filter(chain=chain).update(seq=fields["seq"], hash=fields["hash"])
    return event


def record_in_own_transaction(**kwargs: Any) -> AuditEvent:
    """For events with no other change to ride on (a failed sign-in, an access denial).

    Durable: it must commit on its own, even if an error is raised straight afterwards; calling
    it inside another transaction fails loudly instead of being rolled back with it."""
    with transaction.atomic(durable=True):
        return record(**kwargs)
