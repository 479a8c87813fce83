"""The lead's screens for the organisation's safeguarding settings (issue 3): categories,
triage timings, level-of-need labels and pattern rules. Every screen needs concern.configure
and works on the actor's own organisation only; changes go through config_actions.

A stale form (someone else saved first) answers 409 with what is saved now and what this user
typed, never a silent overwrite; bad input answers 422 and saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.concerns import config_actions, patterns, selectors
from safecase.concerns.forms_config import (
    CategoryAddForm,
    CategoryChangeForm,
    CategoryRenameForm,
    LevelLabelsForm,
    PatternRuleForm,
    TimingsForm,
)
from safecase.concerns.models import Category, PatternKind, PatternRule
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError

# What each pattern's two numbers mean, in the lead's words.
PATTERN_HELP: dict[str, tuple[str, str]] = {
    PatternKind.REPEATED_ABOUT_PERSON: (
        "Concerns about the same person",
        "An alert when this many concerns about one person are submitted within the days below.",
    ),
    PatternKind.RISING_SEVERITY: (
        "Triage decisions, each at a higher level of need than the one before",
        "An alert when this many triage decisions in a row about one linked person rise in "
        "level of need within the days below (at most 4: the scale has four levels).",
    ),
    PatternKind.SAME_ADULT: (
        "Children named in concerns that name the same adult",
        "An alert when the same adult is named as the person alleged to have caused harm in "
        "concerns about this many children within the days below.",
    ),
    PatternKind.RECURRING_LOCATION: (
        "Concerns at the same place",
        "An alert when this many concerns give the same place within the days below.",
    ),
}


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined, no-any-return]


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _status(form: Any) -> int:
    return 409 if form.non_field_errors() else (422 if form.errors else 200)


def _access_category(actor: Actor, category_id: int, *, own_only: bool = False) -> Category:
    """A category in the actor's organisation's list (its own only, if asked) or 404, for
    missing and forbidden alike; a forbidden attempt on one that exists is audited."""
    scoped = selectors.categories_for(actor, include_retired=True)
    if own_only:
        scoped = scoped.filter(organisation_id=actor.organisation_id)
    category = scoped.filter(pk=category_id).first()
    if category is None:
        if Category.objects.filter(pk=category_id).exists():
            recorder.record_in_own_transaction(
                actor=actor,
                action=AuditAction.ACCESS_DENIED,
                outcome=Outcome.DENIED,
                subject_type=Category._meta.label_lower,
                subject_id=str(category_id),
                changes={"permission": str(Permission.CONCERN_CONFIGURE)},
            )
        raise Http404
    return category


@dataclass(frozen=True)
class RuleRow:
    rule: PatternRule
    name: str
    counts: str
    explanation: str
    is_shipped: bool


def _rules(actor: Actor) -> list[RuleRow]:
    """Every pattern, as the organisation has set it or (version 0) as shipped."""
    own = {r.kind: r for r in PatternRule.objects.filter(organisation_id=actor.organisation_id)}
    rows = []
    for default in patterns.DEFAULT_RULES:
        rule = own.get(default.kind) or PatternRule(
            organisation_id=actor.organisation_id,
            kind=default.kind,
            threshold=default.threshold,
            window_days=default.window_days,
            is_active=True,
            version=0,
        )
        counts, explanation = PATTERN_HELP[default.kind]
        rows.append(
            RuleRow(rule, PatternKind(default.kind).label, counts, explanation, rule.version == 0)
        )
    return rows


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET"])
def config_index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    categories = list(selectors.categories_for(actor, include_retired=True))
    in_use = [c for c in categories if c.is_active and not c.hidden_here]  # type: ignore[attr-defined]
    return render(
        request,
        "concerns/config/index.html",
        {
            "config": selectors.safeguarding_settings_for(actor.organisation_id),
            "categories_in_use": len(in_use),
            "categories_retired": len(categories) - len(in_use),
            "categories_own": sum(1 for c in categories if c.organisation_id is not None),
            "rules": _rules(actor),
        },
    )


# --- Categories -------------------------------------------------------------------------------


def _categories_page(
    request: HttpRequest,
    *,
    add_form: CategoryAddForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    version = selectors.safeguarding_settings_for(actor.organisation_id).categories_version
    categories = list(selectors.categories_for(actor, include_retired=True))
    rows = [
        {
            "category": c,
            "shipped": c.organisation_id is None,
            "active": c.is_active and not c.hidden_here,  # type: ignore[attr-defined]
            "first": i == 0,
            "last": i == len(categories) - 1,
        }
        for i, c in enumerate(categories)
    ]
    return render(
        request,
        "concerns/config/categories.html",
        {
            "rows": rows,
            "version": version,
            "add_form": add_form or CategoryAddForm(initial={"version": version}),
            "error": error,
        },
        status=status,
    )


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET"])
def config_categories(request: HttpRequest) -> HttpResponse:
    return _categories_page(request)


def _with_current_version(form_class: Any, request: HttpRequest, version: int) -> Any:
    """The form as this user typed it, against the version saved now, so that submitting it
    again applies their change knowingly."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data)
    form.is_valid()
    return form


@requires(Permission.CONCERN_CONFIGURE)
@require_POST
def config_category_add(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = CategoryAddForm(request.POST)
    if form.is_valid():
        try:
            category = config_actions.category_add(
                actor=actor, label=form.cleaned_data["label"], version=form.cleaned_data["version"]
            )
        except Conflict as exc:
            version = selectors.safeguarding_settings_for(actor.organisation_id).categories_version
            form = _with_current_version(CategoryAddForm, request, version)
            form.add_error(
                None,
                f"{exc.message} The list below is as it is now; add the category again if it is "
                "still needed.",
            )
            return _categories_page(request, add_form=form, status=409)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"“{category.label}” added.")
            return redirect("concerns:config_categories")
    return _categories_page(request, add_form=form, status=422)


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def config_category_rename(request: HttpRequest, category_id: int) -> HttpResponse:
    actor = _actor(request)
    category = _access_category(actor, category_id, own_only=True)
    version = selectors.safeguarding_settings_for(actor.organisation_id).categories_version
    form = (
        CategoryRenameForm(request.POST)
        if request.method == "POST"
        else CategoryRenameForm(initial={"label": category.label, "version": version})
    )
    if request.method == "POST" and form.is_valid():
        try:
            config_actions.category_rename(
                actor=actor,
                category=category,
                label=form.cleaned_data["label"],
                version=form.cleaned_data["version"],
            )
        except Conflict as exc:
            category.refresh_from_db()
            version = selectors.safeguarding_settings_for(actor.organisation_id).categories_version
            form = _with_current_version(CategoryRenameForm, request, version)
            form.add_error(
                None,
                f"{exc.message} Its name now: “{category.label}”. Your new name is below; save "
                "again to apply it.",
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Category renamed.")
            return redirect("concerns:config_categories")
    return render(
        request,
        "concerns/config/category_rename.html",
        {"form": form, "category": category},
        status=_status(form),
    )


def _category_change(request: HttpRequest, category_id: int, change: str) -> HttpResponse:
    actor = _actor(request)
    category = _access_category(actor, category_id)
    form = CategoryChangeForm(request.POST)
    if not form.is_valid():
        return _categories_page(
            request,
            error="Something was missing from that request. Try again from the list below.",
            status=422,
        )
    version = form.cleaned_data["version"]
    try:
        if change == "move":
            config_actions.category_move(
                actor=actor,
                category=category,
                direction=form.cleaned_data["direction"],
                version=version,
            )
            done = f"“{category.label}” moved."
        else:
            active = change == "reinstate"
            config_actions.category_set_active(
                actor=actor, category=category, active=active, version=version
            )
            done = (
                f"“{category.label}” reinstated: recorders can choose it again."
                if active
                else f"“{category.label}” retired: recorders no longer see it. Concerns already "
                "recorded under it keep it."
            )
    except Conflict as exc:
        return _categories_page(
            request,
            error=f"{exc.message} The list below is as it is now; make your change again if it "
            "is still needed.",
            status=409,
        )
    except DomainError as exc:
        return _categories_page(request, error=exc.message, status=422)
    messages.success(request, done)
    return redirect("concerns:config_categories")


@requires(Permission.CONCERN_CONFIGURE)
@require_POST
def config_category_retire(request: HttpRequest, category_id: int) -> HttpResponse:
    return _category_change(request, category_id, "retire")


@requires(Permission.CONCERN_CONFIGURE)
@require_POST
def config_category_reinstate(request: HttpRequest, category_id: int) -> HttpResponse:
    return _category_change(request, category_id, "reinstate")


@requires(Permission.CONCERN_CONFIGURE)
@require_POST
def config_category_move(request: HttpRequest, category_id: int) -> HttpResponse:
    return _category_change(request, category_id, "move")


# --- Triage timings and level-of-need labels ----------------------------------------------------


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def config_timings(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    config = selectors.safeguarding_settings_for(actor.organisation_id)
    form = (
        TimingsForm(request.POST) if request.method == "POST" else TimingsForm.for_settings(config)
    )
    if request.method == "POST" and form.is_valid():
        try:
            config_actions.triage_timings_update(actor=actor, **form.cleaned_data)
        except Conflict as exc:
            config = selectors.safeguarding_settings_for(actor.organisation_id)
            form = _with_current_version(TimingsForm, request, config.version)
            form.add_error(
                None,
                f"{exc.message} Saved now: overdue after {config.effective_overdue_hours} hours, "
                f"escalated after {config.effective_escalate_hours} hours. Your changes are "
                "below; save again to apply them.",
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Triage timings saved.")
            return redirect("concerns:config")
    return render(
        request,
        "concerns/config/timings.html",
        {
            "form": form,
            "config": config,
            "default_overdue": config.default_overdue_hours(),
            "default_escalate": config.default_escalate_hours(),
        },
        status=_status(form),
    )


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def config_levels(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    config = selectors.safeguarding_settings_for(actor.organisation_id)
    form = (
        LevelLabelsForm(request.POST)
        if request.method == "POST"
        else LevelLabelsForm.for_settings(config)
    )
    if request.method == "POST" and form.is_valid():
        try:
            config_actions.level_labels_update(
                actor=actor, labels=form.labels(), version=form.cleaned_data["version"]
            )
        except Conflict as exc:
            config = selectors.safeguarding_settings_for(actor.organisation_id)
            form = _with_current_version(LevelLabelsForm, request, config.version)
            saved = "; ".join(label for _, label in config.level_choices())
            form.add_error(
                None,
                f"{exc.message} Saved now: {saved}. Your changes are below; save again to apply "
                "them.",
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Level-of-need labels saved.")
            return redirect("concerns:config")
    return render(request, "concerns/config/levels.html", {"form": form}, status=_status(form))


# --- Pattern rules ----------------------------------------------------------------------------


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET"])
def config_patterns(request: HttpRequest) -> HttpResponse:
    return render(request, "concerns/config/patterns.html", {"rules": _rules(_actor(request))})


@requires(Permission.CONCERN_CONFIGURE)
@require_http_methods(["GET", "POST"])
def config_pattern_edit(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    row = next((r for r in _rules(actor) if r.rule.kind == kind), None)
    if row is None:
        raise Http404
    form = (
        PatternRuleForm(request.POST)
        if request.method == "POST"
        else PatternRuleForm.for_rule(row.rule)
    )
    if request.method == "POST" and form.is_valid():
        try:
            config_actions.pattern_rule_update(actor=actor, kind=kind, **form.cleaned_data)
        except Conflict as exc:
            row = next(r for r in _rules(actor) if r.rule.kind == kind)
            form = _with_current_version(PatternRuleForm, request, row.rule.version)
            state = "on" if row.rule.is_active else "off"
            form.add_error(
                None,
                f"{exc.message} Saved now: {row.rule.threshold} within "
                f"{row.rule.window_days} days, switched {state}. Your changes are below; save "
                "again to apply them.",
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"“{row.name}” saved.")
            return redirect("concerns:config_patterns")
    form.fields["threshold"].help_text = row.counts
    return render(
        request,
        "concerns/config/pattern_edit.html",
        {"form": form, "row": row},
        status=_status(form),
    )
