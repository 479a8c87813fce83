"""The allegation tab of a case (W12) and the lead's harm-test settings.

The tab reads with case.view (a partner with a share reads too); every form posts to its
own view, which needs case.manage on the owning organisation's case. A case that is not an
allegation's answers 409 with the reason; a case out of reach 404; bad input 422 with the
form's errors and nothing saved; a stale form 409 with the conflict message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.allegations import actions, selectors
from safecase.cases.allegations.forms import (
    BarringForm,
    HarmTestForm,
    HarmTestSettingsForm,
    LadoForm,
    OutcomeForm,
    ReviewForm,
    SuspensionForm,
)
from safecase.cases.models import Case
from safecase.cases.page import case_or_404, render_case_page
from safecase.core.errors import Conflict, DomainError

Form = Any


def _form_error(form: Form, exc: DomainError) -> None:
    field = exc.field
    if field and f"answer_{field}" in form.fields:
        field = f"answer_{field}"
    form.add_error(field if field in form.fields else None, exc.message)


def _not_allegation(request: HttpRequest, case: Case) -> HttpResponse:
    return render_case_page(
        request,
        case,
        "case_allegations/not_allegation.html",
        {"message": selectors.NOT_AN_ALLEGATION},
        part="allegation",
        status=409,
    )


def _page(request: HttpRequest, case: Case, *, status: int = 200, **forms: Form) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    part = selectors.allegation_part(case)
    may_manage = (
        not case.is_closed
        and case.organisation_id == actor.organisation_id
        and can(actor, Permission.CASE_MANAGE, case)
    )
    today = timezone.localdate()
    context: dict[str, Any] = {"part": part, "may_manage": may_manage, "today": today}
    failed = next((f for f in forms.values() if f is not None), None)
    if failed is not None:
        context["form"] = failed
    failed_outcome = forms.get("outcome_form")
    if may_manage:
        initial = {"version": part.version}
        context["harm_form"] = forms.get("harm_form") or HarmTestForm(
            prefix="harm", initial=initial, questions=part.questions
        )
        context["lado_form"] = forms.get("lado_form") or LadoForm(
            prefix="lado",
            initial={
                **initial,
                "lado_reference": part.allegation.lado_reference if part.allegation else "",
            },
        )
        current = part.current_decision
        if current is None:
            context["suspension_form"] = forms.get("suspension_form") or SuspensionForm(
                prefix="suspend", initial={**initial, "starts_on": today}
            )
        else:
            context["review_form"] = forms.get("review_form") or ReviewForm(
                prefix="review", initial={"version": current.version, "reviewed_on": today}
            )
        context["barring_form"] = forms.get("barring_form") or BarringForm(
            prefix="refer", initial={**initial, "referred_on": today}
        )
        context["outcome_forms"] = {
            str(r.pk): (
                failed_outcome
                if failed_outcome is not None and failed_outcome.prefix == f"outcome-{r.pk}"
                else OutcomeForm(prefix=f"outcome-{r.pk}", initial={"version": r.version})
            )
            for r in part.referrals
            if not r.outcome
        }
    return render_case_page(
        request, case, "case_allegations/index.html", context, part="allegation", status=status
    )


def _managed_case(request: HttpRequest, case_id: str) -> Case:
    return case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)


def _submit(
    request: HttpRequest,
    case: Case,
    form: Form,
    name: str,
    do: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    if not selectors.is_allegation_case(case):
        return _not_allegation(request, case)
    status = 422
    if form.is_valid():
        try:
            do(form.cleaned_data)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("cases:case_allegations:index", case_id=case.pk)
    return _page(request, case, status=status, **{name: form})


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def allegation_index(request: HttpRequest, case_id: str) -> HttpResponse:
    # An allegation against an adult is sensitive: every read of it is on the audit trail.
    case = case_or_404(request, case_id, Permission.CASE_VIEW, log_view=True)
    if not selectors.is_allegation_case(case):
        return _not_allegation(request, case)
    return _page(request, case)


@requires(Permission.CASE_MANAGE)
@require_POST
def harm_test(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = _managed_case(request, case_id)
    form = HarmTestForm(
        request.POST, prefix="harm", questions=selectors.harm_tests_for(case.organisation_id)
    )

    def do(data: dict[str, Any]) -> object:
        return actions.harm_test_record(
            actor=actor,
            case=case,
            version=data["version"],
            answers=form.answers(),
            notes=form.notes(),
            summary=data["summary"],
        )

    return _submit(request, case, form, "harm_form", do, "Harm-threshold test recorded.")


@requires(Permission.CASE_MANAGE)
@require_POST
def lado(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = _managed_case(request, case_id)
    form = LadoForm(request.POST, prefix="lado")

    def do(data: dict[str, Any]) -> object:
        referred_at = timezone.make_aware(
            datetime.combine(data["referred_on"], data["referred_time"])
        )
        return actions.allegation_record_lado(
            actor=actor,
            case=case,
            version=data["version"],
            reference=data["lado_reference"],
            referred_at=referred_at,
        )

    return _submit(request, case, form, "lado_form", do, "LADO referral recorded.")


@requires(Permission.CASE_MANAGE)
@require_POST
def suspension(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = _managed_case(request, case_id)
    form = SuspensionForm(request.POST, prefix="suspend")

    def do(data: dict[str, Any]) -> object:
        return actions.suspension_decide(actor=actor, case=case, **data)

    return _submit(request, case, form, "suspension_form", do, "Suspension decision recorded.")


@requires(Permission.CASE_MANAGE)
@require_POST
def suspension_review(request: HttpRequest, case_id: str, decision_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = _managed_case(request, case_id)
    decision = selectors.decision_on(case, decision_id)
    if decision is None:
        raise Http404
    form = ReviewForm(request.POST, prefix="review")

    def do(data: dict[str, Any]) -> object:
        return actions.suspension_review(actor=actor, decision=decision, **data)

    return _submit(request, case, form, "review_form", do, "Suspension review recorded.")


@requires(Permission.CASE_MANAGE)
@require_POST
def barring_refer(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = _managed_case(request, case_id)
    form = BarringForm(request.POST, prefix="refer")

    def do(data: dict[str, Any]) -> object:
        return actions.barring_refer(actor=actor, case=case, **data)

    return _submit(request, case, form, "barring_form", do, "Referral recorded.")


@requires(Permission.CASE_MANAGE)
@require_POST
def barring_outcome(request: HttpRequest, case_id: str, referral_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = _managed_case(request, case_id)
    referral = selectors.referral_on(case, referral_id)
    if referral is None:
        raise Http404
    form = OutcomeForm(request.POST, prefix=f"outcome-{referral.pk}")

    def do(data: dict[str, Any]) -> object:
        return actions.barring_record_outcome(actor=actor, referral=referral, **data)

    return _submit(request, case, form, "outcome_form", do, "Outcome recorded.")


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def harm_test_settings(request: HttpRequest) -> HttpResponse:
    """The lead's wording of the harm tests (the four KCSIE tests until changed)."""
    actor = request.actor  # type: ignore[attr-defined]
    org_id = actor.organisation_id
    questions = [q["question"] for q in selectors.harm_tests_for(org_id)]
    version = selectors.settings_version(org_id)
    form = HarmTestSettingsForm(
        request.POST or None, initial={"version": version}, questions=questions
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.allegation_settings_update(
                    actor=actor, version=form.cleaned_data["version"], questions=form.questions()
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Harm-threshold tests saved.")
                return redirect("cases:case_allegations_org:settings")
    return render(request, "case_allegations/settings.html", {"form": form}, status=status)
