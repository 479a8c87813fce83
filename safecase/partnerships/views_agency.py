"""An agency's pages: "our information requests" (open ones, soonest due first), answering its
own section (held or released at once, with files), the approver's release, and files.
Only the agency asked reaches a request; anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.concerns.models import ScanState
from safecase.core import files
from safecase.core.errors import Conflict, DomainError
from safecase.partnerships import clock, request_actions, selectors
from safecase.partnerships.forms import AnswerForm, FileForm, VersionForm
from safecase.partnerships.models import SectionAttachment
from safecase.partnerships.views import form_error


@requires(Permission.HUB_ANSWER)
@require_http_methods(["GET"])
def our_requests(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if selectors.hub_for_member(actor.organisation_id) is None:
        selectors.no_hub(actor, Permission.HUB_ANSWER, "member hub")
    show_all = request.GET.get("show") == "all"
    page = selectors.agency_requests(actor, cursor=request.GET.get("after"), open_only=not show_all)
    return render(
        request,
        "partnerships/our_requests.html",
        {"page": page, "rows": page.items, "now": timezone.now(), "show_all": show_all},
    )


@requires(Permission.HUB_ANSWER)
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, request_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    found = selectors.access_request(actor, request_id, Permission.HUB_ANSWER)
    form = AnswerForm(request.POST or None, initial={"version": found.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                request_actions.request_answer(
                    actor=actor,
                    request=found,
                    version=form.cleaned_data["version"],
                    answer=form.cleaned_data["answer"],
                    hold=form.cleaned_data["hold"],
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    "Answer held for your approver."
                    if form.cleaned_data["hold"]
                    else "Answer sent to the hub.",
                )
                return redirect("partnerships:answer", request_id=found.pk)
    selectors.log_viewed(actor, found.referral, [found] if found.is_answered else [])
    return render(
        request,
        "partnerships/answer.html",
        {
            "found": found,
            "referral": found.referral,
            "form": form,
            "file_form": FileForm(),
            "release_form": VersionForm(initial={"version": found.version}),
            "attachments": list(found.attachments.all()),
            "late": found.is_late_at(timezone.now()),
            "timescale": clock.timescale_text(found.referral.hub, found.referral.rating),
            "may_release": selectors.held(actor, Permission.HUB_RELEASE),
        },
        status=status,
    )


@requires(Permission.HUB_RELEASE)
@require_http_methods(["POST"])
def release(request: HttpRequest, request_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    found = selectors.access_request(actor, request_id, Permission.HUB_RELEASE)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
        return redirect("partnerships:answer", request_id=found.pk)
    try:
        request_actions.request_release(
            actor=actor, request=found, version=form.cleaned_data["version"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Released to the hub.")
    return redirect("partnerships:answer", request_id=found.pk)


@requires(Permission.HUB_ANSWER)
@require_http_methods(["POST"])
def add_file(request: HttpRequest, request_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    found = selectors.access_request(actor, request_id, Permission.HUB_ANSWER)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to add.")
        return redirect("partnerships:answer", request_id=found.pk)
    upload = form.cleaned_data["file"]
    if upload.size > request_actions.MAX_FILE_BYTES:
        messages.error(request, "The file is too large (10 MB at most).")
        return redirect("partnerships:answer", request_id=found.pk)
    try:
        added = request_actions.section_file_add(
            actor=actor, request=found, name=upload.name, data=upload.read()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "File added to your section."
            if added.scan_state == ScanState.CLEAN
            else "File added to your section; it opens once the virus check has passed.",
        )
    return redirect("partnerships:answer", request_id=found.pk)


@requires(Permission.HUB_VIEW)
@require_http_methods(["GET"])
def download(request: HttpRequest, file_id: str) -> HttpResponse:
    """A section's file: its agency always; the hub once the section is released."""
    actor = request.actor  # type: ignore[attr-defined]
    pk = selectors._uuid(file_id)
    attachment = (
        SectionAttachment.objects.filter(pk=pk).select_related("request").first() if pk else None
    )
    if attachment is None:
        raise Http404  # no such file: nothing to audit
    referral = selectors.access_referral(actor, attachment.request.referral_id, Permission.HUB_VIEW)
    cap = selectors.capacity(actor, referral)
    if not selectors.section_readable(actor, cap, attachment.request):
        selectors.refuse(actor, attachment, Permission.HUB_VIEW)
    if attachment.scan_state != ScanState.CLEAN:  # not scanned yet, or quarantined: never served
        back = (
            reverse("partnerships:answer", args=[attachment.request_id])
            if actor.organisation_id == attachment.request.agency_organisation_id
            else reverse("partnerships:referral", args=[referral.pk])
        )
        context = {
            "attachment": attachment,
            "message": request_actions.NOT_DOWNLOADABLE[ScanState(attachment.scan_state)],
            "back": back,
        }
        return render(request, "partnerships/file_unavailable.html", context, status=409)
    selectors.log_viewed(actor, referral, [attachment.request])
    data = files.open_decrypted(attachment.storage_name, aad=attachment.aad)
    return files.attachment_response(data, filename=attachment.display_name, mime=attachment.mime)
