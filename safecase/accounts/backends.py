"""Sign-in by e-mail address, case-insensitively."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from safecase.accounts.models import User
from safecase.accounts.selectors import session_user


class EmailBackend(ModelBackend):
    """Django's ModelBackend with the address lower-cased.

    ModelBackend hashes the password even for an unknown address, so an unknown address and a
    wrong password take the same time (security bar A7).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = super().authenticate(request, username=username.strip().lower(), password=password)
        if not isinstance(user, User):
            return None
        # Demo accounts have a published password: they sign in only on a demo installation.
        if user.is_demo and not settings.SAFECASE_DEMO:
            return None
        return user

    def get_user(self, user_id: Any) -> User | None:
        """The session's user, on every signed-in request: read with their memberships in one
        query (accounts.selectors.session_user); refused, as by ModelBackend, when inactive."""
        user = session_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
