"""The auditor's view of the organisation's trail."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.audit.events import AuditAction, Outcome
from safecase.audit.selectors import audit_event_list
from safecase.core.pagination import keyset_page


@requires(Permission.AUDIT_VIEW)
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action") or None
    page = keyset_page(
        audit_event_list(request.actor, action=action),  # type: ignore[attr-defined]
        key="seq",
        cursor=request.GET.get("before"),
        descending=True,
        parse=int,
    )
    # Resolve the (lazily translated) labels once per page, not once per row.
    labels = {value: str(label) for value, label in AuditAction.choices}
    outcomes = {value: str(label) for value, label in Outcome.choices}
    for event in page.items:
        event.action_label = labels.get(event.action, event.action)  # type: ignore[attr-defined]
        event.outcome_label = outcomes.get(event.outcome, event.outcome)  # type: ignore[attr-defined]
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "actions": list(labels.items()), "action": action or ""},
    )
