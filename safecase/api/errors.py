"""Map domain errors to API answers in one place; never a stack trace."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.errors import Conflict, DomainError, NotPermitted


def _record_denial(context: dict[str, Any], exc: Exception) -> None:
    """Every refused API request by a signed-in actor leaves one audit event (security bar Z8)."""
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None or actor.user is None:
        return
    view = context.get("view")
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        subject_type="api",
        subject_id=type(view).__name__ if view is not None else "",
        changes={
            "permission": str(getattr(view, "required_permission", "")),
            "path": request.path[:200] if request is not None else "",
        },
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, (NotPermitted, exceptions.PermissionDenied)):
        _record_denial(context, exc)
    if isinstance(exc, NotPermitted):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        key = exc.field or "detail"
        return Response({key: [exc.message]} if exc.field else {"detail": exc.message}, status=400)
    return drf_exception_handler(exc, context)
