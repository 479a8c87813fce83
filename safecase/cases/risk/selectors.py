"""Reading risk assessments and approval requests: always from the case's visibility
(``cases_visible_to``), so a restricted case's risk and approvals are never listed or counted
for anyone not named on it.

Also the part's chronology source (each version as a line, each decision on a request) and
its section of the case (the risk history, for the decision snapshot and the case bundle).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safecase.cases.choices import CaseStatus
from safecase.cases.chronology import CaseFacts, Event
from safecase.cases.models import Case
from safecase.cases.parts import Entry
from safecase.cases.risk.choices import ApprovalStatus, GateKind, RiskLevel
from safecase.cases.risk.models import (
    ApprovalGates,
    ApprovalRequest,
    RiskAssessment,
    RiskAssessmentVersion,
)
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page

# The history page and the case's approvals show at most this many (a case with more versions
# than this is for a later issue's paging).
HISTORY_LIMIT = 200
# Reviews this many days ahead count as due (the org page lists them with the overdue ones).
DUE_WITHIN_DAYS = 14
HOME_PANEL_LIMIT = 5


def gates_for(organisation_id: Any) -> ApprovalGates:
    """The organisation's approval gates, or (none saved yet) all off, at version 0."""
    gates = ApprovalGates.objects.filter(organisation_id=organisation_id).first()
    return gates or ApprovalGates(organisation_id=organisation_id, version=0)


def current_risk(case: Case) -> RiskAssessmentVersion | None:
    """The case's current risk: its latest version, in one query (the header of every page)."""
    return (
        RiskAssessmentVersion.objects.filter(case_id=case.pk)
        .select_related("assessed_by")
        .order_by("-number")
        .first()
    )


def assessment_version(case: Case) -> int:
    """The assessment's version a new form is made from (0 before the first)."""
    return (
        RiskAssessment.objects.filter(case_id=case.pk).values_list("version", flat=True).first()
        or 0
    )


def versions_of(case: Case) -> list[RiskAssessmentVersion]:
    """Every version of the case's assessment, newest first (the history page)."""
    return list(
        RiskAssessmentVersion.objects.filter(case_id=case.pk)
        .select_related("assessed_by")
        .order_by("-number")[:HISTORY_LIMIT]
    )


def approvals_of(case: Case) -> list[ApprovalRequest]:
    """The case's approval requests, newest first."""
    return list(
        ApprovalRequest.objects.filter(case_id=case.pk)
        .select_related("requested_by", "decided_by", "risk_version")
        .order_by("-created_at")[:HISTORY_LIMIT]
    )


def usable_closure_approval(case: Case, *, lock: bool = False) -> ApprovalRequest | None:
    """An approved closure request of the case that no move to closed has used yet."""
    requests = ApprovalRequest.objects.filter(
        case_id=case.pk,
        kind=GateKind.CLOSURE,
        status=ApprovalStatus.APPROVED,
        used_at__isnull=True,
    )
    if lock:
        requests = requests.select_for_update()
    return requests.order_by("decided_at").first()


def _own_cases(actor: Actor) -> QuerySet[Case]:
    """The cases of the actor's own organisation they may see (a partner's shared view of a
    case is for reading it, not for its organisation's work lists)."""
    if actor.organisation is None:
        return Case.objects.none()
    return cases_visible_to(actor).filter(organisation_id=actor.organisation.pk)


def _own_open_cases(actor: Actor) -> QuerySet[Case]:
    return _own_cases(actor).filter(status=CaseStatus.OPEN)


@dataclass(frozen=True)
class ReviewRow:
    """One review due or overdue: plain values, no model instances."""

    case_id: uuid.UUID
    reference: str
    title: str
    level: str
    next_review_on: date

    @property
    def level_label(self) -> str:
        return str(RiskLevel(self.level).label)

    @property
    def is_overdue(self) -> bool:
        return self.next_review_on < timezone.localdate()

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.next_review_on).days


_REVIEW_FIELDS = ("id", "case_id", "case__reference", "case__title", "level", "next_review_on")


def _row(row: dict[str, Any]) -> ReviewRow:
    return ReviewRow(
        case_id=row["case_id"],
        reference=row["case__reference"],
        title=row["case__title"],
        level=row["level"],
        next_review_on=row["next_review_on"],
    )


def _reviews(actor: Actor) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(case__in=_own_open_cases(actor).values("pk"))


def risk_reviews_overdue(actor: Actor, *, limit: int = HOME_PANEL_LIMIT) -> list[ReviewRow]:
    """The open cases the actor may see whose risk review date has passed, most overdue first
    (at most ``limit``). A restricted case is absent for anyone not named on it."""
    if actor.organisation_id is None:
        return []
    rows = (
        _reviews(actor)
        .filter(next_review_on__lt=timezone.localdate())
        .order_by("next_review_on", "id")
        .values(*_REVIEW_FIELDS)[:limit]
    )
    return [_row(r) for r in rows]


def risk_reviews_overdue_count(actor: Actor) -> int:
    if actor.organisation_id is None:
        return 0
    return _reviews(actor).filter(next_review_on__lt=timezone.localdate()).count()


def reviews_due_page(actor: Actor, *, cursor: str | None) -> KeysetPage[ReviewRow]:
    """Reviews overdue or due within DUE_WITHIN_DAYS, soonest first, a page at a time."""
    horizon = timezone.localdate() + timedelta(days=DUE_WITHIN_DAYS)
    page = keyset_page(
        _reviews(actor).filter(next_review_on__lte=horizon).values(*_REVIEW_FIELDS),
        key=("next_review_on", "id"),
        cursor=cursor,
    )
    return KeysetPage(items=[_row(r) for r in page.items], next_cursor=page.next_cursor)


def pending_approvals_page(actor: Actor, *, cursor: str | None) -> KeysetPage[ApprovalRequest]:
    """Requests waiting for a supervisor on the open cases the actor may see, oldest first."""
    requests = ApprovalRequest.objects.filter(
        case__in=_own_open_cases(actor).values("pk"), status=ApprovalStatus.PENDING
    ).select_related("case", "requested_by", "risk_version")
    return keyset_page(requests, key=("created_at", "id"), cursor=cursor)


def approval_requests_visible_to(actor: Actor) -> QuerySet[ApprovalRequest]:
    """Requests on the cases the actor may see (the decide page finds one here, or 404)."""
    return ApprovalRequest.objects.filter(case__in=_own_cases(actor).values("pk"))


# --- The chronology source and the case section ---------------------------------------------


def _level_label(level: str) -> str:
    return str(dict(RiskLevel.choices).get(level, level)).lower()


def version_event(case: CaseFacts, version: RiskAssessmentVersion) -> Event:
    measures = ", ".join(version.measure_labels()) or "none"
    return Event(
        case.pk,
        version.pk,
        version.created_at,
        f"Risk assessed: {_level_label(version.level)} — {version.reason}",
        f"Case {case.reference}. Interim measures: {measures}. Next review "
        f"{version.next_review_on:%d %b %Y}.",
    )


def decision_event(case: CaseFacts, request: ApprovalRequest) -> Event:
    outcome = "approved" if request.status == ApprovalStatus.APPROVED else "refused"
    what = GateKind(request.kind).label.lower()
    assert request.decided_at is not None
    return Event(
        case.pk,
        request.pk,
        request.decided_at,
        f"Supervisor {outcome} {what} — {request.decision_reason}",
        f"Case {case.reference}.",
    )


def chronology_events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    """Every version and every decided request of these cases (registered in apps.py)."""
    for version in RiskAssessmentVersion.objects.filter(case_id__in=list(cases)).order_by(
        "case_id", "number"
    ):
        yield version_event(cases[version.case_id], version)
    decided = ApprovalRequest.objects.filter(
        case_id__in=list(cases), status__in=(ApprovalStatus.APPROVED, ApprovalStatus.REFUSED)
    )
    for request in decided.order_by("case_id", "decided_at"):
        yield decision_event(cases[request.case_id], request)


def risk_history_section(case: Any) -> list[Entry]:
    """Every version, oldest first, as the decision snapshot and the case bundle hold it."""
    case_id = getattr(case, "pk", None)
    if case_id is None:  # not a saved case: nothing of it is recorded
        return []
    versions = (
        RiskAssessmentVersion.objects.filter(case_id=case_id)
        .select_related("assessed_by")
        .order_by("number")
    )
    entries: list[Entry] = []
    for v in versions:
        measures = ", ".join(v.measure_labels()) or "None"
        entries.append(
            {
                "heading": f"Version {v.number}: {_level_label(v.level)} risk",
                "when": v.created_at.isoformat(),
                "body": "\n".join(
                    (
                        f"Assessed by: {v.assessed_by.full_name or v.assessed_by.email}",
                        f"Reason: {v.reason}",
                        f"Risk factors: {v.risk_factors}",
                        f"Protective factors: {v.protective_factors}",
                        f"Likelihood {v.likelihood} of 5; impact {v.impact} of 5",
                        f"Interim measures: {measures}",
                        f"Next review: {v.next_review_on.isoformat()}",
                        f"Approval: {v.get_approval_display()}",
                    )
                ),
            }
        )
    return entries


def home_panel_context(actor: Actor) -> dict[str, Any]:
    return {
        "overdue": risk_reviews_overdue(actor, limit=HOME_PANEL_LIMIT),
        "overdue_count": risk_reviews_overdue_count(actor),
    }


def pending_approvals_count(actor: Actor) -> int:
    return ApprovalRequest.objects.filter(
        case__in=_own_open_cases(actor).values("pk"), status=ApprovalStatus.PENDING
    ).count()


def approvals_panel_context(actor: Actor) -> dict[str, Any]:
    return {"waiting": pending_approvals_count(actor)}
