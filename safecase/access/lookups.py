"""access_<thing>(actor, id, perm): fetch one record or answer 404, for missing and forbidden alike.

The same answer for both keeps the existence of a child's record secret. A forbidden attempt
on a record that exists is written to the audit trail (security bar Z8).
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.db import models
from django.http import Http404

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.access.scoping import (
    api_tokens_visible_to,
    memberships_visible_to,
)
from safecase.accounts.models import ApiToken, Membership
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor

M = TypeVar("M", bound=models.Model)


def _parse_id(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def access_object(
    actor: Actor,
    scoped: models.QuerySet[M],
    object_id: object,
    perm: Permission,
    *,
    log_view: bool = False,
) -> M:
    """The object with this id from an already-scoped queryset, re-checked by the policy.

    ``log_view`` writes a ``record.viewed`` event: set it for sensitive records (L3 16.3.2).
    """
    pk = _parse_id(object_id)
    obj = scoped.filter(pk=pk).first() if pk is not None else None
    if obj is None or not can(actor, perm, obj):
        model = scoped.model
        if pk is not None and model._default_manager.filter(pk=pk).exists():
            recorder.record_in_own_transaction(
                actor=actor,
                action=AuditAction.ACCESS_DENIED,
                outcome=Outcome.DENIED,
                subject_type=model._meta.label_lower,
                subject_id=str(pk),
                changes={"permission": str(perm)},
            )
        raise Http404
    if log_view:
        recorder.record_in_own_transaction(
            actor=actor, action=AuditAction.RECORD_VIEWED, subject=obj
        )
    return obj


def access_membership(actor: Actor, membership_id: object, perm: Permission) -> Membership:
    return access_object(actor, memberships_visible_to(actor), membership_id, perm)


def access_api_token(actor: Actor, token_id: object, perm: Permission) -> ApiToken:
    return access_object(actor, api_tokens_visible_to(actor), token_id, perm)
