"""404 for missing and forbidden alike, with the forbidden attempt on a record that exists
written to the audit trail (security bar Z8), as ``access.lookups.access_object`` does."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import models
from django.http import Http404

from safecase.access.permissions import Permission
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor

T = TypeVar("T")


def found_or_404(
    actor: Actor,
    model: type[models.Model] | None,
    raw_id: object,
    perm: Permission,
    fetch: Callable[[], T],
) -> T:
    """``fetch()``, or 404; a 404 for a row of ``model`` that exists is recorded as denied."""
    try:
        return fetch()
    except Http404:
        try:
            pk = uuid.UUID(str(raw_id))
        except ValueError:
            pk = None
        if model is not None and pk is not None and model._default_manager.filter(pk=pk).exists():
            recorder.record_in_own_transaction(
                actor=actor,
                action=AuditAction.ACCESS_DENIED,
                outcome=Outcome.DENIED,
                subject_type=model._meta.label_lower,
                subject_id=str(pk),
                changes={"permission": str(perm)},
            )
        raise
