"""API authentication: personal tokens (scoped to one organisation) and verified sessions."""

from __future__ import annotations

import hmac

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from safecase.accounts.models import ApiToken, User, hash_secret
from safecase.accounts.selectors import active_memberships_of, mfa_required
from safecase.core.actors import Actor
from safecase.core.middleware import client_ip

_INVALID = "Invalid or expired token."


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer sc_<prefix>_<secret>``; the actor acts in the token's organisation.

    Roles are read from the membership at every request, so a revoked role or membership stops
    the token at once.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw = header[len(self.keyword) + 1 :].strip()
        parts = raw.split("_", 2)
        if len(parts) != 3 or parts[0] != "sc":
            raise exceptions.AuthenticationFailed(_INVALID)
        token = (
            ApiToken.objects.select_related("user", "organisation").filter(prefix=parts[1]).first()
        )
        if (
            token is None
            or not hmac.compare_digest(token.key_hash, hash_secret(parts[2]))
            or not token.is_usable
            or not token.user.is_active
        ):
            raise exceptions.AuthenticationFailed(_INVALID)
        membership = next(
            (
                m
                for m in active_memberships_of(token.user)
                if m.organisation_id == token.organisation_id
            ),
            None,
        )
        if membership is None:
            raise exceptions.AuthenticationFailed(_INVALID)
        if not token.created_with_mfa and mfa_required(
            token.user, active_memberships_of(token.user)
        ):
            raise exceptions.AuthenticationFailed(
                "This token was created without multi-factor authentication, which your "
                "account now needs. Create a new token after signing in with your authenticator."
            )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        actor = Actor(
            user=token.user,
            organisation=membership.organisation,
            roles=frozenset(r.role for r in membership.roles.all()),
            request_id=getattr(request._request, "request_id", ""),
            ip=client_ip(request._request),
            channel="api",
        )
        request._request.actor = actor  # type: ignore[attr-defined]
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(SessionAuthentication):
    """A browser session, with CSRF, counted only once MFA is done where MFA is required."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not isinstance(user, User):
            return None
        if mfa_required(user, active_memberships_of(user)) and not user.is_verified():  # type: ignore[attr-defined]
            return None
        actor = getattr(request._request, "actor", None)
        if actor is not None:
            request._request.actor = Actor(  # type: ignore[attr-defined]
                user=actor.user,
                organisation=actor.organisation,
                roles=actor.roles,
                request_id=actor.request_id,
                ip=actor.ip,
                channel="api",
            )
        return user, None
