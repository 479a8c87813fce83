"""Step-up re-authentication before an export (security bar A5, ASVS 7.5.3).

A view wrapped in ``@requires_recent_step_up`` runs only if this session entered a current code
from its authenticator app within the last ``SAFECASE_STEP_UP_MINUTES``; otherwise the user is
sent to the step-up page, which asks for one and brings them back. Why, and what counts as an
export: docs/adr/0007-step-up-before-export.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from safecase.accounts.models import User
from safecase.accounts.selectors import active_memberships_of, mfa_required

V = TypeVar("V", bound=Callable[..., HttpResponse])

# When this session last proved its authenticator (Unix seconds): at sign-in with a TOTP code,
# at enrolment, or on the step-up page. Never set by a recovery code.
SESSION_STEP_UP = "sc_step_up_at"
_MAX_NEXT_LENGTH = 2000


def mark_stepped_up(session: SessionBase) -> None:
    session[SESSION_STEP_UP] = int(time.time())


def step_up_needed(request: HttpRequest) -> bool:
    """Whether this request must step up first.

    Exactly the users the MFA gate asks for a second factor must step up; the others (demo
    personas while ``SAFECASE_DEMO=1``, reporters whose organisation does not ask for MFA)
    skip it, as they skip the gate.
    """
    user = request.user
    if not isinstance(user, User):
        return True
    memberships = getattr(request, "memberships", None)
    if memberships is None:
        memberships = active_memberships_of(user)
    if not mfa_required(user, memberships):
        return False
    at = request.session.get(SESSION_STEP_UP)
    if not isinstance(at, int):
        return True
    age = int(time.time()) - at
    # A timestamp in the future is not trusted either.
    return not 0 <= age <= settings.SAFECASE_STEP_UP_SECONDS


def safe_next_path(value: str | None) -> str | None:
    """``value`` if it is a path on this site (``/people/…``), else None.

    Only relative paths: no scheme, no host, no ``//host`` or ``/\\host`` (which browsers
    read as another site), no control characters.
    """
    if not value or len(value) > _MAX_NEXT_LENGTH:
        return None
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=set()):
        return None
    return value


def step_up_url(next_path: str | None) -> str:
    url = reverse("accounts:step_up")
    safe = safe_next_path(next_path)
    return f"{url}?{urlencode({'next': safe})}" if safe else url


def requires_recent_step_up(view: V) -> V:
    """Send the user to the step-up page unless this session stepped up within the window.

    Put it under ``@requires(...)``, so that people without the permission get their 403
    first. Meant for GET views (downloads): the user comes back to the same address.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if step_up_needed(request):
            back = request.get_full_path() if request.method in ("GET", "HEAD") else None
            return redirect(step_up_url(back))
        return view(request, *args, **kwargs)

    guarded.safecase_step_up = True  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]
