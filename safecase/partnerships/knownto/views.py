"""The known-to pages: ask (``/known-to/``), the answer (``/known-to/checks/<id>/``, the
asker's own only) and the organisation's known-to contact (``/known-to/contact/``).

Bad input answers 422 with the form's errors and nothing recorded; past the hourly limit 429;
a stale contact form 409. Someone else's check is 404, as a missing one is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import forbidden, requires
from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.core.errors import Conflict, DomainError
from safecase.partnerships.knownto import actions, selectors
from safecase.partnerships.knownto.forms import IDENTIFIER_FIELDS, KnownToCheckForm
from safecase.partnerships.knownto.forms import KnownToContactForm as ContactForm


def _requires_contact_setter(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The lead (concern.configure) or the organisation's administrator (org.manage_settings)
    may set the contact; ``requires`` takes one permission, so this checks either."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.may_set_contact(request.actor):  # type: ignore[attr-defined]
            return forbidden(request, Permission.ORG_MANAGE_SETTINGS)
        return view(request, *args, **kwargs)

    # Read by the every-view-is-guarded test; the check above also lets the lead in.
    guarded.safecase_permission = Permission.ORG_MANAGE_SETTINGS  # type: ignore[attr-defined]
    return guarded


def _form_error(form: KnownToCheckForm | ContactForm, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@requires(Permission.KNOWN_TO_CHECK)
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = KnownToCheckForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                check = actions.known_to_check(
                    actor=actor,
                    purpose=data["purpose"],
                    identifiers=form.identifiers(),
                    given_names=data["given_names"],
                    family_name=data["family_name"],
                    date_of_birth=data["date_of_birth"],
                )
            except actions.RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except DomainError as exc:
                _form_error(form, exc)
            else:
                return redirect("known_to:check", check_id=check.pk)
    return render(
        request,
        "known_to/index.html",
        {
            "form": form,
            "identifier_fields": [form[scheme] for scheme, _, _ in IDENTIFIER_FIELDS],
            "recent": selectors.recent_checks(actor),
            "limit": selectors.checks_per_hour(),
        },
        status=status,
    )


@requires(Permission.KNOWN_TO_CHECK)
@require_http_methods(["GET"])
def check(request: HttpRequest, check_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    found = access_object(
        actor, selectors.checks_visible_to(actor), check_id, Permission.KNOWN_TO_CHECK
    )
    return render(
        request,
        "known_to/check.html",
        {
            "check": found,
            "matches": list(found.matches.order_by("organisation_name")),
            "note": selectors.NOT_KNOWN_NOTE,
        },
    )


@_requires_contact_setter
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    current = selectors.contact_for(actor.organisation_id)
    initial = {
        "version": current.version if current else 0,
        "role": current.role if current else "",
        "mailbox": current.mailbox if current else "",
    }
    form = ContactForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.known_to_contact_save(
                    actor=actor, role=data["role"], mailbox=data["mailbox"], version=data["version"]
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Known-to contact saved.")
                return redirect("known_to:contact")
    return render(
        request,
        "known_to/contact.html",
        {"form": form, "current": current, "organisation_name": actor.organisation.name},
        status=status,
    )
