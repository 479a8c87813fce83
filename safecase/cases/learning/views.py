"""The learning tab of a case, the organisation's learning page (themes counted across the
cases the reader may see, open recommendations) and the lead's theme settings.

The tab and the learning page read with case.view; the forms need case.manage on the owning
organisation's case. Bad input 422 with the form's errors and nothing saved; a stale form
409; a case out of reach 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.learning import actions, selectors
from safecase.cases.learning.forms import RecommendationForm, ReviewForm, StatusForm, ThemesForm
from safecase.cases.models import Case
from safecase.cases.page import case_or_404, render_case_page
from safecase.cases.selectors import organisation_members, user_in_organisation
from safecase.core.errors import Conflict, DomainError

Form = Any


def _form_error(form: Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _theme_choices(case: Case, tagged: list[str]) -> list[tuple[str, str]]:
    """The active themes, and any retired one the review already carries."""
    themes = selectors.themes_for(case.organisation_id)
    return [(t["code"], t["label"]) for t in themes if t["active"] or t["code"] in tagged]


def _page(request: HttpRequest, case: Case, *, status: int = 200, **forms: Form) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    part = selectors.learning_part(case)
    may_manage = (
        not case.is_closed
        and case.organisation_id == actor.organisation_id
        and can(actor, Permission.CASE_MANAGE, case)
    )
    context: dict[str, Any] = {"part": part, "may_manage": may_manage}
    failed = next((f for f in forms.values() if f is not None), None)
    if failed is not None:
        context["form"] = failed
    if may_manage:
        review = part.review
        initial: dict[str, Any] = {"version": part.version, "themes": part.themes}
        if review is not None:
            initial.update(
                went_well=review.went_well,
                do_better=review.do_better,
                why_it_happened=review.why_it_happened,
                facilitator=review.facilitator,
                held_on=review.held_on,
            )
        context["review_form"] = forms.get("review_form") or ReviewForm(
            prefix="review", initial=initial, themes=_theme_choices(case, part.themes)
        )
        if review is not None:
            context["recommendation_form"] = forms.get("recommendation_form") or (
                RecommendationForm(
                    prefix="rec",
                    initial={"version": part.version},
                    members=organisation_members(actor),
                )
            )
        failed_status = forms.get("status_form")
        context["status_forms"] = {
            str(r.pk): (
                failed_status
                if failed_status is not None and failed_status.prefix == f"status-{r.pk}"
                else StatusForm(
                    prefix=f"status-{r.pk}", initial={"version": r.version, "status": r.status}
                )
            )
            for r in part.recommendations
        }
    return render_case_page(
        request, case, "case_learning/index.html", context, part="learning", status=status
    )


def _submit(
    request: HttpRequest,
    case: Case,
    form: Form,
    name: str,
    do: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
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
            return redirect("cases:case_learning:index", case_id=case.pk)
    return _page(request, case, status=status, **{name: form})


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def learning_index(request: HttpRequest, case_id: str) -> HttpResponse:
    return _page(request, case_or_404(request, case_id, Permission.CASE_VIEW))


@requires(Permission.CASE_MANAGE)
@require_POST
def review_save(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    tagged = selectors.learning_part(case).themes
    form = ReviewForm(request.POST, prefix="review", themes=_theme_choices(case, tagged))

    def do(data: dict[str, Any]) -> object:
        return actions.learning_review_save(actor=actor, case=case, **data)

    return _submit(request, case, form, "review_form", do, "Learning review saved.")


@requires(Permission.CASE_MANAGE)
@require_POST
def recommendation_add(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    form = RecommendationForm(request.POST, prefix="rec", members=organisation_members(actor))

    def do(data: dict[str, Any]) -> object:
        owner = user_in_organisation(case, data["owner"])
        if owner is None:
            raise DomainError("Choose an active member of your organisation.", field="owner")
        return actions.recommendation_add(
            actor=actor,
            case=case,
            version=data["version"],
            text=data["text"],
            owner=owner,
            due_on=data["due_on"],
        )

    return _submit(request, case, form, "recommendation_form", do, "Recommendation added.")


@requires(Permission.CASE_MANAGE)
@require_POST
def recommendation_status(
    request: HttpRequest, case_id: str, recommendation_id: str
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    recommendation = selectors.recommendation_on(case, recommendation_id)
    if recommendation is None:
        raise Http404
    form = StatusForm(request.POST, prefix=f"status-{recommendation.pk}")

    def do(data: dict[str, Any]) -> object:
        return actions.recommendation_update(actor=actor, recommendation=recommendation, **data)

    return _submit(request, case, form, "status_form", do, "Recommendation updated.")


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def learning_overview(request: HttpRequest) -> HttpResponse:
    """Themes counted across the cases the reader may see, and the open recommendations
    (soonest due first, a page at a time), optionally for one theme."""
    actor = request.actor  # type: ignore[attr-defined]
    labels = selectors.theme_labels(actor.organisation_id)
    theme = request.GET.get("theme", "")
    theme = theme if theme in labels else ""
    page = selectors.open_recommendations_page(actor, cursor=request.GET.get("after"), theme=theme)
    return render(
        request,
        "case_learning/overview.html",
        {
            "counts": selectors.theme_counts(actor),
            "page": page,
            "rows": page.items,
            "theme": theme,
            "theme_label": labels.get(theme, ""),
            "may_configure": can(actor, Permission.CONCERN_CONFIGURE),
        },
    )


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def theme_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    org_id = actor.organisation_id
    active = [t["label"] for t in selectors.active_themes(org_id)]
    form = ThemesForm(
        request.POST or None,
        initial={"version": selectors.settings_version(org_id), "labels": "\n".join(active)},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.learning_settings_update(
                    actor=actor, version=form.cleaned_data["version"], labels=form.lines()
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Themes saved.")
                return redirect("cases:case_learning_org:settings")
    retired = [t["label"] for t in selectors.themes_for(org_id) if not t["active"]]
    return render(
        request, "case_learning/settings.html", {"form": form, "retired": retired}, status=status
    )
