"""Home pages by role, and the health check."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from safecase.access.decorators import public, requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.access.roles import Role
from safecase.accounts.models import Membership
from safecase.cases.parts import home_panels
from safecase.concerns import selectors as concern_selectors
from safecase.concerns.choices import ActionStatus
from safecase.concerns.models import ConcernAction


@requires(Permission.ACCOUNT_SELF)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What each role needs first. Panels appear by permission, so a person with several roles
    sees each of their panels."""
    actor = request.actor  # type: ignore[attr-defined]
    panels = {
        perm.name.lower(): can(actor, perm)
        for perm in (
            Permission.CONCERN_RECORD,
            Permission.CONCERN_TRIAGE,
            Permission.CASE_VIEW,
            Permission.SHARED_VIEW,
            Permission.ORG_MANAGE_MEMBERS,
            Permission.AUDIT_VIEW,
            Permission.CASE_SUPERVISE,
            Permission.CASE_DECIDE,
        )
    }
    member_count = None
    if panels["org_manage_members"]:
        member_count = Membership.objects.filter(
            organisation_id=actor.organisation_id, is_active=True
        ).count()
    role_labels = [Role(r).label for r in sorted(actor.roles)]
    work: dict[str, int] = {}
    if panels["concern_triage"]:
        # Both counts in one pass over the queue (the overdue ones are among the waiting).
        late = concern_selectors.overdue_before(actor.organisation_id)
        work.update(
            concern_selectors.triage_queue(actor).aggregate(
                waiting=Count("*"),
                overdue=Count("pk", filter=Q(triaged_at__isnull=True, submitted_at__lt=late)),
            )
        )
        work["alerts"] = len(concern_selectors.open_alerts(actor))
        work["overdue_actions"] = ConcernAction.objects.filter(
            organisation_id=actor.organisation_id,
            status=ActionStatus.OPEN,
            due_on__lt=timezone.localdate(),
        ).count()
    if panels["concern_record"]:
        work["my_actions"] = concern_selectors.actions_of(actor).count()
    return render(
        request,
        "web/home.html",
        {
            "panels": panels,
            "role_labels": role_labels,
            "member_count": member_count,
            "work": work,
            # The case parts' panels (overdue risk reviews, tasks...), by permission.
            "case_panels": home_panels(actor) if actor.organisation_id else [],
        },
    )


@public
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
