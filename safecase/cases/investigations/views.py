"""The investigation's pages: the investigation itself (terms of reference, plan, interviews,
evidence register, findings), opening and changing it, recording an interview, an addendum, an
evidence item, a custody entry and a finding; an evidence file's download and the report PDF.

Every view declares its permission and finds the case through ``case_or_404`` (404 for a
missing case, another organisation's, or one restricted to others: one answer). Changes are
for the owning organisation only (``own=True``). Bad input answers 422 with the form's errors
and nothing saved; a stale form 409 with the conflict message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.step_up import requires_recent_step_up
from safecase.cases import selectors as case_selectors
from safecase.cases.investigations import actions, evidence_actions, report, selectors
from safecase.cases.investigations.forms import (
    AddendumForm,
    CustodyForm,
    EvidenceForm,
    FindingForm,
    InterviewForm,
    InvestigationForm,
)
from safecase.cases.investigations.models import Investigation
from safecase.cases.models import Case
from safecase.cases.page import case_or_404, render_case_page
from safecase.core.errors import Conflict, DomainError
from safecase.core.files import attachment_response
from safecase.people.models import Person

PART = "investigation"
INDEX = "cases:case_investigations:index"


def _form_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _investigation_or_404(case: Case) -> Investigation:
    investigation = selectors.investigation_of(case)
    if investigation is None:
        raise Http404
    investigation.case = case
    return investigation


def _members(request: HttpRequest) -> list[tuple[str, str]]:
    return case_selectors.organisation_members(request.actor)  # type: ignore[attr-defined]


def _user(case: Case, user_id: str) -> Any:
    user = case_selectors.user_in_organisation(case, user_id) if user_id else None
    if user is None:
        raise DomainError("Choose a member of your organisation.", field="investigator")
    return user


def _form_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    *,
    title: str,
    submit: str,
    status: int,
    intro: str = "",
    multipart: bool = False,
) -> HttpResponse:
    context = {"form": form, "title": title, "submit": submit, "intro": intro}
    context["multipart"] = multipart
    return render_case_page(
        request, case, "case_investigations/form.html", context, part=PART, status=status
    )


def _handle(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    do: Callable[[dict[str, Any]], object],
    *,
    done: str,
    title: str,
    submit: str,
    intro: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """GET: the empty form. POST: validate, call ``do`` (an action), then back to the
    investigation, or the form again with what was wrong (422) or the conflict (409)."""
    status = 200
    if request.method == "POST":
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
                return redirect(INDEX, case_id=case.pk)
    return _form_page(
        request,
        case,
        form,
        title=title,
        submit=submit,
        status=status,
        intro=intro,
        multipart=multipart,
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def investigation_index(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    # Interviews and evidence are among the most sensitive things on a case: every read is
    # written to the audit trail, as the case page's is.
    case = case_or_404(request, case_id, Permission.CASE_VIEW, log_view=True)
    investigation = selectors.investigation_of(case)
    view = selectors.investigation_view(investigation) if investigation else None
    may_manage = (
        not case.is_closed
        and case.organisation_id == actor.organisation_id
        and can(actor, Permission.CASE_MANAGE, case)
    )
    context = {
        "view": view,
        "investigation": investigation,
        "may_manage": may_manage,
        "may_export": case.organisation_id == actor.organisation_id,
        "running": investigation is not None and investigation.status != "concluded",
    }
    return render_case_page(request, case, "case_investigations/index.html", context, part=PART)


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def investigation_edit(request: HttpRequest, case_id: str) -> HttpResponse:
    """Open the investigation, or change its terms of reference, plan, investigator, status."""
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    investigation = selectors.investigation_of(case)
    initial: dict[str, Any] = {}
    if investigation is not None:
        initial = {
            "terms_of_reference": investigation.terms_of_reference,
            "plan": investigation.plan,
            "investigator": str(investigation.investigator_id),
            "status": investigation.status,
            "version": investigation.version,
        }
    form = InvestigationForm(
        request.POST or None,
        initial=initial,
        members=_members(request),
        opening=investigation is None,
    )

    def do(data: dict[str, Any]) -> object:
        investigator = _user(case, data["investigator"])
        if investigation is None:
            return actions.investigation_open(
                actor=actor,
                case=case,
                terms_of_reference=data["terms_of_reference"],
                plan=data["plan"],
                investigator=investigator,
                reason=data["reason"],
            )
        investigation.case = case
        return actions.investigation_update(
            actor=actor,
            investigation=investigation,
            version=data.get("version") or 0,
            terms_of_reference=data["terms_of_reference"],
            plan=data["plan"],
            investigator=investigator,
            status=data["status"],
            reason=data["reason"],
        )

    return _handle(
        request,
        case,
        form,
        do,
        done="Investigation opened." if investigation is None else "Investigation updated.",
        title="Open the investigation" if investigation is None else "Change the investigation",
        submit="Save",
        intro="Each change is kept with who made it, when and why.",
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def interview_new(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    investigation = _investigation_or_404(case)
    form = InterviewForm(
        request.POST or None,
        initial={"interviewer": str(actor.user.pk)},
        members=_members(request),
        people=selectors.case_people(case),
    )

    def do(data: dict[str, Any]) -> object:
        person = None
        if data["person"]:
            person = Person.objects.filter(
                pk=data["person"], organisation=case.organisation
            ).first()
        interviewer = case_selectors.user_in_organisation(case, data["interviewer"])
        if interviewer is None:
            raise DomainError("Choose who interviewed.", field="interviewer")
        return actions.interview_record(
            actor=actor,
            investigation=investigation,
            interviewee_name=data["interviewee_name"],
            person=person,
            role=data["role"],
            held_at=data["held_at"],
            interviewer=interviewer,
            summary=data["summary"],
            interviewer_opinion=data["interviewer_opinion"],
            own_words=data["own_words"],
            signed=data["signed"],
            signed_on=data["signed_on"],
        )

    return _handle(
        request,
        case,
        form,
        do,
        done="Interview recorded. It can be corrected only by an addendum.",
        title="Record an interview",
        submit="Record the interview",
        intro="Keep what was said apart from your view of it. Once recorded, an interview is "
        "changed only by an addendum with its reason.",
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def interview_addendum(request: HttpRequest, case_id: str, interview_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    investigation = _investigation_or_404(case)
    interview = selectors.interview_on(investigation, interview_id)
    if interview is None:
        raise Http404
    interview.investigation = investigation
    form = AddendumForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda d: actions.interview_add_addendum(
            actor=actor, interview=interview, reason=d["reason"], text=d["text"]
        ),
        done="Addendum added.",
        title=f"Addendum to the interview with {interview.who}",
        submit="Add the addendum",
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def evidence_new(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    investigation = _investigation_or_404(case)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    too_big = request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > (
        settings.SAFECASE_MAX_UPLOAD_BYTES + 256 * 1024
    )

    def do(data: dict[str, Any]) -> object:
        if too_big:  # the upload handler drops a file over the limit: say so, save nothing
            raise DomainError("This file is larger than the upload limit.", field="file")
        upload = data.get("file")
        return evidence_actions.evidence_record(
            actor=actor,
            investigation=investigation,
            item=data["item"],
            description=data["description"],
            source=data["source"],
            obtained_on=data["obtained_on"],
            file_name=upload.name if upload else "",
            file_data=upload.read() if upload else None,
        )

    return _handle(
        request,
        case,
        form,
        do,
        done="Evidence item recorded.",
        title="Add an item to the evidence register",
        submit="Record the item",
        multipart=True,
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def custody_new(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    investigation = _investigation_or_404(case)
    evidence = selectors.evidence_on(investigation, evidence_id)
    if evidence is None:
        raise Http404
    evidence.investigation = investigation
    form = CustodyForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda d: evidence_actions.custody_record(actor=actor, evidence=evidence, **d),
        done="Custody entry recorded.",
        title=f"Record a handing-over of {evidence.item}",
        submit="Record the handing-over",
    )


@requires(Permission.CASE_MANAGE)
@require_http_methods(["GET", "POST"])
def finding_new(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_MANAGE, own=True)
    investigation = _investigation_or_404(case)
    interviews = {str(i.pk): i for i in selectors.interviews_of(investigation)}
    evidence = {str(e.pk): e for e in selectors.evidence_of(investigation)}
    form = FindingForm(
        request.POST or None,
        interviews=[
            (pk, f"{i.who} ({i.get_role_display().lower()}), {i.held_at:%d %b %Y}")
            for pk, i in interviews.items()
        ],
        evidence=[(pk, e.item) for pk, e in evidence.items()],
    )
    return _handle(
        request,
        case,
        form,
        lambda d: actions.finding_record(
            actor=actor,
            investigation=investigation,
            kind=d["kind"],
            text=d["text"],
            interviews=[interviews[pk] for pk in d["interviews"]],
            evidence=[evidence[pk] for pk in d["evidence"]],
        ),
        done="Finding recorded.",
        title="Record a finding",
        submit="Record the finding",
        intro="Say what kind of finding it is: an established fact (with what it rests on), "
        "an allegation that could not be established, or an opinion.",
    )


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
def evidence_download(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    """Decrypt and send an evidence file (the owning organisation only; audited)."""
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    investigation = _investigation_or_404(case)
    evidence = selectors.evidence_on(investigation, evidence_id)
    if evidence is None or not evidence.has_file:
        raise Http404
    evidence.investigation = investigation
    try:
        data = evidence_actions.evidence_read_file(actor=actor, evidence=evidence)
    except Conflict as exc:  # not scanned yet, or quarantined: never served
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    return attachment_response(data, filename=evidence.display_name, mime=evidence.mime)


@requires(Permission.CASE_VIEW)
@require_http_methods(["GET"])
@requires_recent_step_up
def investigation_report_pdf(request: HttpRequest, case_id: str) -> HttpResponse:
    """The investigation report as a PDF: an export, so after a step-up, and audited."""
    actor = request.actor  # type: ignore[attr-defined]
    case = case_or_404(request, case_id, Permission.CASE_VIEW, own=True)
    investigation = _investigation_or_404(case)
    view = selectors.investigation_view(investigation)
    user = actor.user
    data = report.investigation_pdf(
        case, view, generated_by=(user.full_name or user.email) if user else actor.label
    )
    report.record_report_export(actor=actor, case=case, view=view)
    response = HttpResponse(data, content_type="application/pdf")
    filename = report.report_filename(case)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
