"""Recording a case's risk assessment, asking for and deciding a supervisor's approval, and
setting an organisation's approval gates.

Every function here is the only way its change happens: it checks the policy and the case's
visibility first (``guards``), refuses bad input with a DomainError before changing anything,
guards its record with a ``version`` (a stale form gets Conflict, never a silent overwrite),
and writes its audit event in the same transaction. Narrative text (risk factors, reasons)
stays out of the audit event's changes; the reason goes in its reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.models import Case
from safecase.cases.risk import selectors
from safecase.cases.risk.choices import (
    ApprovalStatus,
    Decision,
    GateKind,
    InterimMeasure,
    RiskLevel,
    Score,
    VersionApproval,
)
from safecase.cases.risk.models import (
    ApprovalGates,
    ApprovalRequest,
    RiskAssessment,
    RiskAssessmentVersion,
)
from safecase.core.actors import Actor
from safecase.core.errors import DomainError, NotPermitted

TEXT_LIMIT = 10_000


def _review_date(value: date | str | None) -> date:
    """The next review date: required, a real date, and after today (a review due today or
    earlier is already overdue the moment it is recorded)."""
    if value is None or value == "":
        raise DomainError("Give the date of the next review.", field="next_review_on")
    if isinstance(value, str):
        parsed = None
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise DomainError(
                "Give the next review date as a real date, e.g. 2027-01-31.",
                field="next_review_on",
            )
        value = parsed
    if value <= timezone.localdate():
        raise DomainError("The next review must be on a date after today.", field="next_review_on")
    return value


def _score(value: Any, field: str, what: str) -> int:
    if value not in Score.values:
        raise DomainError(f"Choose the {what} from 1 to 5.", field=field)
    return int(value)


def _measures(measures: list[str], other: str) -> tuple[list[str], str]:
    unknown = [m for m in measures if m not in InterimMeasure.values]
    if unknown:
        raise DomainError("Choose interim measures from the list.", field="interim_measures")
    chosen = [m for m in InterimMeasure.values if m in measures]  # the list's order, no repeats
    other = " ".join(other.split())
    if InterimMeasure.OTHER in chosen and len(other) < guards.MIN_REASON:
        raise DomainError("Say what the other interim measure is.", field="interim_other")
    if InterimMeasure.OTHER not in chosen:
        other = ""
    if len(other) > 300:
        raise DomainError("Keep the other measure under 300 characters.", field="interim_other")
    return chosen, other


def _hold(case: Case) -> None:
    """Hold the case's row until the transaction ends, so two first assessments (or two
    requests) of one case made at once are taken one after the other: the second then meets
    the first and is refused (stale, or one already waiting), never a database error."""
    Case.objects.select_for_update().filter(pk=case.pk).exists()


@transaction.atomic(durable=True)
def risk_assess(
    *,
    actor: Actor,
    case: Case,
    version: int,
    risk_factors: str,
    protective_factors: str,
    likelihood: int,
    impact: int,
    level: str,
    next_review_on: date | str | None,
    reason: str,
    interim_measures: list[str] | None = None,
    interim_other: str = "",
) -> RiskAssessmentVersion:
    """Record a new version of the case's risk assessment (the first creates the assessment).
    ``version`` is the assessment's version the form was made from (0 before the first).
    Where the organisation's gate is on, the version waits for a supervisor's approval (a
    request is made with it); it is the current risk all the same, so nobody works from an
    older picture meanwhile."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    risks = guards.required_text(risk_factors, "the risk factors", field="risk_factors")
    protective = guards.required_text(
        protective_factors,
        "the protective factors (or say there are none)",
        field="protective_factors",
    )
    for text, name in ((risks, "risk_factors"), (protective, "protective_factors")):
        if len(text) > TEXT_LIMIT:
            raise DomainError(f"Keep it under {TEXT_LIMIT} characters.", field=name)
    likely = _score(likelihood, "likelihood", "likelihood")
    impact_score = _score(impact, "impact", "impact")
    if level not in RiskLevel.values:
        raise DomainError("Choose the overall level of risk.", field="level")
    measures, other = _measures(list(interim_measures or []), interim_other)
    review_on = _review_date(next_review_on)
    why = guards.required_text(reason, "the reason for this assessment", limit=TEXT_LIMIT)
    now = timezone.now()
    _hold(case)
    assessment = RiskAssessment.objects.select_for_update().filter(case=case).first()
    current = assessment.version if assessment is not None else 0
    if version != current:
        raise guards.stale("This risk assessment")
    if assessment is None:
        assessment = RiskAssessment.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            version=1,
            level=level,
            next_review_on=review_on,
            assessed_at=now,
        )
    else:
        updated = RiskAssessment.objects.filter(pk=assessment.pk, version=version).update(
            version=F("version") + 1,
            level=level,
            next_review_on=review_on,
            assessed_at=now,
            updated_at=now,
        )
        if updated != 1:
            raise guards.stale("This risk assessment")
        assessment.version = version + 1
    gated = selectors.gates_for(case.organisation_id).risk_version_needs_approval
    risk_version = RiskAssessmentVersion.objects.create(
        organisation_id=case.organisation_id,
        assessment=assessment,
        case=case,
        number=assessment.version,
        risk_factors=risks,
        protective_factors=protective,
        likelihood=likely,
        impact=impact_score,
        level=level,
        interim_measures=measures,
        interim_other=other,
        next_review_on=review_on,
        reason=why,
        assessed_by=actor.user,
        approval=VersionApproval.PENDING if gated else VersionApproval.NOT_NEEDED,
    )
    superseded = _supersede_pending_risk_requests(case, now)
    request = None
    if gated:
        request = ApprovalRequest.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            kind=GateKind.RISK_VERSION,
            risk_version=risk_version,
            requested_by=actor.user,
            request_reason=f"Risk assessment version {risk_version.number}: {why}"[:TEXT_LIMIT],
        )
    chronology.event_added(case, selectors.version_event(chronology.facts_of(case), risk_version))
    recorder.record(
        actor=actor,
        action=AuditAction.RISK_ASSESSED,
        subject=case,
        reason=why,
        changes={
            "version": risk_version.number,
            "level": level,
            "likelihood": likely,
            "impact": impact_score,
            "interim_measures": measures,
            "next_review_on": review_on.isoformat(),
            "approval_request": request.pk if request is not None else None,
            "superseded_requests": superseded,
        },
    )
    return risk_version


def _supersede_pending_risk_requests(case: Case, now: Any) -> list[str]:
    pending = ApprovalRequest.objects.filter(
        case=case, kind=GateKind.RISK_VERSION, status=ApprovalStatus.PENDING
    )
    ids = sorted(str(pk) for pk in pending.values_list("pk", flat=True))
    if ids:
        # The requests first, then their versions: the order approval_decide takes them in,
        # so the two never wait on each other.
        ApprovalRequest.objects.filter(pk__in=ids).update(
            status=ApprovalStatus.SUPERSEDED, version=F("version") + 1, updated_at=now
        )
        RiskAssessmentVersion.objects.filter(approval_requests__pk__in=ids).update(
            approval=VersionApproval.SUPERSEDED
        )
    return ids


@transaction.atomic(durable=True)
def approval_request(*, actor: Actor, case: Case, kind: str, reason: str) -> ApprovalRequest:
    """Ask a supervisor to approve closing the case, or the current risk assessment version,
    where the organisation's gate for it is on. One open request of a kind per case."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    if kind not in GateKind.values:
        raise DomainError("Choose what needs approval.", field="kind")
    gates = selectors.gates_for(case.organisation_id)
    on = (
        gates.closure_needs_approval
        if kind == GateKind.CLOSURE
        else gates.risk_version_needs_approval
    )
    if not on:
        raise DomainError(
            f"Your organisation does not ask for approval of {GateKind(kind).label.lower()}.",
            field="kind",
        )
    why = guards.required_text(reason, "the reason for the request", limit=TEXT_LIMIT)
    _hold(case)
    risk_version = None
    if kind == GateKind.RISK_VERSION:
        risk_version = (
            RiskAssessmentVersion.objects.select_for_update()
            .filter(case=case)
            .order_by("-number")
            .first()
        )
        if risk_version is None:
            raise DomainError(
                "Record a risk assessment before asking for its approval.", field="kind"
            )
        if risk_version.approval == VersionApproval.APPROVED:
            raise DomainError("The current risk assessment is approved already.", field="kind")
    if ApprovalRequest.objects.filter(case=case, kind=kind, status=ApprovalStatus.PENDING).exists():
        raise DomainError("A request for this is already waiting for a supervisor.", field="kind")
    if kind == GateKind.CLOSURE and selectors.usable_closure_approval(case) is not None:
        raise DomainError("Closing this case is approved already: close it.", field="kind")
    request = ApprovalRequest.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        kind=kind,
        risk_version=risk_version,
        requested_by=actor.user,
        request_reason=why,
    )
    if risk_version is not None:
        RiskAssessmentVersion.objects.filter(pk=risk_version.pk).update(
            approval=VersionApproval.PENDING
        )
    recorder.record(
        actor=actor,
        action=AuditAction.APPROVAL_REQUESTED,
        subject=case,
        reason=why,
        changes={
            "request": request.pk,
            "kind": kind,
            "risk_version": risk_version.number if risk_version is not None else None,
        },
    )
    return request


@transaction.atomic(durable=True)
def approval_decide(
    *, actor: Actor, request: ApprovalRequest, version: int, decision: str, reason: str
) -> ApprovalRequest:
    """A supervisor approves or refuses a request, with the reason. The approver holds
    case.supervise, may see the case, and is not the person who asked."""
    case = Case.objects.select_related("case_type").get(pk=request.case_id)
    guards.require_case_access(actor, case, Permission.CASE_SUPERVISE)
    assert actor.user is not None
    if decision not in Decision.values:
        raise DomainError("Choose whether you approve or refuse.", field="decision")
    why = guards.required_text(reason, "the reason for your decision", limit=TEXT_LIMIT)
    locked = ApprovalRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None or locked.version != version:
        raise guards.stale("This request")
    if locked.requested_by_id == actor.user.pk:
        raise NotPermitted("You asked for this approval, so another supervisor must decide it.")
    if locked.status != ApprovalStatus.PENDING:
        raise DomainError("This request is decided already.", field="decision")
    if locked.kind == GateKind.CLOSURE and case.is_closed:
        raise DomainError("The case is closed already.", field="decision")
    now = timezone.now()
    ApprovalRequest.objects.filter(pk=locked.pk, version=version).update(
        status=decision,
        decided_by=actor.user,
        decided_at=now,
        decision_reason=why,
        version=F("version") + 1,
        updated_at=now,
    )
    if locked.risk_version_id is not None:
        RiskAssessmentVersion.objects.filter(pk=locked.risk_version_id).update(
            approval=VersionApproval.APPROVED
            if decision == Decision.APPROVED
            else VersionApproval.REFUSED
        )
    locked.refresh_from_db()
    chronology.event_added(case, selectors.decision_event(chronology.facts_of(case), locked))
    recorder.record(
        actor=actor,
        action=AuditAction.APPROVAL_DECIDED,
        subject=case,
        reason=why,
        changes={"request": locked.pk, "kind": locked.kind, "decision": decision},
    )
    return locked


@transaction.atomic(durable=True)
def approval_gates_update(
    *, actor: Actor, version: int, closure_needs_approval: bool, risk_version_needs_approval: bool
) -> ApprovalGates:
    """Switch the organisation's approval gates on or off (the lead, who configures its
    safeguarding settings). A gate switched on applies from then on: earlier risk versions
    are not sent for approval after the event."""
    require(actor, Permission.CONCERN_CONFIGURE, actor.organisation)
    if actor.organisation is None:
        raise NotPermitted("Choose an organisation to configure.")
    ApprovalGates.objects.get_or_create(organisation=actor.organisation)
    gates = ApprovalGates.objects.select_for_update().get(organisation=actor.organisation)
    if gates.version != version:
        raise guards.stale("The approval gates")
    changes: dict[str, Any] = {}
    for name, value in (
        ("closure_needs_approval", closure_needs_approval),
        ("risk_version_needs_approval", risk_version_needs_approval),
    ):
        before = getattr(gates, name)
        if before != bool(value):
            changes[name] = [before, bool(value)]
            setattr(gates, name, bool(value))
    if not changes:
        return gates
    gates.version += 1
    gates.save()
    recorder.record(
        actor=actor, action=AuditAction.APPROVAL_GATES_CHANGED, subject=gates, changes=changes
    )
    return gates
