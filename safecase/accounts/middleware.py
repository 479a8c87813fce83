"""Per-request account handling: session lifetime, the Actor, and the MFA gate."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecase.accounts.models import User, UserSession
from safecase.accounts.selectors import READ_WITH_USER, memberships_for_request, mfa_required
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.middleware import client_ip
from safecase.notifications import selectors as notification_selectors

SESSION_STARTED = "sc_started"
SESSION_SEEN = "sc_seen"
SESSION_ORG = "sc_organisation"
# Write "last seen" at most once a minute, so reading pages does not write on every request.
_SEEN_RESOLUTION = 60


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionLifetimeMiddleware:
    """Ends a session after the idle timeout or the absolute lifetime, on the server side."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            # A session without our timestamps was not made by our sign-in: treat it as expired.
            started = int(request.session.get(SESSION_STARTED, 0))
            seen = int(request.session.get(SESSION_SEEN, 0))
            if (
                now - seen > settings.SAFECASE_SESSION_IDLE_SECONDS
                or now - started > settings.SAFECASE_SESSION_ABSOLUTE_SECONDS
            ):
                actor = Actor(
                    user=user,  # type: ignore[arg-type]
                    organisation=None,
                    request_id=request.request_id,  # type: ignore[attr-defined]
                    ip=client_ip(request),
                )
                recorder.record_in_own_transaction(
                    actor=actor, action=AuditAction.AUTH_SESSION_EXPIRED
                )
                logout(request)
                if _is_api(request):
                    return JsonResponse({"detail": "Your session has expired."}, status=401)
                messages.info(request, "Your session timed out. Sign in again to continue.")
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if now - seen >= _SEEN_RESOLUTION:
                request.session[SESSION_SEEN] = now
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    last_seen_at=timezone.now()
                )
        return self.get_response(request)


class ActorMiddleware:
    """Builds request.actor from the signed-in user and their current organisation.

    Memberships and roles are read from the database on every request, so a revoked role or a
    deactivated membership takes effect at once (security bar Z6).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []  # type: ignore[attr-defined]
        user = request.user
        organisation = None
        roles: frozenset[str] = frozenset()
        if user.is_authenticated and isinstance(user, User):
            # Read with the user by the authentication backend (accounts.selectors.session_user),
            # else now; with the header's unread count (web.context_processors).
            read = getattr(user, READ_WITH_USER, None) or memberships_for_request(user)
            memberships = read.memberships
            request.memberships = memberships  # type: ignore[attr-defined]
            wanted = request.session.get(SESSION_ORG)
            current = next((m for m in memberships if str(m.organisation_id) == wanted), None)
            if current is None and memberships:
                current = memberships[0]
                request.session[SESSION_ORG] = str(current.organisation_id)
            if current is not None:
                organisation = current.organisation
                roles = frozenset(r.role for r in current.roles.all())
                request.unread_notifications = notification_selectors.KnownUnread(  # type: ignore[attr-defined]
                    organisation_id=current.organisation_id,
                    count=current.unread_notifications,  # type: ignore[attr-defined]
                    writes=read.notification_writes,
                )
        request.actor = Actor(  # type: ignore[attr-defined]
            user=user if isinstance(user, User) else None,
            organisation=organisation,
            roles=roles,
            request_id=request.request_id,  # type: ignore[attr-defined]
            ip=client_ip(request),
        )
        return self.get_response(request)


# Pages a signed-in user can reach before completing MFA.
_MFA_OPEN_URL_NAMES = frozenset(
    {"accounts:mfa_verify", "accounts:mfa_enrol", "accounts:logout", "accounts:login"}
)


class MfaRequiredMiddleware:
    """Sends a signed-in user who must use MFA to enrol or verify before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not user.is_verified()  # type: ignore[attr-defined]
            and mfa_required(user, request.memberships)  # type: ignore[attr-defined]
            and not request.path.startswith("/static/")
            and not self._is_open(request)
        ):
            if _is_api(request):
                return JsonResponse(
                    {"detail": "Multi-factor authentication is required."}, status=401
                )
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return redirect("accounts:mfa_verify")
            return redirect("accounts:mfa_enrol")
        return self.get_response(request)

    @staticmethod
    def _is_open(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in _MFA_OPEN_URL_NAMES
