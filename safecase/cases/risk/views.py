"""The risk part's pages: the case's current risk and approvals (the Risk tab), recording a
new version, the history of versions, asking for approval; and, about no one case, the reviews
due and overdue, the supervisors' pending approvals, deciding one, and the approval gates.

Every view declares its permission; a case (or request) out of the actor's reach answers 404
like a missing one. Bad input answers 422 with the form's errors and nothing saved; a stale
form 409 with what changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.models import Case
from safecase.cases.page import case_or_404, render_case_page
from safecase.cases.risk import actions, selectors
from safecase.cases.risk.choices import ApprovalStatus, GateKind
from safecase.cases.risk.forms import (
    ApprovalDecideForm,
    ApprovalRequestForm,
    GatesForm,
    RiskAssessForm,
)
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined, no-any-return]


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _requestable(case: Case) -> list[str]:
    """The kinds of approval the case's organisation asks for."""
    gates = selectors.gates_for(case.organisation_id)
    kinds: list[str] = []
    if gates.closure_needs_approval:
        kinds.append(GateKind.CLOSURE)
    if gates.risk_version_needs_approval:
        kinds.append(GateKind.RISK_VERSION)
    return kinds


def _may_manage(actor: Actor, case: Case) -> bool:
    return (
        not case.is_closed
        and case.organisation_id == actor.organisation_id
        and can(actor, Permission.CASE_MANAGE, case)
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def risk_index(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = _actor(request)
    case = case_or_404(request, case_id, Permission.CASE_VIEW)
    kinds = _requestable(case)
    may_manage = _may_manage(actor, case)
    return render_case_page(
        request,
        case,
        "case_risk/index.html",
        {
            "approvals": selectors.approvals_of(case),
            "may_manage": may_manage,
            "may_request": may_manage and bool(kinds),
            "gates": selectors.gates_for(case.organisation_id),
        },
        part="risk",
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def risk_history(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_or_404(request, case_id, Permission.CASE_VIEW)
    return render_case_page(
        request,
        case,
        "case_risk/history.html",
        {"versions": selectors.versions_of(case)},
        part="risk",
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def risk_assess(request: HttpRequest, case_id: str) -> HttpResponse:
    """Record a new version; the form starts from the current one (its content to revise)."""
    actor = _actor(request)
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    current = selectors.current_risk(case)
    initial: dict[str, Any] = {"version": selectors.assessment_version(case)}
    if current is not None:
        initial.update(
            risk_factors=current.risk_factors,
            protective_factors=current.protective_factors,
            likelihood=current.likelihood,
            impact=current.impact,
            level=current.level,
            interim_measures=current.interim_measures,
            interim_other=current.interim_other,
        )
    form = RiskAssessForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.risk_assess(actor=actor, case=case, **data)
            except Conflict as exc:
                now = selectors.assessment_version(case)
                form.add_error(
                    None,
                    f"{exc.message} You started from version {data['version']}; it is now "
                    f"version {now}. What you typed is below.",
                )
                status = 409
            except NotPermitted:
                raise
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Risk assessment recorded.")
                return redirect("cases:case_risk:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_risk/assess.html",
        {"form": form, "is_first": current is None, "case_closed": case.is_closed},
        part="risk",
        status=status,
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def approval_request(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = _actor(request)
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    kinds = _requestable(case)
    form = ApprovalRequestForm(request.POST or None, kinds=kinds)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.approval_request(
                    actor=actor,
                    case=case,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Approval requested: a supervisor will decide.")
                return redirect("cases:case_risk:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_risk/request.html",
        {"form": form, "kinds": kinds},
        part="risk",
        status=status,
    )


# --- Pages about no one case (urls_org.py) ----------------------------------------------------


@requires(Permission.CASE_VIEW_CASELOAD)
@require_http_methods(["GET"])
def reviews_due(request: HttpRequest) -> HttpResponse:
    page = selectors.reviews_due_page(_actor(request), cursor=request.GET.get("after"))
    return render(
        request,
        "case_risk/reviews.html",
        {"page": page, "rows": page.items, "within": selectors.DUE_WITHIN_DAYS},
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET"])
def approvals_pending(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page = selectors.pending_approvals_page(actor, cursor=request.GET.get("after"))
    return render(
        request,
        "case_risk/approvals.html",
        {"page": page, "rows": page.items, "me": actor.user.pk if actor.user else None},
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def approval_decide(request: HttpRequest, request_id: str) -> HttpResponse:
    actor = _actor(request)
    approval = access_object(
        actor,
        selectors.approval_requests_visible_to(actor).select_related(
            "requested_by", "decided_by", "risk_version", "risk_version__assessed_by"
        ),
        request_id,
        Permission.CASE_SUPERVISE,
    )
    case = case_or_404(request, approval.case_id, Permission.CASE_VIEW, own=True)
    form = ApprovalDecideForm(request.POST or None, initial={"version": approval.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.approval_decide(actor=actor, request=approval, **data)
            except Conflict as exc:
                form.add_error(None, f"{exc.message} It may have been decided by someone else.")
                status = 409
            except NotPermitted as exc:
                form.add_error(None, exc.message)
                status = 403
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Decision recorded.")
                return redirect("cases:case_risk_org:approvals")
    own_request = actor.user is not None and approval.requested_by_id == actor.user.pk
    return render_case_page(
        request,
        case,
        "case_risk/decide.html",
        {
            "form": form,
            "approval": approval,
            "own_request": own_request,
            "is_pending": approval.status == ApprovalStatus.PENDING,
        },
        part="risk",
        status=status,
    )


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def gates_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's approval gates: the lead's, as the other safeguarding settings are."""
    actor = _actor(request)
    gates = selectors.gates_for(actor.organisation_id)
    form = GatesForm(
        request.POST or None,
        initial={
            "closure_needs_approval": gates.closure_needs_approval,
            "risk_version_needs_approval": gates.risk_version_needs_approval,
            "version": gates.version,
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.approval_gates_update(actor=actor, **form.cleaned_data)
            except Conflict as exc:
                form.add_error(None, f"{exc.message} Nothing was saved.")
                status = 409
            else:
                messages.success(request, "Approval gates saved.")
                return redirect("cases:case_risk_org:settings")
    return render(request, "case_risk/settings.html", {"form": form, "gates": gates}, status=status)
