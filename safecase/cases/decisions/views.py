"""The Decision and appeal tab of a case: the current decision, the history, the appeal; the
pages that record a decision, lodge an appeal, set its panel and hearing, record its outcome;
a decision with its frozen snapshot; and the organisation's outcomes and sanctions.

Every view declares its permission; a case out of reach answers 404 (case_or_404). Bad input
answers 422 with the form's errors and nothing saved; a stale form 409 with a conflict
message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.choices import Stage
from safecase.cases.decisions import actions, selectors
from safecase.cases.decisions.choices import AppealOutcome, OptionKind
from safecase.cases.decisions.forms import (
    AppealForm,
    AppealOutcomeForm,
    DecisionForm,
    OptionAddForm,
    PanelForm,
)
from safecase.cases.decisions.models import Appeal, DecisionOption
from safecase.cases.models import Case, CaseSubject
from safecase.cases.page import case_or_404, render_case_page
from safecase.core.errors import Conflict, DomainError

PART = "decision"


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.field == "sanctions" or exc.field == "appellant":
        field = None
    form.add_error(field, exc.message)


def _may_change(request: HttpRequest, case: Case, perm: Permission) -> bool:
    actor = request.actor  # type: ignore[attr-defined]
    return (
        not case.is_closed
        and case.organisation_id == actor.organisation_id
        and can(actor, perm, case)
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def index(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_or_404(request, case_id, Permission.CASE_VIEW)
    page = selectors.decision_page(case)
    may_decide = _may_change(request, case, Permission.CASE_DECIDE)
    may_manage = _may_change(request, case, Permission.CASE_MANAGE)
    return render_case_page(
        request,
        case,
        "case_decisions/index.html",
        {
            "page": page,
            "may_record": may_decide
            and page.open_appeal is None
            and (page.current is not None or case.stage == Stage.DECISION),
            "may_lodge": may_manage and page.current is not None and page.open_appeal is None,
            "may_manage": may_manage,
            "may_decide": may_decide,
        },
        part=PART,
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def decision_detail(request: HttpRequest, case_id: str, decision_id: str) -> HttpResponse:
    """A decision as it was made, with the snapshot of what its decision makers could see."""
    case = case_or_404(request, case_id, Permission.CASE_VIEW)
    decision = selectors.decision_on(request.actor, case.pk, decision_id)  # type: ignore[attr-defined]
    if decision is None:
        raise Http404
    snapshot = decision.snapshot
    return render_case_page(
        request,
        case,
        "case_decisions/decision_detail.html",
        {
            "decision": decision,
            "snapshot": snapshot,
            "hash_matches": selectors.snapshot_hash(snapshot) == decision.snapshot_sha256,
            "stage_labels": dict(Stage.choices),
        },
        part=PART,
    )


def _conflict(form: Any, exc: Conflict) -> None:
    form.add_error(None, exc.message)


@requires(Permission.CASE_DECIDE)
@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_DECIDE, own=True)
    current = selectors.current_decision(case)
    form = DecisionForm(
        request.POST or None,
        initial={"version": case.version, "decision_makers": [str(actor.user.pk)]},
        outcomes=selectors.outcomes_for_case(case),
        sanctions=selectors.sanctions_for_case(case),
        makers=selectors.decision_maker_choices(case),
        superseding=current is not None,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = actions.decision_record(
                    actor=actor,
                    case=case,
                    version=data["version"],
                    outcome=form.outcome_options[data["outcome"]],
                    sanctions=form.chosen_sanctions(data),
                    decision_makers=selectors.users_of(case, data["decision_makers"]),
                    rationale=data["rationale"],
                    decided_at=data["decided_at"],
                    supersede_reason=data.get("supersede_reason") or "",
                )
            except Conflict as exc:
                _conflict(form, exc)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Decision {decision.number} recorded.")
                return redirect("cases:case_decisions:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_decisions/decision_form.html",
        {"form": form, "current": current, "rows": form.sanction_rows(form)},
        part=PART,
        status=status,
    )


def _people(case: Case) -> list[tuple[str, str]]:
    return [
        (str(s.person_id), f"{s.person.display_name} ({s.get_role_display().lower()})")
        for s in CaseSubject.objects.filter(case=case).select_related("person")[:200]
    ]


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    current = selectors.current_decision(case)
    if current is None:
        messages.error(request, "There is no decision to appeal yet.")
        return redirect("cases:case_decisions:index", case_id=case.pk)
    people = _people(case)
    form = AppealForm(
        request.POST or None,
        initial={"version": case.version},
        people=people,
        deadline=selectors.default_deadline(current.decided_at),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            person = None
            if data["appellant_person"]:
                subject = (
                    CaseSubject.objects.filter(case=case, person_id=data["appellant_person"])
                    .select_related("person")
                    .first()
                )
                person = subject.person if subject else None
            try:
                actions.appeal_lodge(
                    actor=actor,
                    case=case,
                    version=data["version"],
                    decision=current,
                    appellant_person=person,
                    appellant_name=data["appellant_name"],
                    appellant_role=data["appellant_role"],
                    grounds=data["grounds"],
                    lodged_at=data["lodged_at"],
                    deadline=data["deadline"],
                    late_reason=data["late_reason"],
                )
            except Conflict as exc:
                _conflict(form, exc)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Appeal lodged. Next: set the panel and hearing.")
                return redirect("cases:case_decisions:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_decisions/appeal_form.html",
        {"form": form, "current": current},
        part=PART,
        status=status,
    )


def _appeal(case: Case, appeal_id: str) -> Appeal:
    appeal = selectors.appeal_on(case, appeal_id)
    if appeal is None:
        raise Http404
    return appeal


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def appeal_panel(request: HttpRequest, case_id: str, appeal_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    appeal = _appeal(case, appeal_id)
    original = {str(u.pk): u.full_name for u in appeal.decision.decision_makers.all()}
    form = PanelForm(
        request.POST or None,
        initial={
            "version": appeal.version,
            "panel": [str(u.pk) for u in appeal.panel.all()],
            "hearing_at": appeal.hearing_at,
        },
        members=selectors.decision_maker_choices(case),
        original_makers=original,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.appeal_set_panel(
                    actor=actor,
                    appeal=appeal,
                    version=data["version"],
                    panel=selectors.users_of(case, data["panel"]),
                    hearing_at=data["hearing_at"],
                )
            except Conflict as exc:
                _conflict(form, exc)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Appeal panel and hearing recorded.")
                return redirect("cases:case_decisions:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_decisions/panel_form.html",
        {"form": form, "appeal": appeal},
        part=PART,
        status=status,
    )


@requires(Permission.CASE_DECIDE)
@require_http_methods(["GET", "POST"])
def appeal_outcome(request: HttpRequest, case_id: str, appeal_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_DECIDE, own=True)
    appeal = _appeal(case, appeal_id)
    panel = [(str(u.pk), u.full_name) for u in appeal.panel.all()]
    form = AppealOutcomeForm(
        request.POST or None,
        initial={"version": appeal.version},
        outcomes=selectors.outcomes_for_case(case),
        sanctions=selectors.sanctions_for_case(case),
        panel=panel,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            varied = data["outcome"] == AppealOutcome.VARIED
            try:
                actions.appeal_record_outcome(
                    actor=actor,
                    appeal=appeal,
                    version=data["version"],
                    outcome=data["outcome"],
                    reason=data["outcome_reason"],
                    decided_at=data["decided_at"],
                    new_outcome=form.outcome_options.get(data["new_outcome"] or ""),
                    sanctions=form.chosen_sanctions(data),
                    decision_makers=(
                        selectors.users_of(case, data["decision_makers"])
                        if varied and data["decision_makers"]
                        else None
                    ),
                    rationale=data["rationale"],
                )
            except Conflict as exc:
                _conflict(form, exc)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Appeal outcome recorded.")
                return redirect("cases:case_decisions:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_decisions/outcome_form.html",
        {"form": form, "appeal": appeal, "rows": form.sanction_rows(form)},
        part=PART,
        status=status,
    )


# --- The organisation's outcomes and sanctions (mounted at /cases/decisions/) ---------------


def _options_page(request: HttpRequest, form: OptionAddForm, status: int = 200) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    org = actor.organisation_id
    return render(
        request,
        "case_decisions/options.html",
        {
            "form": form,
            "outcomes": list(selectors.options_for(org, OptionKind.OUTCOME, include_hidden=True)),
            "sanctions": list(selectors.options_for(org, OptionKind.SANCTION, include_hidden=True)),
        },
        status=status,
    )


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def options(request: HttpRequest) -> HttpResponse:
    """The outcomes and sanctions the organisation offers; add one of its own."""
    actor = request.actor  # type: ignore[attr-defined]
    form = OptionAddForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                option = actions.decision_option_add(actor=actor, **data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"{option.label} added.")
                return redirect("cases:case_decisions_org:options")
        return _options_page(request, form, 422)
    return _options_page(request, form)


@requires(Permission.CONCERN_CONFIGURE)
@require_POST
def option_in_use(request: HttpRequest, option_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    option = DecisionOption.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id=actor.organisation_id), pk=option_id
    ).first()
    if option is None:
        raise Http404
    in_use = request.POST.get("in_use") == "1"
    actions.decision_option_set_in_use(actor=actor, option=option, in_use=in_use)
    messages.success(
        request, f"{option.label} is {'offered again' if in_use else 'no longer offered'}."
    )
    return redirect("cases:case_decisions_org:options")
