"""The notes tab of a case (notes, their edits and addenda, supervision on the case) and the
supervision schedules page.

Every view declares its permission; a case out of reach (another organisation's, restricted to
others, missing) and a note the reader may not see both answer 404, the same as a missing one.
Bad input answers 422 with the form's errors and nothing saved; a stale form 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import forbidden, requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import User
from safecase.cases.models import Case
from safecase.cases.notes import actions, selectors
from safecase.cases.notes.choices import NoteKind
from safecase.cases.notes.forms import (
    ACTION_ROWS,
    AddendumForm,
    NoteEditForm,
    NoteForm,
    ScheduleForm,
    SupervisionForm,
)
from safecase.cases.notes.lookups import note_or_404
from safecase.cases.notes.models import CaseNote, SupervisionSchedule
from safecase.cases.page import case_or_404, render_case_page
from safecase.cases.selectors import organisation_members
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _may_write(actor: Actor) -> bool:
    return can(actor, Permission.CASE_MANAGE) or can(actor, Permission.CASE_SUPERVISE)


def _note(request: HttpRequest, case: Case, note_id: str) -> CaseNote:
    return note_or_404(request.actor, case, note_id)  # type: ignore[attr-defined]


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def index(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_VIEW)
    kind = request.GET.get("kind", "")
    kind = kind if kind in NoteKind.values else ""
    page = selectors.case_notes_page(actor, case, kind=kind, cursor=request.GET.get("after"))
    own = case.organisation_id == actor.organisation_id and not case.is_closed
    notes = [(note, selectors.is_editable(note, actor)) for note in page.items]
    return render_case_page(
        request,
        case,
        "case_notes/index.html",
        {
            "page": page,
            "notes": notes,
            "kind": kind,
            "kinds": NoteKind.choices,
            "supervisions": selectors.case_supervisions(actor, case),
            "may_write": own and _may_write(actor),
            "may_supervise": own and can(actor, Permission.CASE_SUPERVISE),
        },
        part="notes",
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET", "POST"])
def note_new(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if not _may_write(actor):
        return forbidden(request, Permission.CASE_MANAGE)
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    form = NoteForm(request.POST or None, members=selectors.readers_for(actor, case))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            named = list(User.objects.filter(pk__in=data.get("named_people") or []))
            try:
                actions.note_add(
                    actor=actor,
                    case=case,
                    kind=data["kind"],
                    visibility=data["visibility"],
                    fact=data["fact"],
                    opinion=data["opinion"],
                    occurred_at=data["occurred_at"],
                    named_people=named,
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Note added.")
                return redirect("cases:case_notes:index", case_id=case.pk)
    return render_case_page(
        request, case, "case_notes/note_form.html", {"form": form}, part="notes", status=status
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, case_id: str, note_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if not _may_write(actor):
        return forbidden(request, Permission.CASE_MANAGE)
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    note = _note(request, case, note_id)
    initial = {
        "kind": note.kind,
        "occurred_at": note.occurred_at,
        "fact": note.fact,
        "opinion": note.opinion,
        "version": note.version,
    }
    form = NoteEditForm(request.POST or None, initial=initial)
    editable = selectors.is_editable(note, actor)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.note_edit(actor=actor, note=note, **data)
            except Conflict as exc:
                note.refresh_from_db()
                form.add_error(
                    None,
                    f"{exc.message} You were editing version {data['version']}; it is now "
                    f"version {note.version}.",
                )
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
                status = 409 if isinstance(exc, actions.EditWindowClosedError) else 422
            else:
                messages.success(request, "Note changed. The earlier text is kept with it.")
                return redirect("cases:case_notes:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_notes/note_edit.html",
        {"form": form, "note": note, "editable": editable},
        part="notes",
        status=status,
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET", "POST"])
def note_addendum(request: HttpRequest, case_id: str, note_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if not _may_write(actor):
        return forbidden(request, Permission.CASE_MANAGE)
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    note = _note(request, case, note_id)
    form = AddendumForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.note_add_addendum(actor=actor, note=note, **form.cleaned_data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Addendum added. The note itself is unchanged.")
                return redirect("cases:case_notes:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_notes/addendum_form.html",
        {"form": form, "note": note},
        part="notes",
        status=status,
    )


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def supervision_new(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_SUPERVISE, own=True)
    members = organisation_members(actor)
    form = SupervisionForm(
        request.POST or None, supervisees=selectors.supervisees_for(actor), owners=members
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            wanted = {data["supervisee"], *(data[f"action_{i}_owner"] for i in range(ACTION_ROWS))}
            users = {str(u.pk): u for u in User.objects.filter(pk__in=[w for w in wanted if w])}
            rows = [
                {
                    "text": data[f"action_{i}_text"],
                    "owner": users.get(data[f"action_{i}_owner"] or ""),
                    "due_on": data[f"action_{i}_due_on"],
                }
                for i in range(ACTION_ROWS)
            ]
            try:
                actions.supervision_record(
                    actor=actor,
                    case=case,
                    supervisee=users[data["supervisee"]],
                    held_at=data["held_at"],
                    discussion=data["discussion"],
                    decisions=data["decisions"],
                    actions=rows,
                    next_session_on=data["next_session_on"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Supervision recorded.")
                return redirect("cases:case_notes:index", case_id=case.pk)
    return render_case_page(
        request,
        case,
        "case_notes/supervision_form.html",
        {"form": form},
        part="notes",
        status=status,
    )


# --- Supervision schedules (urls_org) ----------------------------------------------------


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET"])
def schedules(request: HttpRequest) -> HttpResponse:
    rows = selectors.supervision_overview(request.actor)  # type: ignore[attr-defined]
    return render(request, "case_notes/schedules.html", {"rows": rows})


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def my_schedule(request: HttpRequest) -> HttpResponse:
    row = selectors.own_schedule(request.actor)  # type: ignore[attr-defined]
    return render(request, "case_notes/my_schedule.html", {"row": row})


@requires(Permission.CASE_SUPERVISE)
@require_http_methods(["GET", "POST"])
def schedule_set(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    workers = selectors.supervisees_for(actor)
    wanted = request.POST.get("worker") or request.GET.get("worker") or ""
    existing = None
    if wanted in dict(workers):
        existing = SupervisionSchedule.objects.filter(
            organisation_id=actor.organisation_id, worker_id=uuid.UUID(wanted)
        ).first()
    initial: dict[str, Any] = {"worker": wanted, "every_weeks": 4}
    if existing is not None:
        initial.update(
            every_weeks=existing.every_weeks,
            starts_on=existing.starts_on,
            version=existing.version,
        )
    form = ScheduleForm(request.POST or None, initial=initial, workers=workers)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            worker = User.objects.get(pk=data["worker"])
            try:
                actions.schedule_set(
                    actor=actor,
                    worker=worker,
                    every_weeks=data["every_weeks"],
                    starts_on=data["starts_on"],
                    version=data["version"],
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Supervision schedule set for {worker.full_name}.")
                return redirect("cases:case_notes_org:index")
    return render(
        request,
        "case_notes/schedule_form.html",
        {"form": form, "existing": existing},
        status=status,
    )
