"""Every view says who may use it: @requires(permission) or, for sign-in and public pages, @public.

tests/test_every_view_is_guarded.py walks the URL resolver and fails on any view with neither.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome

V = TypeVar("V", bound=Callable[..., HttpResponse])


def forbidden(request: HttpRequest, perm: Permission) -> HttpResponse:
    """Record the denial and answer 403 (for pages; records answer 404 through access_*)."""
    recorder.record_in_own_transaction(
        actor=request.actor,  # type: ignore[attr-defined]
        action=AuditAction.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        subject_type="view",
        subject_id=request.resolver_match.view_name if request.resolver_match else "",
        changes={"permission": str(perm), "path": request.path[:200]},
    )
    return render(request, "web/403.html", status=403)


def requires(perm: Permission) -> Callable[[V], V]:
    def decorator(view: V) -> V:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.actor, perm):  # type: ignore[attr-defined]
                return forbidden(request, perm)
            return view(request, *args, **kwargs)

        guarded.safecase_permission = perm  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorator


def public(view: V) -> V:
    """A page anyone may open without signing in (sign-in, password reset, health check)."""
    view = login_not_required(view)
    view.safecase_public = True  # type: ignore[attr-defined]
    return view
