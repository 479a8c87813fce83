"""Pages of sharing, consent and break-glass (issue 5: M3, M6, S3).

Every view declares its permission; an item, grant or opening out of reach answers 404 (the
same for missing and forbidden). Bad input answers 422 with the form's errors and nothing
saved; a stale review 409.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access import actions as access_actions
from safecase.access.decorators import requires
from safecase.access.lookups import access_object
from safecase.access.models import BreakGlassAccess, Consent, ShareGrant
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts import auth_actions
from safecase.accounts.models import Organisation, User
from safecase.concerns.selectors import person_chronology
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.core.files import attachment_response
from safecase.people.selectors import people_visible_to
from safecase.sharing import actions, selectors
from safecase.sharing import selectors_break_glass as glass
from safecase.sharing.forms import BreakGlassForm, ExtractForm, ReviewForm, RevokeForm, ShareForm
from safecase.sharing.kinds import KINDS
from safecase.sharing.lookups import found_or_404
from safecase.sharing.models import ChronologyExtract


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _form_error(form: Any, exc: DomainError) -> None:
    field = {"expires_at": "expires_on"}.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _end_of(day: Any) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), clock.min))


def _own_grant(actor: Any, grant_id: str) -> selectors.GrantRow:
    row = selectors.disclosure(actor, grant_id)
    if row.grant.owner_organisation_id != actor.organisation_id:
        raise Http404
    return row


def _received(actor: Any, grant_id: str) -> selectors.GrantRow:
    return found_or_404(
        actor,
        ShareGrant,
        grant_id,
        Permission.SHARED_VIEW,
        lambda: selectors.received_item(actor, grant_id),
    )


def _opening(actor: Any, opening_id: str, perm: Permission) -> glass.OpeningRow:
    return found_or_404(
        actor,
        BreakGlassAccess,
        opening_id,
        perm,
        lambda: glass.opening_detail(actor, opening_id),
    )


# --- Sharing an item ---------------------------------------------------------------------


@requires(Permission.SHARE_GRANT)
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, kind: str, object_id: str) -> HttpResponse:
    """Share one item with a partner organisation: to whom, why, under which lawful basis, the
    consent decision (and, without consent, why and who decided), until when."""
    actor = _actor(request)
    model = KINDS[kind].model if kind in KINDS else None
    item_kind, item = found_or_404(
        actor,
        model,
        object_id,
        Permission.SHARE_GRANT,
        lambda: selectors.owned_item(actor, kind, object_id),
    )
    partners = selectors.partners_of(actor)
    form = ShareForm(
        request.POST or None,
        partners=[(str(p.organisation.pk), p.organisation.name) for p in partners],
        deciders=selectors.decision_makers(actor),
        initial={
            "lawful_basis": partners[0].partnership.lawful_basis if partners else "",
            "consent": Consent.GIVEN,
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            to = Organisation.objects.filter(pk=data["to_organisation"]).first()
            decider = (
                User.objects.filter(pk=data["consent_overridden_by"]).first()
                if data["consent_overridden_by"]
                else None
            )
            try:
                if to is None:
                    raise DomainError("Choose who to share with.", field="to_organisation")
                grant = actions.item_share(
                    actor=actor,
                    kind=item_kind,
                    record=item,
                    to_organisation=to,
                    purpose=data["purpose"],
                    lawful_basis=data["lawful_basis"],
                    consent=data["consent"],
                    consent_override_reason=data["consent_override_reason"],
                    consent_overridden_by=decider,
                    expires_at=_end_of(data["expires_on"]),
                )
            except DomainError as exc:
                _form_error(form, exc)
            except NotPermitted as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Shared with {to.name}.")
                return redirect("sharing:disclosure", grant_id=grant.pk)
    context = {
        "form": form,
        "kind": item_kind,
        "item": item,
        "title": item_kind.title(item),
        "partners": partners,
        "grants": selectors.grants_of_item(actor, item_kind, item),
    }
    return render(request, "sharing/share.html", context, status=status)


@requires(Permission.SHARE_GRANT)
@require_http_methods(["GET"])
def given(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page = selectors.shares_given_page(actor, cursor=request.GET.get("after"))
    return render(request, "sharing/given.html", {"page": page})


@requires(Permission.SHARE_GRANT)
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, grant_id: str) -> HttpResponse:
    actor = _actor(request)
    row = found_or_404(
        actor, ShareGrant, grant_id, Permission.SHARE_GRANT, lambda: _own_grant(actor, grant_id)
    )
    form = RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                access_actions.share_revoke(
                    actor=actor, grant=row.grant, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Share revoked: it ended at once.")
                return redirect("sharing:given")
    return render(request, "sharing/revoke.html", {"form": form, "row": row}, status=status)


@requires(Permission.SHARE_GRANT)
@require_http_methods(["GET"])
def disclosure(request: HttpRequest, grant_id: str) -> HttpResponse:
    """The record of one disclosure, for the leads of both organisations."""
    actor = _actor(request)
    row = found_or_404(
        actor,
        ShareGrant,
        grant_id,
        Permission.SHARE_GRANT,
        lambda: selectors.disclosure(actor, grant_id),
    )
    mine = row.grant.owner_organisation_id == actor.organisation_id
    return render(request, "sharing/disclosure.html", {"row": row, "mine": mine})


# --- The receiving side -------------------------------------------------------------------


@requires(Permission.SHARED_VIEW)
@require_http_methods(["GET"])
def received(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page = selectors.shared_with_us_page(actor, cursor=request.GET.get("after"))
    return render(request, "sharing/received.html", {"page": page})


@requires(Permission.SHARED_VIEW)
@require_http_methods(["GET"])
def received_item(request: HttpRequest, grant_id: str) -> HttpResponse:
    """One item shared with us: its readable fields, and nothing around it. Audited as
    ``record.viewed`` on the item."""
    actor = _actor(request)
    row = _received(actor, grant_id)
    assert row.kind is not None
    item = access_object(
        actor,
        row.kind.model._default_manager.filter(pk=row.item.pk),
        row.item.pk,
        Permission.SHARED_VIEW,
        log_view=True,
    )
    lines = (
        selectors.extract_lines(item)
        if isinstance(item, ChronologyExtract) and row.kind.code == "chronology_extract"
        else []
    )
    page = row.kind.page
    record_url = reverse(page[0], kwargs={page[1]: item.pk}) if page else ""
    context = {
        "row": row,
        "fields": row.kind.fields(item),
        "lines": lines,
        "record_url": record_url,
    }
    return render(request, "sharing/received_item.html", context)


@requires(Permission.SHARED_VIEW)
@require_http_methods(["GET"])
def received_file(request: HttpRequest, grant_id: str) -> HttpResponse:
    actor = _actor(request)
    row = _received(actor, grant_id)
    if row.kind is None or row.kind.code != "attachment":
        raise Http404
    try:
        attachment, data = actions.shared_file_read(actor=actor, grant=row.grant)
    except NotPermitted:
        raise Http404 from None
    except Conflict as exc:
        return render(
            request, "sharing/file_unavailable.html", {"message": exc.message}, status=409
        )
    return attachment_response(data, filename=attachment.display_name, mime=attachment.mime)


# --- Chronology extracts ------------------------------------------------------------------


@requires(Permission.SHARE_GRANT)
@require_http_methods(["GET", "POST"])
def extract_new(request: HttpRequest, person_id: str) -> HttpResponse:
    """Choose lines of a person's chronology to freeze into an extract, then share it."""
    actor = _actor(request)
    person = access_object(
        actor,
        people_visible_to(actor).filter(organisation_id=actor.organisation_id),
        person_id,
        Permission.SHARE_GRANT,
    )
    entries = person_chronology(actor, person, limit=actions.EXTRACT_MAX_LINES)
    choices = [
        (str(e.entry_id), f"{timezone.localtime(e.when):%-d %b %Y %H:%M} · {e.kind}: {e.title}")
        for e in entries
    ]
    form = ExtractForm(request.POST or None, lines=choices)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                extract = actions.chronology_extract_make(
                    actor=actor,
                    person=person,
                    title=form.cleaned_data["title"],
                    source_ids=form.cleaned_data["lines"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Extract made. Now choose who to share it with.")
                return redirect("sharing:share", kind="chronology_extract", object_id=extract.pk)
    context = {"form": form, "person": person, "entries": entries}
    return render(request, "sharing/extract_new.html", context, status=status)


@requires(Permission.SHARE_GRANT)
@require_http_methods(["GET"])
def extract_detail(request: HttpRequest, extract_id: str) -> HttpResponse:
    actor = _actor(request)
    extract = access_object(
        actor,
        KINDS["chronology_extract"].owned(actor).select_related("created_by"),
        extract_id,
        Permission.SHARE_GRANT,
    )
    assert isinstance(extract, ChronologyExtract)
    context = {
        "extract": extract,
        "lines": selectors.extract_lines(extract),
        "grants": selectors.grants_of_item(actor, KINDS["chronology_extract"], extract),
    }
    return render(request, "sharing/extract_detail.html", context)


# --- Break-glass (S3) ---------------------------------------------------------------------

_RECORD_PAGES = {"case": ("cases:detail", "case_id"), "person": ("people:detail", "person_id")}


@requires(Permission.RECORD_BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, kind: str, object_id: str) -> HttpResponse:
    """Open a restricted record of our own organisation: a reason and a fresh MFA code."""
    actor = _actor(request)
    model = KINDS[kind].model if kind in KINDS else None
    record = found_or_404(
        actor,
        model,
        object_id,
        Permission.RECORD_BREAK_GLASS,
        lambda: glass.restricted_record(actor, kind, object_id),
    )
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            matched = auth_actions.mfa_step_up(
                actor=actor, token=form.cleaned_data["code"], purpose=request.path
            )
            if matched is None:
                form.add_error("code", "That code was not accepted. Enter the current code.")
            else:
                try:
                    actions.break_glass_open(
                        actor=actor,
                        record=record,
                        reason=form.cleaned_data["reason"],
                        code_checked_at=time.time(),
                    )
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    minutes = glass.break_glass_minutes()
                    messages.warning(
                        request,
                        f"You opened a restricted record for {minutes} minutes. This was "
                        "recorded and the organisation's auditors were told.",
                    )
                    url_name, argument = _RECORD_PAGES[kind]
                    opened: HttpResponse = redirect(url_name, **{argument: record.pk})
                    return opened
    context = {
        "form": form,
        "kind": KINDS[kind],
        "minutes": glass.break_glass_minutes(),
    }
    return render(request, "sharing/break_glass.html", context, status=status)


@requires(Permission.RECORD_BREAK_GLASS)
@require_http_methods(["GET"])
def break_glass_find(request: HttpRequest) -> HttpResponse:
    """A lead who knows the reference of a case hidden from them goes on to break the glass."""
    actor = _actor(request)
    reference = request.GET.get("reference", "")[:40]
    error = ""
    if reference:
        case = glass.restricted_case_by_reference(actor, reference)
        if case is not None:
            return redirect("sharing:break_glass", kind="case", object_id=case.pk)
        error = "No case of your organisation with that reference is restricted from you."
    context = {"reference": reference, "error": error}
    return render(request, "sharing/break_glass_find.html", context, status=422 if error else 200)


@requires(Permission.RECORD_BREAK_GLASS_REVIEW)
@require_http_methods(["GET"])
def break_glass_report(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    unreviewed = request.GET.get("unreviewed") == "1"
    page = glass.break_glass_report_page(
        actor, cursor=request.GET.get("after"), unreviewed_only=unreviewed
    )
    return render(
        request, "sharing/break_glass_report.html", {"page": page, "unreviewed": unreviewed}
    )


@requires(Permission.ORG_VIEW)
@require_http_methods(["GET"])
def break_glass_detail(request: HttpRequest, opening_id: str) -> HttpResponse:
    actor = _actor(request)
    row = _opening(actor, opening_id, Permission.ORG_VIEW)

    reviewer = can(actor, Permission.RECORD_BREAK_GLASS_REVIEW)
    form = ReviewForm(initial={"version": row.opening.version}) if reviewer else None
    return render(request, "sharing/break_glass_detail.html", {"row": row, "form": form})


@requires(Permission.RECORD_BREAK_GLASS_REVIEW)
@require_POST
def break_glass_review(request: HttpRequest, opening_id: str) -> HttpResponse:
    actor = _actor(request)
    row = _opening(actor, opening_id, Permission.RECORD_BREAK_GLASS_REVIEW)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.break_glass_review(
                actor=actor,
                opening=row.opening,
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
            context = {"row": row, "form": form}
            return render(request, "sharing/break_glass_detail.html", context, status=409)
        messages.success(request, "Marked reviewed.")
        return redirect("sharing:break_glass_report")
    context = {"row": row, "form": form}
    return render(request, "sharing/break_glass_detail.html", context, status=422)
