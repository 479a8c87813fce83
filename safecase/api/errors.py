"""Map domain errors to API answers in one place; never a stack trace."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from safecase.core.errors import Conflict, DomainError, NotPermitted


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotPermitted):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        key = exc.field or "detail"
        return Response({key: [exc.message]} if exc.field else {"detail": exc.message}, status=400)
    return drf_exception_handler(exc, context)
