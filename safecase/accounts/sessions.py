"""Ending a user's sessions on the server (called inside actions, which write the audit event)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from safecase.accounts.models import User, UserSession


def end_sessions(user: User, *, keep_session_key: str | None = None) -> int:
    """Delete every session of ``user`` except ``keep_session_key``; returns how many ended."""
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    return len(keys)


def forget_dead_sessions(user: User) -> None:
    """Drop records of sessions that expired or were flushed, so the list shows live ones only."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
