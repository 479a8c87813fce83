"""DRF permission classes delegating to the same policy as the web views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # importing these at run time would be circular (DRF reads this module early)
    from rest_framework.request import Request
    from rest_framework.views import APIView

from safecase.access.policy import can


class DenyUndeclared(BasePermission):
    """The default: an API view that declares no ``required_permission`` serves nobody."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        perm = getattr(view, "required_permission", None)
        actor = getattr(request, "actor", None)
        if perm is None or actor is None:
            return False
        return can(actor, perm)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return can(request.actor, view.required_permission, obj)  # type: ignore[attr-defined]
