"""An account-wide sign-in lockout on top of django-axes' per account-and-address one.

django-axes locks out an (address typed, client IP) pair after ``AXES_FAILURE_LIMIT`` failures.
Someone spreading guesses over many client addresses never trips that, so this handler (set as
``AXES_HANDLER``) also refuses sign-in for an address typed from *any* client once its failures
within the cool-off reach ``SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT`` (higher than the pair limit).

Why a handler and not axes' settings: ``AXES_LOCKOUT_PARAMETERS`` takes several parameter sets
(``[["username", "ip_address"], "username"]``) but compares the largest of their failure counts
with one limit, so adding ``"username"`` would lock any account after five failures from
anywhere. A failure-limit callable still returns one number, and with ``"username"`` as a set,
``AXES_RESET_ON_SUCCESS`` would wipe every address's failures whenever the owner signs in.

The count is axes' own data: the ``failures_since_start`` of every ``AccessAttempt`` row for the
address typed whose ``attempt_time`` lies within the cool-off, the window axes uses for its pairs.

What it must not become:

- **A way to tell accounts apart.** Axes records failures for addresses that belong to nobody
  just as for real ones, so an unknown address is locked after the same number of failures, with
  the same page. A locked sign-in stops in axes' backend before any password is hashed, for
  known and unknown addresses alike (security bar A7).
- **A lock that can be held open.** Requests refused by the account-wide lock are not recorded
  (axes' own lock still counts its refusals), so the lock ends one cool-off after the failure
  that set it, however often anyone keeps trying meanwhile. Someone who knows an address can
  lock it again with another batch of failures: that is the price of an account-wide limit,
  and why it is set well above the per-address one (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

# Set on the request when the account-wide limit (not axes' own) refused it.
ACCOUNT_LOCKED = "safecase_account_locked"


def account_failures(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """Failed sign-ins for the address typed, from every client, within the cool-off."""
    username = get_client_username(request, credentials)
    if not username:
        return 0
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


def _account_limit_reached(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    limit: int = settings.SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT
    return account_failures(request, credentials) >= limit


def _mark_locked_out(request: HttpRequest, credentials: dict[str, Any] | None) -> None:
    """What axes does when its own limit is reached: AxesMiddleware then answers with the
    lockout page, and the sign-in view records the lockout in the audit trail."""
    request.axes_locked_out = True  # type: ignore[attr-defined]
    request.axes_credentials = credentials  # type: ignore[attr-defined]
    user_locked_out.send(
        "axes",
        request=request,
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
    )


class AccountWideLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, plus the account-wide limit."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if _account_limit_reached(request, credentials):
            setattr(request, ACCOUNT_LOCKED, True)
            return True
        return bool(super().is_locked(request, credentials))

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            super().user_login_failed(sender, credentials, request, **kwargs)
            return
        if getattr(request, ACCOUNT_LOCKED, False):
            # Refused before any password was checked. Not recorded, so that trying again
            # during the lock cannot make it last longer than the cool-off.
            _mark_locked_out(request, credentials)
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            not request.axes_locked_out  # type: ignore[attr-defined]
            and not self.is_whitelisted(request, credentials)
            and _account_limit_reached(request, credentials)
        ):
            # This failure reached the account-wide limit: say so now, as axes does for its own.
            _mark_locked_out(request, credentials)
