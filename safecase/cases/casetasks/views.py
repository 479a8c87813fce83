"""The case's Tasks tab (its tasks, setting one, marking one done or cancelled) and "My tasks"
(the open tasks the reader owns, overdue first).

Every view declares its permission; a case out of reach answers 404 (page.case_or_404). Bad
input answers 422 with the form's errors and nothing saved; a stale form 409.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import forbidden, requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases import selectors as case_selectors
from safecase.cases.casetasks import actions, selectors
from safecase.cases.casetasks.forms import TaskForm, TaskStatusForm
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.models import Case
from safecase.cases.page import case_or_404, render_case_page
from safecase.core.errors import Conflict, DomainError, NotPermitted


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _may_set(request: HttpRequest, case: Case) -> bool:
    actor = request.actor  # type: ignore[attr-defined]
    return (
        not case.is_closed
        and case.organisation_id == actor.organisation_id
        and can(actor, Permission.CASE_MANAGE, case)
    )


def _task_form(request: HttpRequest, case: Case, data: Any = None) -> TaskForm:
    actor = request.actor  # type: ignore[attr-defined]
    return TaskForm(
        data, initial={"owner": str(actor.user.pk)}, owners=selectors.owner_choices(case)
    )


def _page(
    request: HttpRequest,
    case: Case,
    *,
    form: TaskForm | None = None,
    failed: TaskStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    may_set = _may_set(request, case)
    tasks = selectors.case_tasks(case)
    may_manage = may_set
    context: dict[str, Any] = {
        "tasks": tasks,
        "today": timezone.localdate(),
        "may_set": may_set,
        "task_form": form or (_task_form(request, case) if may_set else None),
        "closable": {
            t.pk
            for t in tasks
            if t.is_open
            and not case.is_closed
            and case.organisation_id == actor.organisation_id
            and (t.owner_id == actor.user.pk or may_manage)
        },
    }
    shown = form if form is not None and form.errors else failed
    if shown is not None:
        context["form"] = shown
    return render_case_page(
        request, case, "case_tasks/index.html", context, part="tasks", status=status
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def index(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_or_404(request, case_id, Permission.CASE_VIEW)
    return _page(request, case)


@requires(Permission.CASE_MANAGE)
@require_POST
def create(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    form = _task_form(request, case, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        owner = case_selectors.user_in_organisation(case, data["owner"])
        try:
            if owner is None:
                raise DomainError("Choose a member of your organisation.", field="owner")
            actions.case_task_create(
                actor=actor, case=case, title=data["title"], owner=owner, due_on=data["due_on"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Task set.")
            return redirect("cases:case_tasks:index", case_id=case.pk)
    return _page(request, case, form=form, status=422)


@requires(Permission.CASE_VIEW)
@require_POST
def change_status(request: HttpRequest, case_id: str, task_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    task = CaseTask.objects.filter(pk=task_id, case=case).select_related("case").first()
    if task is None:
        raise Http404
    task.case = case
    form = TaskStatusForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["status"] == "done":
                actions.case_task_complete(
                    actor=actor, task=task, version=data["version"], note=data["note"]
                )
            else:
                actions.case_task_cancel(
                    actor=actor, task=task, version=data["version"], reason=data["note"]
                )
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except NotPermitted:
            # Someone who may see the case but neither owns the task nor manages the case.
            return forbidden(request, Permission.CASE_MANAGE)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Task marked {task.get_status_display().lower()}.")
            return redirect("cases:case_tasks:index", case_id=case.pk)
    return _page(request, case, failed=form, status=status)


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    page = selectors.my_tasks_page(actor, cursor=request.GET.get("after"))
    return render(
        request,
        "case_tasks/my_tasks.html",
        {"page": page, "rows": page.items, "today": timezone.localdate()},
    )
