"""The hub manager's reports: timeliness per agency over a period, and the end-of-referral
audit view (M4: who provided what, when, and who has seen it), read from the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from safecase.access.models import ShareGrant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.partnerships.choices import RequestStatus
from safecase.partnerships.models import (
    HubReferral,
    HubSettings,
    InformationRequest,
    SectionAttachment,
)

MAX_EVENTS = 1000


@dataclass(frozen=True)
class AgencyTimeliness:
    agency: str
    kind: str
    asked: int
    on_time: int
    late_answered: int
    # Past due and still unanswered when the hub decided (the request was then withdrawn): a
    # late agency must not drop out of its own timeliness report because the hub moved on.
    never_answered_late: int
    waiting_late: int
    waiting: int
    no_target: int

    @property
    def on_time_percent(self) -> str:
        clocked = self.on_time + self.late_answered + self.never_answered_late
        return f"{round(100 * self.on_time / clocked)}%" if clocked else "–"


def timeliness(hub: HubSettings, start: datetime, end: datetime) -> list[AgencyTimeliness]:
    """Requests the hub made in [start, end], per agency: answered in time, answered late,
    never answered though past due when the hub decided, still waiting (and how many of those
    are past due), and those with no target (blue). A request withdrawn unanswered before its
    due time (the hub decided first) is left out: the agency was not late. One query, grouped
    in the database."""
    now = timezone.now()
    released = Q(status=RequestStatus.RELEASED)
    waiting = Q(status__in=(RequestStatus.OPEN, RequestStatus.HELD))
    unanswered = Q(status=RequestStatus.WITHDRAWN, answered_at__isnull=True)
    overdue_at_decision = Q(due_at__lt=F("referral__decided_at"))
    rows = (
        InformationRequest.objects.filter(
            organisation_id=hub.organisation_id, requested_at__gte=start, requested_at__lte=end
        )
        .exclude(unanswered & ~Q(overdue_at_decision, due_at__isnull=False))
        .values("agency_organisation__name", "agency__kind")
        .annotate(
            asked=Count("*"),
            on_time=Count("pk", filter=released & Q(released_at__lte=F("due_at"))),
            late_answered=Count("pk", filter=released & Q(released_at__gt=F("due_at"))),
            never_answered_late=Count("pk", filter=unanswered & overdue_at_decision),
            waiting_late=Count("pk", filter=waiting & Q(due_at__lt=now)),
            waiting=Count("pk", filter=waiting),
            no_target=Count("pk", filter=Q(due_at__isnull=True)),
        )
        .order_by("agency_organisation__name")
    )
    return [
        AgencyTimeliness(
            agency=r["agency_organisation__name"],
            kind=r["agency__kind"],
            asked=r["asked"],
            on_time=r["on_time"],
            late_answered=r["late_answered"],
            never_answered_late=r["never_answered_late"],
            waiting_late=r["waiting_late"],
            waiting=r["waiting"],
            no_target=r["no_target"],
        )
        for r in rows
    ]


def referral_audit(referral: HubReferral) -> dict[str, Any]:
    """Every audit event about the referral, its sections and files and the shares that sent
    its items: who provided what and when, and every view (with the sections it showed)."""
    requests = list(
        InformationRequest.objects.filter(referral=referral).select_related(
            "agency_organisation", "answered_by", "released_by"
        )
    )
    attachments = list(SectionAttachment.objects.filter(request__referral=referral))
    grants = list(ShareGrant.objects.filter(pk__in=referral.items.values("share_id")))
    subjects = [
        str(referral.pk),
        *(str(r.pk) for r in requests),
        *(str(a.pk) for a in attachments),
        *(str(g.pk) for g in grants),
    ]
    events = list(
        AuditEvent.objects.filter(subject_id__in=subjects).order_by("occurred_at", "seq")[
            :MAX_EVENTS
        ]
    )
    section_names = {str(r.pk): r.agency_organisation.name for r in requests}
    labels = dict(AuditAction.choices)
    lines = []
    for event in events:
        seen = event.changes.get("sections", []) if isinstance(event.changes, dict) else []
        lines.append(
            {
                "event": event,
                "label": labels.get(event.action, event.action),
                "about": section_names.get(event.subject_id, ""),
                "sections_seen": [section_names.get(s, s) for s in seen],
            }
        )
    viewers = sorted({e.actor_label for e in events if e.action == AuditAction.RECORD_VIEWED})
    return {
        "requests": requests,
        "lines": lines,
        "viewers": viewers,
        "truncated": len(events) == MAX_EVENTS,
    }
