"""Navigation by role, the organisation switcher and the unread notifications count, for the
base layout."""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.core.actors import Actor
from safecase.notifications.selectors import UNREAD_COUNT_LIMIT, KnownUnread, unread_count

# (label, url name, permission): shown to those who hold the permission, in this order.
NAVIGATION: tuple[tuple[str, str, Permission], ...] = (
    ("Home", "web:home", Permission.ACCOUNT_SELF),
    ("Search", "insight:search", Permission.CONCERN_RECORD),
    ("Record a concern", "concerns:new", Permission.CONCERN_RECORD),
    ("Triage queue", "concerns:queue", Permission.CONCERN_TRIAGE),
    ("My concerns and actions", "concerns:mine", Permission.CONCERN_RECORD),
    ("People", "people:list", Permission.PERSON_VIEW),
    ("Cases", "cases:list", Permission.CASE_VIEW),
    ("Caseloads", "cases:caseload", Permission.CASE_VIEW_CASELOAD),
    ("Hub queue", "partnerships:queue", Permission.HUB_MANAGE),
    ("Our information requests", "partnerships:our_requests", Permission.HUB_ANSWER),
    ("Our referrals to the hub", "partnerships:our_referrals", Permission.HUB_REFER),
    ("Known to?", "known_to:index", Permission.KNOWN_TO_CHECK),
    ("Shared with us", "sharing:received", Permission.SHARED_VIEW),
    ("Shares we have given", "sharing:given", Permission.SHARE_GRANT),
    ("Files received", "transfers:inbox", Permission.TRANSFER_RECEIVE),
    ("Files sent", "transfers:outbox", Permission.TRANSFER_SEND),
    ("Members", "accounts:member_list", Permission.ORG_MANAGE_MEMBERS),
    ("Organisation settings", "accounts:organisation_settings", Permission.ORG_MANAGE_SETTINGS),
    ("Safeguarding settings", "concerns:config", Permission.CONCERN_CONFIGURE),
    ("Hub settings", "partnerships:settings", Permission.HUB_CONFIGURE),
    ("Hub timeliness", "partnerships:timeliness", Permission.HUB_REPORT),
    ("Audit trail", "audit:event_list", Permission.AUDIT_VIEW),
    ("Break-glass report", "sharing:break_glass_report", Permission.RECORD_BREAK_GLASS_REVIEW),
    ("Webhooks", "webhooks:list", Permission.WEBHOOK_MANAGE),
    ("API tokens", "api_tokens:list", Permission.TOKEN_MANAGE_OWN),
    ("Your account", "accounts:account", Permission.ACCOUNT_SELF),
)


@lru_cache(maxsize=64)
def _nav_url(url_name: str) -> str:
    """Navigation URLs never change while the process runs: resolve each once, not per page."""
    return reverse(url_name)


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or actor.user is None:
        return {"nav_items": [], "org_switcher": None, "notifications_badge": None}
    items = []
    for label, url_name, perm in NAVIGATION:
        if can(actor, perm):
            url = _nav_url(url_name)
            items.append({"label": label, "url": url, "active": request.path == url})
    memberships = getattr(request, "memberships", [])
    switcher = None
    if actor.organisation is not None:
        switcher = {
            "current": actor.organisation,
            "choices": [m.organisation for m in memberships],
        }
    return {
        "nav_items": items,
        "org_switcher": switcher,
        "notifications_badge": _notifications_badge(
            actor, getattr(request, "unread_notifications", None)
        ),
    }


class NotificationsBadge:
    """The header's "Notifications (N)". Read with the request's memberships (no query of its
    own) unless a notification was written since; otherwise counted lazily, once per request,
    in one indexed query, and only when a template shows it.
    """

    def __init__(self, actor: Actor, known: KnownUnread | None = None) -> None:
        self._actor = actor
        self._known = known

    @cached_property
    def count(self) -> int:
        return unread_count(self._actor, self._known)

    @property
    def label(self) -> str:
        return f"{UNREAD_COUNT_LIMIT}+" if self.count > UNREAD_COUNT_LIMIT else str(self.count)


def _notifications_badge(actor: Actor, known: KnownUnread | None) -> NotificationsBadge | None:
    if actor.organisation is None or not can(actor, Permission.NOTIFICATION_VIEW_OWN):
        return None
    return NotificationsBadge(actor, known)
