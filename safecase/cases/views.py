"""The case list, opening a case, the case page, moving a case on, allocating it, caseloads.

Every view declares its permission; a case outside the actor's scope (another organisation's,
restricted to others, missing) answers 404 through access_object, the same for all three.
Bad input answers 422 with the form's errors and nothing saved; a stale form 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import User
from safecase.accounts.step_up import requires_recent_step_up
from safecase.cases import actions, bundle, selectors
from safecase.cases.choices import CaseStatus, TeamRole
from safecase.cases.forms import (
    AddConcernForm,
    AddSubjectForm,
    AllocateForm,
    ConcernToCaseForm,
    OpenCaseForm,
    StageForm,
)
from safecase.cases.models import Case
from safecase.cases.page import case_or_404, render_case_page
from safecase.cases.risk.selectors import current_risk
from safecase.concerns.selectors import concerns_visible_to
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.people.selectors import people_visible_to

# How many concerns and people the case page offers to add (the newest; search comes later).
CHOICES_LIMIT = 200


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _conflict_message(case: Case, exc: Conflict, seen: object) -> str:
    case.refresh_from_db()
    return (
        f"{exc.message} You were looking at version {seen}; it is now version {case.version}, "
        f"at {case.get_stage_display().lower()}."
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def case_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    page = selectors.case_list_page(actor, cursor=request.GET.get("after"), status=status)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "rows": page.items,
            "status": status,
            "statuses": CaseStatus.choices,
            "may_open": can(actor, Permission.CASE_MANAGE),
            "work_links": _cross_case_links(actor),
        },
    )


# The parts' pages about work across cases and their settings, linked from the case list.
CROSS_CASE_PAGES: tuple[tuple[str, str], ...] = (
    ("My case tasks", "cases:case_tasks_org:mine"),
    ("Risk reviews due", "cases:case_risk_org:reviews"),
    ("Approvals waiting for a supervisor", "cases:case_risk_org:approvals"),
    ("Referral responses overdue", "cases:case_referrals_org:overdue"),
    ("Supervision schedules", "cases:case_notes_org:index"),
    ("My supervision", "cases:case_notes_org:mine"),
    ("Learning across cases", "cases:case_learning_org:index"),
    ("Caseloads", "cases:caseload"),
    ("Referral agencies and deadlines", "cases:case_referrals_org:agencies"),
    ("Decision outcomes and sanctions", "cases:case_decisions_org:options"),
    ("Approval gates", "cases:case_risk_org:settings"),
    ("Harm-threshold tests", "cases:case_allegations_org:settings"),
    ("Learning themes", "cases:case_learning_org:settings"),
)


def _cross_case_links(actor: Any) -> list[tuple[str, str]]:
    """The pages above that exist and whose declared permission the reader holds (each view's
    own @requires, so a link never leads to a 403)."""
    links = []
    for label, name in CROSS_CASE_PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a part without that page
        perm = getattr(resolve(url).func, "safecase_permission", None)
        if perm is not None and can(actor, perm):
            links.append((label, url))
    return links


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case directly, or from a concern (?concern=<id>, e.g. from triage)."""
    actor = request.actor  # type: ignore[attr-defined]
    types = list(selectors.case_types_for(actor))
    members = None
    if can(actor, Permission.RECORD_RESTRICT):
        members = [
            (pk, name)
            for pk, name in selectors.organisation_members(actor)
            if pk != str(actor.user.pk)
        ]
    concern_id = request.POST.get("concern") or request.GET.get("concern")
    concern = None
    if concern_id:
        concern = access_object(
            actor, concerns_visible_to(actor), concern_id, Permission.CASE_MANAGE
        )
    form = OpenCaseForm(
        request.POST or None,
        initial={"concern": concern.pk if concern else None},
        case_types=[(str(t.pk), t.label) for t in types],
        members=members,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            case_type = next(t for t in types if str(t.pk) == data["case_type"])
            named = None
            if data.get("restrict"):
                named = list(User.objects.filter(pk__in=data.get("named_people") or []))
            try:
                case = actions.case_open(
                    actor=actor,
                    case_type=case_type,
                    title=data["title"],
                    reason=data["reason"],
                    concern=concern,
                    restrict_to=named,
                    restriction_reason=data.get("restriction_reason", ""),
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Case {case.reference} opened. You are its lead.")
                return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/case_open.html",
        {"form": form, "concern": concern},
        status=status,
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_or_404(request, case_id, Permission.CASE_VIEW, log_view=True)
    return _detail_page(request, case)


def _detail_page(
    request: HttpRequest, case: Case, *, status: int = 200, **forms: Any
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    detail = selectors.case_detail(actor, case)
    may_manage = (
        not case.is_closed and detail.may_change and can(actor, Permission.CASE_MANAGE, case)
    )
    context: dict[str, Any] = {
        "case": case,
        "detail": detail,
        "may_manage": may_manage,
        "bundle_exports": selectors.bundle_exports(case) if detail.may_change else [],
    }
    # The form with errors, if any, as "form": the layout's title then starts with "Error:".
    failed = forms.get("concern_form") or forms.get("subject_form")
    if failed is not None:
        context["form"] = failed
    # The add forms list up to CHOICES_LIMIT concerns and people each: built only when asked
    # for ("Add a person" / "Add a concern" links, ?add=...) or when one came back with errors,
    # so that reading a case does not pay for them.
    adding = request.GET.get("add", "")
    if may_manage and (adding == "concern" or forms.get("concern_form")):
        context["concern_form"] = forms.get("concern_form") or AddConcernForm(
            initial={"version": case.version}, concerns=_concern_choices(request, case)
        )
    if may_manage and (adding == "person" or forms.get("subject_form")):
        context["subject_form"] = forms.get("subject_form") or AddSubjectForm(
            initial={"version": case.version}, people=_people_choices(request, case)
        )
    return render_case_page(
        request, case, "cases/case_detail.html", context, part="overview", status=status
    )


def _concern_choices(request: HttpRequest, case: Case) -> list[tuple[str, str]]:
    actor = request.actor  # type: ignore[attr-defined]
    concerns = selectors.concerns_addable_to(actor, case).prefetch_related("people")
    return [(str(c.pk), selectors.concern_label(c)) for c in concerns[:CHOICES_LIMIT]]


def _people_choices(request: HttpRequest, case: Case) -> list[tuple[str, str]]:
    actor = request.actor  # type: ignore[attr-defined]
    people = selectors.people_addable_to(actor, case)[:CHOICES_LIMIT]
    return [
        (
            str(p.pk),
            f"{p.family_name.upper()}, {p.given_names}"
            + (f" ({p.date_of_birth:%d %b %Y})" if p.date_of_birth else ""),
        )
        for p in people
    ]


def _add_to_case(
    request: HttpRequest,
    case: Case,
    form: AddConcernForm | AddSubjectForm,
    *,
    add: Callable[[dict[str, Any]], object],
    added: str,
    form_name: str,
) -> HttpResponse:
    """Add a concern or a person to the case through ``add`` (which raises DomainError for a
    choice out of reach); a stale form is a conflict, bad input the page with its errors."""
    status = 422
    if form.is_valid():
        try:
            add(form.cleaned_data)
        except Conflict as exc:
            form.add_error(None, _conflict_message(case, exc, form.cleaned_data["version"]))
            status = 409
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, added)
            return redirect("cases:detail", case_id=case.pk)
    return _detail_page(request, case, status=status, **{form_name: form})


@requires(Permission.CASE_MANAGE)
@require_POST
def case_add_concern(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)

    def add(data: dict[str, Any]) -> object:
        concern = concerns_visible_to(actor).filter(pk=data["concern"]).first()
        if concern is None:
            raise DomainError("Choose a concern from the list.", field="concern")
        return actions.case_add_concern(
            actor=actor, case=case, version=data["version"], concern=concern, reason=data["reason"]
        )

    form = AddConcernForm(request.POST, concerns=_concern_choices(request, case))
    return _add_to_case(
        request, case, form, add=add, added="Concern added to the case.", form_name="concern_form"
    )


@requires(Permission.CASE_MANAGE)
@require_POST
def case_add_subject(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)

    def add(data: dict[str, Any]) -> object:
        person = people_visible_to(actor).filter(pk=data["person"]).first()
        if person is None:
            raise DomainError("Choose a person from the list.", field="person")
        return actions.case_add_subject(
            actor=actor, case=case, version=data["version"], person=person, role=data["role"]
        )

    form = AddSubjectForm(request.POST, people=_people_choices(request, case))
    return _add_to_case(
        request, case, form, add=add, added="Person added to the case.", form_name="subject_form"
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET", "POST"])
def case_stage(request: HttpRequest, case_id: str) -> HttpResponse:
    """Move the case on: only the moves its workflow allows and the actor may make are offered;
    the action checks again (a decision maker, not a case worker, leaves the decision stage)."""
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    moves = selectors.case_moves(actor, case)
    form = StageForm(
        request.POST or None,
        initial={"version": case.version},
        moves=[(m.to_stage, m.label) for m in moves],
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.case_advance_stage(
                    actor=actor,
                    case=case,
                    version=data["version"],
                    to_stage=data["to_stage"],
                    reason=data["reason"],
                )
            except Conflict as exc:
                form.add_error(None, _conflict_message(case, exc, data["version"]))
                status = 409
            except NotPermitted as exc:
                form.add_error(None, exc.message)
                status = 403
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Case moved to {case.get_stage_display().lower()}.")
                return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/case_stage.html",
        # "Every stage screen shows the current risk" (issue 4), this one included.
        {"form": form, "case": case, "moves": moves, "risk": current_risk(case)},
        status=status,
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def case_allocate(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    team = selectors.current_team(case)
    current = {str(m.pk): m for m in team}
    form = AllocateForm(
        request.POST or None,
        initial={"version": case.version, "role": TeamRole.CASE_WORKER},
        members=selectors.organisation_members(actor),
        current=[
            (pk, f"{m.user.full_name} ({m.get_role_display().lower()})")
            for pk, m in current.items()
        ],
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            user = selectors.user_in_organisation(case, data["user"])
            try:
                if user is None:
                    raise DomainError("Choose a member of your organisation.", field="user")
                actions.case_allocate(
                    actor=actor,
                    case=case,
                    version=data["version"],
                    user=user,
                    role=data["role"],
                    reason=data["reason"],
                    replacing=current.get(data["replacing"] or ""),
                )
            except Conflict as exc:
                form.add_error(None, _conflict_message(case, exc, data["version"]))
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Allocation recorded.")
                return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/case_allocate.html",
        {"form": form, "case": case, "team": team, "risk": current_risk(case)},
        status=status,
    )


@requires(Permission.CASE_VIEW_CASELOAD)
@require_http_methods(["GET"])
def caseload(request: HttpRequest) -> HttpResponse:
    rows = selectors.caseload(request.actor)  # type: ignore[attr-defined]
    return render(request, "cases/caseload.html", {"rows": rows})


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def concern_to_case(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Add a concern to an open case, from the concern's page or its triage (T4: "add to an
    existing case"). The case's version is the one read here: adding a concern depends on
    no state of the case but its being open, which the action checks."""
    actor = request.actor  # type: ignore[attr-defined]
    concern = access_object(actor, concerns_visible_to(actor), concern_id, Permission.CASE_MANAGE)
    open_cases = selectors.cases_open_for_concern(actor, concern)
    form = ConcernToCaseForm(
        request.POST or None,
        cases=[(str(c.pk), f"{c.reference} {c.title} ({c.case_type.label})") for c in open_cases],
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            case = next(c for c in open_cases if str(c.pk) == form.cleaned_data["case"])
            try:
                actions.case_add_concern(
                    actor=actor,
                    case=case,
                    version=case.version,
                    concern=concern,
                    reason=form.cleaned_data["reason"],
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Concern added to case {case.reference}.")
                return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/concern_to_case.html",
        {"form": form, "concern": concern, "open_cases": open_cases},
        status=status,
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
@requires_recent_step_up
def case_bundle(request: HttpRequest, case_id: str) -> HttpResponse:
    """The case bundle PDF (bundle.py), for the owning organisation; needs a step-up like
    every export (ADR 0007), and its SHA-256 is audited before the file leaves."""
    actor = request.actor  # type: ignore[attr-defined]
    # No record.viewed event: the export event is the record of this read.
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    content = bundle.bundle_of(actor, case)
    user = actor.user
    data = bundle.bundle_pdf(
        content, generated_by=user.full_name or user.email if user else actor.label
    )
    digest = bundle.record_bundle_export(
        actor=actor, case=case, data=data, sections=len(content.sections)
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, bundle.bundle_filename(case)) or "attachment"
    )
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The hash the audit trail holds, so whoever receives the file can check it.
    response["X-Safecase-SHA256"] = digest
    return response
