"""The transfer pages: sending a person's file (to an organisation here, sealed for another
Safecase, or as a one-time download), the outbox and inbox, each side's page of a transfer
(resend; view, accept, reject), the received files on a person, and the public one-time
download page.

Every view declares its permission; a transfer, person or file out of reach answers 404. Bad
input answers 422 with the form's errors and nothing saved; a stale form 409. Downloads of the
file (PDF, signed bundle) need a recent step-up (MFA re-entry), as every export does.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import public, requires
from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.accounts.step_up import requires_recent_step_up
from safecase.core.errors import Conflict, DomainError
from safecase.core.files import attachment_response
from safecase.partnerships.transfers import actions, download_actions, downloads, selectors
from safecase.partnerships.transfers.choices import TransferMode
from safecase.partnerships.transfers.common import pdf_of_received, pdf_of_sender_copy
from safecase.partnerships.transfers.envelope import BundleRefused
from safecase.partnerships.transfers.forms import (
    AcceptForm,
    CodeForm,
    DownloadLinkForm,
    ExportForm,
    ReasonForm,
    SendForm,
)
from safecase.people.models import Person
from safecase.people.selectors import people_visible_to


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _status(exc: DomainError) -> int:
    return 409 if isinstance(exc, Conflict) else 422


@requires(Permission.TRANSFER_SEND)
@require_http_methods(["GET"])
def outbox(request: HttpRequest) -> HttpResponse:
    page = selectors.outbox_page(_actor(request), cursor=request.GET.get("after", "")[:200])
    return render(request, "transfers/outbox.html", {"page": page, "transfers": page.items})


@requires(Permission.TRANSFER_RECEIVE)
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    page = selectors.inbox_page(_actor(request), cursor=request.GET.get("after", "")[:200])
    return render(request, "transfers/inbox.html", {"page": page, "transfers": page.items})


@requires(Permission.TRANSFER_SEND)
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = _actor(request)
    person = selectors.sendable_person(actor, person_id)
    receivers = selectors.receiving_organisations(actor)
    form = SendForm(request.POST or None, receivers=receivers)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                transfer = actions.transfer_send(
                    actor=actor,
                    person=person,
                    receiver_organisation=form.cleaned_data["receiver"],
                    reason=form.cleaned_data["reason"],
                    include_attachments=form.cleaned_data["include_attachments"],
                )
            except DomainError as exc:
                _error(form, exc)
            else:
                messages.success(request, f"The file was sent to {transfer.receiver_label}.")
                return redirect("transfers:sent", transfer_id=transfer.pk)
    return render(request, "transfers/send.html", {"person": person, "form": form}, status=status)


@requires(Permission.TRANSFER_SEND)
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = _actor(request)
    person = selectors.sendable_person(actor, person_id)
    form = ExportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                transfer = actions.transfer_export(actor=actor, person=person, **form.cleaned_data)
            except DomainError as exc:
                _error(form, exc)
            else:
                messages.success(
                    request, "The file is sealed: download the signed bundle and send it."
                )
                return redirect("transfers:sent", transfer_id=transfer.pk)
    return render(request, "transfers/export.html", {"person": person, "form": form}, status=status)


@requires(Permission.TRANSFER_SEND)
@require_http_methods(["GET", "POST"])
@never_cache
def download_link(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = _actor(request)
    person = selectors.sendable_person(actor, person_id)
    form = DownloadLinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                made = download_actions.transfer_create_download(
                    actor=actor,
                    person=person,
                    base_url=request.build_absolute_uri("/"),
                    **form.cleaned_data,
                )
            except DomainError as exc:
                _error(form, exc)
            else:
                # The code is shown this once and never stored: the sender phones it through.
                return render(
                    request,
                    "transfers/download_created.html",
                    {"transfer": made.transfer, "code": made.code},
                )
    return render(
        request, "transfers/download_link.html", {"person": person, "form": form}, status=status
    )


@requires(Permission.TRANSFER_SEND)
@require_http_methods(["GET"])
def sent(request: HttpRequest, transfer_id: str) -> HttpResponse:
    transfer = selectors.access_sent(_actor(request), transfer_id)
    return render(
        request,
        "transfers/sent.html",
        {
            "transfer": transfer,
            "resend_form": ReasonForm(initial={"version": transfer.version}),
            "may_resend": transfer.is_open
            and transfer.mode in (TransferMode.SAME_INSTALLATION, TransferMode.OUTBOUND),
        },
    )


@requires(Permission.TRANSFER_SEND)
@require_http_methods(["POST"])
def resend(request: HttpRequest, transfer_id: str) -> HttpResponse:
    actor = _actor(request)
    transfer = selectors.access_sent(actor, transfer_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            new = actions.transfer_resend(
                actor=actor,
                transfer=transfer,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, "The file was resent as a new bundle.")
            return redirect("transfers:sent", transfer_id=new.pk)
    else:
        status = 422
    return render(
        request,
        "transfers/sent.html",
        {"transfer": transfer, "resend_form": form, "may_resend": True},
        status=status,
    )


@requires(Permission.TRANSFER_SEND)
@requires_recent_step_up
@require_http_methods(["GET"])
def sent_pdf(request: HttpRequest, transfer_id: str) -> HttpResponse:
    transfer = selectors.access_sent(_actor(request), transfer_id)
    return attachment_response(
        pdf_of_sender_copy(transfer),
        filename=f"safeguarding-file-{str(transfer.bundle_id)[:8]}.pdf",
        mime="application/pdf",
    )


@requires(Permission.TRANSFER_SEND)
@requires_recent_step_up
@require_http_methods(["GET"])
def sent_bundle(request: HttpRequest, transfer_id: str) -> HttpResponse:
    actor = _actor(request)
    transfer = selectors.access_sent(actor, transfer_id)
    try:
        data = actions.transfer_record_export(actor=actor, transfer=transfer)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("transfers:sent", transfer_id=transfer.pk)
    return attachment_response(
        data, filename=f"transfer-{transfer.bundle_id}.json", mime="application/json"
    )


def _people_for(request: HttpRequest, document: dict[str, Any]) -> list[Person]:
    family = str((document.get("person") or {}).get("family_name") or "")
    return selectors.existing_people_for_link(_actor(request), family_name=family)


def _received_page(
    request: HttpRequest,
    transfer: Any,
    *,
    accept: Any = None,
    reject: Any = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    document: dict[str, Any] = {}
    problem = ""
    if transfer.is_open or transfer.status == "rejected":
        try:
            document = actions.transfer_view(actor=actor, transfer=transfer)
        except BundleRefused as exc:
            problem = exc.message
        except DomainError as exc:
            problem = exc.message
    people = _people_for(request, document) if document else []
    return render(
        request,
        "transfers/received.html",
        {
            "transfer": transfer,
            "document": document,
            "problem": problem,
            "accept_form": accept
            or AcceptForm(initial={"version": transfer.version, "person": "new"}, people=people),
            "reject_form": reject or ReasonForm(initial={"version": transfer.version}),
        },
        status=status,
    )


@requires(Permission.TRANSFER_RECEIVE)
@require_http_methods(["GET"])
def received(request: HttpRequest, transfer_id: str) -> HttpResponse:
    transfer = selectors.access_received(_actor(request), transfer_id)
    return _received_page(request, transfer)


@requires(Permission.TRANSFER_RECEIVE)
@require_http_methods(["POST"])
def accept(request: HttpRequest, transfer_id: str) -> HttpResponse:
    actor = _actor(request)
    transfer = selectors.access_received(actor, transfer_id)
    choice = request.POST.get("person", "")
    people: list[Person] = []
    if choice and choice != "new":
        people = list(
            people_visible_to(actor).filter(
                organisation_id=actor.organisation_id, pk__in=_uuid_or_none(choice)
            )
        )
    form = AcceptForm(request.POST, people=people)
    status = 422
    if form.is_valid():
        link_to = people[0] if form.cleaned_data["person"] != "new" and people else None
        try:
            received_file = actions.transfer_accept(
                actor=actor,
                transfer=transfer,
                version=form.cleaned_data["version"],
                link_to=link_to,
            )
        except DomainError as exc:
            _error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, "The file was accepted: receipt is confirmed to the sender.")
            return redirect("transfers:file", file_id=received_file.pk)
    return _received_page(request, transfer, accept=form, status=status)


def _uuid_or_none(value: str) -> list[str]:
    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []


@requires(Permission.TRANSFER_RECEIVE)
@require_http_methods(["POST"])
def reject(request: HttpRequest, transfer_id: str) -> HttpResponse:
    actor = _actor(request)
    transfer = selectors.access_received(actor, transfer_id)
    form = ReasonForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            actions.transfer_reject(
                actor=actor,
                transfer=transfer,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, "The file was rejected; the sender sees your reason.")
            return redirect("transfers:inbox")
    return _received_page(request, transfer, reject=form, status=status)


@requires(Permission.PERSON_VIEW)
@require_http_methods(["GET"])
def person_files(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = _actor(request)
    person = access_object(actor, people_visible_to(actor), person_id, Permission.PERSON_VIEW)
    files = list(selectors.received_files_for(actor, person).order_by("-created_at")[:100])
    return render(request, "transfers/person_files.html", {"person": person, "files": files})


@requires(Permission.PERSON_VIEW)
@require_http_methods(["GET"])
def received_file(request: HttpRequest, file_id: str) -> HttpResponse:
    actor = _actor(request)
    found = selectors.access_received_file(actor, file_id)
    actions.transfer_file_read(actor=actor, received=found)
    return render(request, "transfers/file.html", {"file": found, "document": found.bundle})


@requires(Permission.PERSON_VIEW)
@requires_recent_step_up
@require_http_methods(["GET"])
def received_file_pdf(request: HttpRequest, file_id: str) -> HttpResponse:
    actor = _actor(request)
    found = selectors.access_received_file(actor, file_id)
    actions.transfer_file_read(actor=actor, received=found, as_pdf=True)
    return attachment_response(
        pdf_of_received(found),
        filename=f"received-file-{str(found.transfer.bundle_id)[:8]}.pdf",
        mime="application/pdf",
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def download(request: HttpRequest, token: str) -> HttpResponse:
    """The receiver without Safecase: the code, then the PDF once (no sign-in)."""
    state = downloads.link_state(downloads.find_download(token))
    form = CodeForm(request.POST or None)
    message = downloads.DEAD.get(state, "")
    status = 200 if state == "open" else 410
    if request.method == "POST" and state == "open" and form.is_valid():
        attempt = download_actions.transfer_download_open(
            token=token, code=form.cleaned_data["code"], ip=request.META.get("REMOTE_ADDR")
        )
        if attempt.state == "ok" and attempt.pdf is not None:
            return attachment_response(
                attempt.pdf, filename=attempt.filename, mime="application/pdf"
            )
        state, message = attempt.state, attempt.message
        status = 422 if state == "wrong_code" else 410
        if state == "wrong_code":
            form = CodeForm()
            form.is_bound = False
    elif request.method == "POST" and state != "open":
        download_actions.transfer_download_open(
            token=token, code="", ip=request.META.get("REMOTE_ADDR")
        )
    elif request.method == "POST":
        status = 422
    response = render(
        request,
        "transfers/download.html",
        {"form": form, "state": state, "message": message},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
