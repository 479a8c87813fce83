"""Sign-in, sign-out, multi-factor authentication, sessions and API tokens, each audited."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.access.scoping import organisations_visible_to
from safecase.accounts.models import (
    ApiToken,
    Organisation,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
    UserSession,
    hash_secret,
)
from safecase.accounts.sessions import end_sessions, forget_dead_sessions
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor
from safecase.core.errors import DomainError, NotPermitted

RECOVERY_CODE_COUNT = 10
TOKEN_PREFIX = "sc"  # noqa: S105 - the public prefix of every token


@transaction.atomic(durable=True)
def auth_login_succeeded(*, actor: Actor, session_key: str, user_agent: str) -> None:
    """Remember the new session (for listing and ending it) and record the sign-in."""
    assert actor.user is not None
    forget_dead_sessions(actor.user)
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": actor.user, "ip": actor.ip, "user_agent": user_agent[:200]},
    )
    recorder.record(actor=actor, action=AuditAction.AUTH_LOGIN, subject=actor.user)


@transaction.atomic(durable=True)
def auth_login_failed(*, actor: Actor, email: str, locked_out: bool) -> None:
    """Record a refused sign-in. The address is kept as typed (truncated), never the password.

    Recorded in the global chain: the address may belong to nobody, and an organisation's
    chain must not reveal that.
    """
    recorder.record(
        actor=actor,
        action=AuditAction.AUTH_LOCKOUT if locked_out else AuditAction.AUTH_LOGIN_FAILED,
        outcome=Outcome.DENIED,
        subject_type="accounts.user",
        subject_id=email.strip().lower()[:64],
    )


@transaction.atomic(durable=True)
def auth_logout(*, actor: Actor, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
    recorder.record(actor=actor, action=AuditAction.AUTH_LOGOUT, subject=actor.user)


@transaction.atomic(durable=True)
def auth_password_set(
    *, actor: Actor, user: User, new_password: str, keep_session_key: str | None, reset: bool
) -> None:
    """Set a new password (already validated by the form), end every other session of the user,
    and record it, all in one transaction.

    Only the user themselves: signed in (changing it, with the current password) or identified
    by the reset link (the reset view acts as the user the link belongs to). Nobody sets
    another person's password; an administrator resets MFA or deactivates instead."""
    require(actor, Permission.ACCOUNT_SELF, user)
    if actor.user is None or actor.user.pk != user.pk:  # a system actor included
        raise NotPermitted("You can only set your own password.")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = end_sessions(user, keep_session_key=keep_session_key)
    recorder.record(
        actor=actor,
        action=AuditAction.AUTH_PASSWORD_RESET if reset else AuditAction.AUTH_PASSWORD_CHANGED,
        subject=user,
        changes={"password": recorder.CHANGED, "other_sessions_ended": ended},
    )


@transaction.atomic(durable=True)
def auth_password_reset_requested(*, actor: Actor) -> None:
    """Record that someone asked for a reset link (global chain: the address may be unknown)."""
    recorder.record(actor=actor, action=AuditAction.AUTH_PASSWORD_RESET_REQUESTED)


@transaction.atomic(durable=True)
def user_end_other_sessions(*, actor: Actor, keep_session_key: str | None) -> int:
    """A user ends their own sessions on other devices."""
    require(actor, Permission.ACCOUNT_SELF)
    assert actor.user is not None
    ended = end_sessions(actor.user, keep_session_key=keep_session_key)
    recorder.record(
        actor=actor,
        action=AuditAction.AUTH_SESSIONS_ENDED,
        subject=actor.user,
        changes={"sessions_ended": ended},
    )
    return ended


def new_totp_secret() -> str:
    """A fresh authenticator secret (hex). Kept in the enrolling session only, never in the
    database until confirmed, so no other session can read a secret someone is setting up."""
    return str(random_hex(20))


def totp_matches(key_hex: str, token: str) -> int | None:
    """The time step a code matches (drift of one step either way), or None."""
    token = token.strip().replace(" ", "")
    if not token.isdigit() or len(token) != 6:
        return None
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0)
    for offset in (0, -1, 1):
        totp.drift = offset
        if hmac.compare_digest(f"{totp.token():06d}", token):
            return int(totp.t())
    return None


@transaction.atomic(durable=True)
def mfa_enrol_confirm(*, actor: Actor, key_hex: str, token: str) -> list[str] | None:
    """Save the authenticator if the code from it is right; returns new recovery codes, shown
    once. A wrong code returns None, and the failure is recorded (this transaction commits)."""
    require(actor, Permission.ACCOUNT_SELF)
    assert actor.user is not None
    step = totp_matches(key_hex, token)
    if step is None:
        recorder.record(actor=actor, action=AuditAction.MFA_FAILED, outcome=Outcome.DENIED)
        return None
    TOTPDevice.objects.filter(user=actor.user).delete()
    TOTPDevice.objects.create(
        user=actor.user, name="Authenticator app", key=key_hex, confirmed=True, last_t=step
    )
    codes = _replace_recovery_codes(actor.user)
    recorder.record(actor=actor, action=AuditAction.MFA_ENROLLED, subject=actor.user)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    holder = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    # 128 random bits each, so a fast hash is enough (docs/adr/0004).
    codes = [secrets.token_hex(16) for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=holder, code_hash=hash_secret(code)) for code in codes
    )
    return ["-".join(code[i : i + 8] for i in range(0, 32, 8)) for code in codes]


@transaction.atomic(durable=True)
def mfa_verify(*, actor: Actor, token: str) -> TOTPDevice | RecoveryCodeDevice | None:
    """Check a code (authenticator or recovery) and record the attempt, in one transaction.

    The devices are locked while checked, so the same code sent twice at once is accepted once
    (django-otp's replay guard reads and writes ``last_t`` without a lock of its own).
    """
    require(actor, Permission.ACCOUNT_SELF)
    assert actor.user is not None
    matched: TOTPDevice | RecoveryCodeDevice | None = None
    devices = [
        *TOTPDevice.objects.select_for_update().filter(user=actor.user, confirmed=True),
        *RecoveryCodeDevice.objects.select_for_update().filter(user=actor.user, confirmed=True),
    ]
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(token.strip()):
            matched = device
            break
    _record_mfa_attempt(
        actor=actor, recovery=isinstance(matched, RecoveryCodeDevice), succeeded=matched is not None
    )
    return matched


def _record_mfa_attempt(*, actor: Actor, recovery: bool, succeeded: bool) -> None:
    """Record a second-factor attempt at sign-in."""
    if not succeeded:
        action = AuditAction.MFA_FAILED
    else:
        action = AuditAction.MFA_RECOVERY_USED if recovery else AuditAction.MFA_VERIFIED
    recorder.record(
        actor=actor,
        action=action,
        subject=actor.user,
        outcome=Outcome.SUCCESS if succeeded else Outcome.DENIED,
    )


@transaction.atomic(durable=True)
def mfa_step_up(*, actor: Actor, token: str, purpose: str) -> TOTPDevice | None:
    """Check a fresh code from the user's authenticator app before an export (security bar A5)
    and record the attempt, accepted or refused, in one transaction.

    Only the confirmed TOTP device counts: recovery codes are refused here (docs/adr/0007).
    A wrong code counts toward the device's django-otp throttle, the same one sign-in uses,
    and a throttled device refuses even the right code until its delay has passed. The device
    is locked while checked, so one code sent twice at once is accepted once. ``purpose`` is
    the page the user is stepping up for (a path on this site), kept in the event.
    """
    require(actor, Permission.ACCOUNT_SELF)
    assert actor.user is not None
    matched: TOTPDevice | None = None
    throttled = False
    for device in TOTPDevice.objects.select_for_update().filter(user=actor.user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        throttled = throttled or not allowed
        if allowed and device.verify_token(token.strip().replace(" ", "")):
            matched = device
            break
    changes: dict[str, object] = {"for": purpose[:200]}
    if matched is None and throttled:
        changes["throttled"] = True
    recorder.record(
        actor=actor,
        action=AuditAction.MFA_STEP_UP if matched else AuditAction.MFA_STEP_UP_FAILED,
        subject=actor.user,
        outcome=Outcome.SUCCESS if matched else Outcome.DENIED,
        changes=changes,
    )
    return matched


@transaction.atomic(durable=True)
def organisation_switch(*, actor: Actor, organisation: Organisation) -> None:
    """Record a switch of the organisation the user acts in (the session is set by the view).

    Refused unless the user is an active member of that organisation and it is active."""
    require(actor, Permission.ACCOUNT_SELF)
    if not organisations_visible_to(actor).filter(pk=organisation.pk).exists():
        raise NotPermitted("You are not a member of that organisation.")
    recorder.record(
        actor=actor,
        action=AuditAction.ORG_SWITCHED,
        subject=organisation,
        organisation_id=organisation.pk,
    )


@transaction.atomic(durable=True)
def api_token_create(*, actor: Actor, name: str, days: int, with_mfa: bool) -> tuple[ApiToken, str]:
    """Create a personal API token for the current organisation; the secret is returned once.

    ``with_mfa`` says whether the session creating it had passed its second factor."""
    require(actor, Permission.TOKEN_MANAGE_OWN)
    assert actor.user is not None and actor.organisation is not None
    if not name.strip():
        raise DomainError("Give the token a name, so you can recognise it later.", field="name")
    if not 1 <= days <= settings.SAFECASE_API_TOKEN_MAX_DAYS:
        raise DomainError(
            f"A token must expire in 1 to {settings.SAFECASE_API_TOKEN_MAX_DAYS} days.",
            field="days",
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor.user,
        organisation=actor.organisation,
        name=name.strip()[:100],
        prefix=prefix,
        key_hash=hash_secret(secret),
        expires_at=timezone.now() + timedelta(days=days),
        created_with_mfa=with_mfa,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.TOKEN_CREATED,
        subject=token,
        changes={"name": token.name, "expires_at": token.expires_at},
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic(durable=True)
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    require(actor, Permission.TOKEN_MANAGE_OWN)
    if token.user_id != (actor.user.pk if actor.user else None):
        raise DomainError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        recorder.record(actor=actor, action=AuditAction.TOKEN_REVOKED, subject=token)
    return token
