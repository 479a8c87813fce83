"""The member's notifications: a list, newest first (or unread only), and marking them read.

Marking read is a POST with the CSRF token; the pages work without JavaScript.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.notifications import actions, selectors

UNREAD = "unread"


def _list_url(show: str) -> str:
    url = reverse("notifications:list")
    return f"{url}?show={UNREAD}" if show == UNREAD else url


def _moment(raw: str) -> datetime | None:
    try:
        moment = parse_datetime(raw)
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    try:
        moment.astimezone(UTC)  # year 1 in a zone east of UTC cannot be stored
    except OverflowError:
        return None
    return moment


@requires(Permission.NOTIFICATION_VIEW_OWN)
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    show = UNREAD if request.GET.get("show") == UNREAD else ""
    page = selectors.notification_page(
        actor, unread_only=show == UNREAD, cursor=request.GET.get("after") or None
    )
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "show": show, "shown_at": timezone.now().isoformat()},
    )


@requires(Permission.NOTIFICATION_VIEW_OWN)
@require_POST
def notification_read(request: HttpRequest, notification_id: uuid.UUID) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    notification = selectors.access_notification(actor, notification_id)
    actions.notification_mark_read(actor=actor, notification=notification)
    return HttpResponseRedirect(_list_url(request.POST.get("show", "")))


@requires(Permission.NOTIFICATION_VIEW_OWN)
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actions.notification_mark_all_read(actor=actor, up_to=_moment(request.POST.get("shown_at", "")))
    return HttpResponseRedirect(_list_url(request.POST.get("show", "")))
