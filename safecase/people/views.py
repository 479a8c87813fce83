"""Person screens for the safeguarding team: list and search, create (with duplicate check),
detail (every view is audited) and edit (optimistic locking)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.concerns.selectors import (
    ChronologyFilter,
    categories_for,
    in_use,
    person_chronology_page,
)
from safecase.core.errors import Conflict, DomainError
from safecase.core.pagination import keyset_page
from safecase.people import actions, selectors
from safecase.people.forms import PersonCreateForm, PersonEditForm


def _apply_error(form: PersonCreateForm | PersonEditForm, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.field == "identifier" and "identifier_value" in form.fields:
        field = "identifier_value"
    form.add_error(field, exc.message)


@requires(Permission.PERSON_VIEW)
@require_http_methods(["GET"])
def person_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()[:100]
    page = keyset_page(
        selectors.person_list(actor, query=query),
        key=("family_name", "given_names", "id"),
        cursor=request.GET.get("after"),
    )
    return render(
        request,
        "people/person_list.html",
        {"page": page, "q": query, "can_create": can(actor, Permission.PERSON_MANAGE)},
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = PersonCreateForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.possible_duplicates(
            actor,
            given_names=data["given_names"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            identifiers=form.identifiers(),
        )
        if duplicates and not data["not_a_duplicate"]:
            form.add_error(
                None,
                "This may be someone already known to your organisation. Open them below, or "
                "confirm that none of these is the same person.",
            )
        else:
            try:
                person = actions.person_create(
                    actor=actor,
                    kind=data["kind"],
                    given_names=data["given_names"],
                    family_name=data["family_name"],
                    preferred_name=data["preferred_name"],
                    date_of_birth=data["date_of_birth"],
                    gender=data["gender"],
                    flags=data["flags"],
                    identifiers=form.identifiers(),
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, f"{person.display_name} has been added.")
                return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/person_create.html",
        {"form": form, "duplicates": duplicates},
        status=422 if form.errors else 200,
    )


@requires(Permission.PERSON_VIEW)
@require_http_methods(["GET"])
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    person = access_object(
        actor, selectors.people_visible_to(actor), person_id, Permission.PERSON_VIEW, log_view=True
    )
    chronology_filter = _chronology_filter(request)
    # One read of the categories serves the filter's choices and the entries' titles.
    categories = list(categories_for(actor, include_retired=True))
    # Show the chronology a page at a time, read a page at a time: a child with hundreds of
    # entries must not make the page slow to draw or to read. Exports carry the whole of it.
    newer = request.GET.get("newer", "")[:200]
    page = person_chronology_page(
        actor,
        person,
        only=chronology_filter,
        cursor=newer or request.GET.get("older", "")[:200] or None,
        newer=bool(newer),
        labels={c.pk: c.label for c in categories},
    )
    query = request.GET.copy()
    for name in ("older", "newer"):
        query.pop(name, None)
    can_edit = can(actor, Permission.PERSON_MANAGE, person)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "identifiers": list(person.identifiers.order_by("scheme")),
            "can_edit": can_edit,
            "chronology": page.entries,
            "chronology_total": page.total,
            "chronology_newer": page.newer_cursor,
            "chronology_older": page.older_cursor,
            "chronology_query": query.urlencode(),
            "filter": chronology_filter,
            "categories": [c for c in categories if in_use(c)],
            "may_mark": can(actor, Permission.CONCERN_TRIAGE),
            # When they move: send their safeguarding file (the organisation's own people only;
            # a share never lets a partner send someone else's record on).
            "may_send_file": can(actor, Permission.TRANSFER_SEND, person),
            "own_person": person.organisation_id == actor.organisation_id,
            "duplicates": [
                p
                for p in selectors.possible_duplicates(
                    actor,
                    given_names=person.given_names,
                    family_name=person.family_name,
                    date_of_birth=person.date_of_birth,
                    identifiers=[],
                    organisation_id=person.organisation_id,
                )
                if p.pk != person.pk
            ]
            if can_edit
            else [],
        },
    )


def _date_param(request: HttpRequest, name: str) -> date | None:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None  # an unreadable date filters nothing rather than failing


def _chronology_filter(request: HttpRequest) -> ChronologyFilter:
    return ChronologyFilter(
        category=request.GET.get("category", "")[:40],
        date_from=_date_param(request, "from"),
        date_to=_date_param(request, "to"),
        significant_only=request.GET.get("significant") == "1",
    )


@requires(Permission.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    person = access_object(
        actor, selectors.people_visible_to(actor), person_id, Permission.PERSON_MANAGE
    )
    form = (
        PersonEditForm(request.POST)
        if request.method == "POST"
        else PersonEditForm.for_person(person)
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.person_update(
                actor=actor,
                person=person,
                version=data.pop("version"),
                **data,
            )
        except Conflict as exc:
            person.refresh_from_db()
            form = PersonEditForm({**request.POST.dict(), "version": person.version})
            form.is_valid()
            form.add_error(
                None,
                f"{exc.message} Saved now: {person.display_name}, born "
                f"{person.date_of_birth or 'unknown'}. Your changes are below.",
            )
            status = 409
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Details saved.")
            return redirect("people:detail", person_id=person.pk)
    if form.errors and status == 200:
        status = 422
    return render(
        request, "people/person_edit.html", {"form": form, "person": person}, status=status
    )


@requires(Permission.PERSON_MANAGE)
@require_POST
def person_merge(request: HttpRequest, person_id: str) -> HttpResponse:
    """Merge a duplicate (chosen on the survivor's page) into this record, with a reason."""
    actor = request.actor  # type: ignore[attr-defined]
    scoped = selectors.people_visible_to(actor)
    survivor = access_object(actor, scoped, person_id, Permission.PERSON_MANAGE)
    duplicate = access_object(
        actor, scoped, request.POST.get("duplicate", ""), Permission.PERSON_MANAGE
    )
    try:
        actions.person_merge(
            actor=actor,
            survivor=survivor,
            duplicate=duplicate,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Merged. Everything now points at {survivor.display_name}.")
    return redirect("people:detail", person_id=survivor.pk)
