"""The case's Referrals tab (its referrals, with responses and escalations), recording a
referral, its response, an escalation; the overdue responses across the cases the reader may
see; and the lead's agency settings.

Every view declares its permission; a case out of reach answers 404 (page.case_or_404). Bad
input answers 422 with the form's errors and nothing saved; a stale form 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.models import Case
from safecase.cases.page import case_or_404, render_case_page
from safecase.cases.referrals import actions, selectors
from safecase.cases.referrals.forms import AgencyForm, EscalateForm, ReferralForm, ResponseForm
from safecase.cases.referrals.models import ExternalReferral
from safecase.core.errors import Conflict, DomainError


def _form_error(form: Any, exc: DomainError) -> None:
    field = {"made_at": "made_on", "code": None}.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _may_change(request: HttpRequest, case: Case) -> bool:
    actor = request.actor  # type: ignore[attr-defined]
    return (
        not case.is_closed
        and case.organisation_id == actor.organisation_id
        and can(actor, Permission.CASE_MANAGE, case)
    )


def _referral(case: Case, referral_id: str) -> ExternalReferral:
    referral = (
        ExternalReferral.objects.filter(pk=referral_id, case=case).select_related("agency").first()
    )
    if referral is None:
        raise Http404
    referral.case = case
    return referral


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def index(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_or_404(request, case_id, Permission.CASE_VIEW)
    return render_case_page(
        request,
        case,
        "case_referrals/index.html",
        {
            "referrals": selectors.case_referrals(case),
            "today": timezone.localdate(),
            "may_change": _may_change(request, case),
        },
        part="referrals",
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    agencies = selectors.agencies_for(case.organisation_id)
    now = timezone.localtime()
    form = ReferralForm(
        request.POST or None,
        initial={"made_on": now.strftime("%d/%m/%Y"), "made_time": now.strftime("%H:%M")},
        agencies=[
            (
                str(a.pk),
                f"{a.label} (response within {a.response_working_days} working day"
                f"{'' if a.response_working_days == 1 else 's'})",
            )
            for a in agencies
        ],
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            made_at = timezone.make_aware(datetime.combine(data["made_on"], data["made_time"]))
            try:
                actions.referral_make(
                    actor=actor,
                    case=case,
                    agency=selectors.agency_for(case.organisation_id, data["agency"]),
                    made_at=made_at,
                    method=data["method"],
                    contact_name=data["contact_name"],
                    contact_details=data["contact_details"],
                    their_reference=data["their_reference"],
                    summary=data["summary"],
                    follow_up_on=data["follow_up_on"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Referral recorded, with a follow-up task for you.")
                return redirect("cases:case_referrals:index", case_id=case.pk)
    return render_case_page(
        request, case, "case_referrals/new.html", {"form": form}, part="referrals", status=status
    )


def _change(
    request: HttpRequest,
    case_id: str,
    referral_id: str,
    *,
    form_class: type[ResponseForm] | type[EscalateForm],
    template: str,
    done: str,
    apply: Any,
) -> HttpResponse:
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    referral = _referral(case, referral_id)
    form = form_class(request.POST or None, initial={"version": referral.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                apply(referral, form.cleaned_data)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, done)
                return redirect("cases:case_referrals:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        template,
        {"form": form, "referral": referral, "today": timezone.localdate()},
        part="referrals",
        status=status,
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, case_id: str, referral_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]

    def apply(referral: ExternalReferral, data: dict[str, Any]) -> object:
        return actions.referral_record_response(
            actor=actor,
            referral=referral,
            version=data["version"],
            response=data["response"],
            received_on=data["received_on"],
            outcome=data["outcome"],
            their_reference=data["their_reference"],
        )

    return _change(
        request,
        case_id,
        referral_id,
        form_class=ResponseForm,
        template="case_referrals/respond.html",
        done="Response recorded; the follow-up task is done.",
        apply=apply,
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def escalate(request: HttpRequest, case_id: str, referral_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]

    def apply(referral: ExternalReferral, data: dict[str, Any]) -> object:
        return actions.referral_escalate(
            actor=actor,
            referral=referral,
            version=data["version"],
            escalated_to=data["escalated_to"],
            reason=data["reason"],
        )

    return _change(
        request,
        case_id,
        referral_id,
        form_class=EscalateForm,
        template="case_referrals/escalate.html",
        done="Escalation recorded.",
        apply=apply,
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def overdue(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    rows = list(
        selectors.overdue_referrals(actor).select_related("case", "agency", "made_by")[
            : selectors.OVERDUE_LIMIT
        ]
    )
    return render(
        request,
        "case_referrals/overdue.html",
        {"rows": rows, "today": timezone.localdate()},
    )


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def agencies(request: HttpRequest) -> HttpResponse:
    """The organisation's agencies and their response deadlines; each row its own form."""
    actor = request.actor  # type: ignore[attr-defined]
    failed: AgencyForm | None = None
    status = 200
    if request.method == "POST":
        failed = AgencyForm(request.POST, auto_id=f"id_{request.POST.get('code') or 'new'}_%s")
        status = 422
        if failed.is_valid():
            data = failed.cleaned_data
            try:
                actions.referral_agency_save(
                    actor=actor,
                    code=data["code"] or None,
                    version=data["version"],
                    label=data["label"],
                    response_working_days=data["response_working_days"],
                    is_active=data["is_active"] or not data["code"],
                )
            except Conflict as exc:
                failed.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                _form_error(failed, exc)
            else:
                messages.success(request, "Agency saved.")
                return redirect("cases:case_referrals_org:agencies")
    rows = []
    for agency in selectors.agencies_for(actor.organisation_id, include_inactive=True):
        own = agency.organisation_id is not None
        form = AgencyForm(
            initial={
                "code": agency.code,
                "version": agency.version if own else 0,
                "label": agency.label,
                "response_working_days": agency.response_working_days,
                "is_active": agency.is_active,
            },
            auto_id=f"id_{agency.code}_%s",
        )
        if failed is not None and failed.data.get("code") == agency.code:
            form = failed
        rows.append({"agency": agency, "form": form, "own": own})
    add_form = (
        failed
        if failed is not None and not failed.data.get("code")
        else AgencyForm(
            initial={"version": 0, "response_working_days": 3, "is_active": True},
            auto_id="id_new_%s",
        )
    )
    return render(
        request,
        "case_referrals/agencies.html",
        {"rows": rows, "add_form": add_form, "form": failed},
        status=status,
    )
