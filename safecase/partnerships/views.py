"""The hub staff's pages: the queue, entering a referral from a call or e-mail, rating,
asking agencies, deciding; and the referral page every party sees in its own capacity (the
hub everything released, an agency its own section, the referrer the outcome).

Every view declares its permission; a referral out of reach answers 404 (selectors). Bad
input answers 422 with the form's errors and nothing saved; a stale form 409.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.core.errors import Conflict, DomainError
from safecase.partnerships import actions, clock, request_actions, selectors
from safecase.partnerships.choices import RATING_MEANING, ReferralStatus
from safecase.partnerships.forms import DecideForm, EnterForm, RateForm, RequestForm, ShareForm
from safecase.partnerships.models import HubAgency, HubReferral, SectionAttachment


def form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _hub_or_404(request: HttpRequest, perm: Permission = Permission.HUB_MANAGE) -> Any:
    actor = request.actor  # type: ignore[attr-defined]
    hub = selectors.hub_hosted_by(actor.organisation_id)
    if hub is None:
        selectors.no_hub(actor, perm, "hosted hub")
    return hub


def _staff_referral(request: HttpRequest, referral_id: str) -> HubReferral:
    actor = request.actor  # type: ignore[attr-defined]
    referral = selectors.access_referral(actor, referral_id, Permission.HUB_MANAGE)
    if referral.organisation_id != actor.organisation_id:
        selectors.refuse(actor, referral, Permission.HUB_MANAGE)
    return referral


@requires(Permission.HUB_MANAGE)
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    hub = _hub_or_404(request)
    page = selectors.hub_queue(request.actor, cursor=request.GET.get("after"))  # type: ignore[attr-defined]
    return render(
        request,
        "partnerships/queue.html",
        {"hub": hub, "page": page, "rows": page.items, "now": timezone.now()},
    )


@requires(Permission.HUB_MANAGE)
@require_safe
def decided(request: HttpRequest) -> HttpResponse:
    hub = _hub_or_404(request)
    page = selectors.hub_decided(request.actor, cursor=request.GET.get("after"))  # type: ignore[attr-defined]
    return render(
        request, "partnerships/decided.html", {"hub": hub, "page": page, "rows": page.items}
    )


@requires(Permission.HUB_MANAGE)
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    _hub_or_404(request)
    form = EnterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                referral = actions.referral_enter(
                    actor=request.actor,  # type: ignore[attr-defined]
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "Referral entered. Rate it next.")
                return redirect("partnerships:referral", referral_id=referral.pk)
    return render(request, "partnerships/enter.html", {"form": form}, status=status)


@requires(Permission.HUB_VIEW)
@require_http_methods(["GET"])
def referral_page(request: HttpRequest, referral_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    referral = selectors.access_referral(actor, referral_id, Permission.HUB_VIEW)
    cap = selectors.capacity(actor, referral)
    sections = selectors.sections_for(actor, referral, cap)
    shown = [s for s in sections if selectors.section_readable(actor, cap, s)]
    readable = {s.pk for s in shown}
    now = timezone.now()
    files: dict[object, list[Any]] = {}
    for attachment in SectionAttachment.objects.filter(request__in=shown):
        files.setdefault(attachment.request_id, []).append(attachment)
    rows = [
        {
            "request": s,
            "readable": s.pk in readable,
            "late": s.is_late_at(now),
            "files": files.get(s.pk, []),
        }
        for s in sections
    ]
    selectors.log_viewed(actor, referral, shown)
    context = {
        "referral": referral,
        "cap": cap,
        "sections": rows,
        "now": now,
        "timescale": clock.timescale_text(referral.hub, referral.rating),
        "meaning": RATING_MEANING.get(referral.rating, "Not rated yet"),
        "items": list(referral.items.all()) if (cap.is_hub or cap.is_referrer) else [],
        "ratings": list(referral.ratings.select_related("changed_by")) if cap.is_hub else [],
        "is_open": referral.status == ReferralStatus.OPEN,
        "perms_report": selectors.held(actor, Permission.HUB_REPORT),
    }
    return render(request, "partnerships/referral.html", context)


def _rate_or_decide(
    request: HttpRequest, referral_id: str, form_class: type[Any], template: str
) -> HttpResponse:
    referral = _staff_referral(request, referral_id)
    form = form_class(request.POST or None, initial={"version": referral.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form_class is RateForm:
                    actions.referral_rate(
                        actor=request.actor,  # type: ignore[attr-defined]
                        referral=referral,
                        version=data["version"],
                        rating=data["rating"],
                        rationale=data["rationale"],
                    )
                    messages.success(request, "Rating recorded.")
                else:
                    actions.referral_decide(
                        actor=request.actor,  # type: ignore[attr-defined]
                        referral=referral,
                        version=data["version"],
                        decision=data["decision"],
                        rationale=data["rationale"],
                    )
                    messages.success(request, "Decision recorded and returned to the referrer.")
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                form_error(form, exc)
            else:
                return redirect("partnerships:referral", referral_id=referral.pk)
    return render(request, template, {"form": form, "referral": referral}, status=status)


@requires(Permission.HUB_MANAGE)
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, referral_id: str) -> HttpResponse:
    return _rate_or_decide(request, referral_id, RateForm, "partnerships/rate.html")


@requires(Permission.HUB_MANAGE)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, referral_id: str) -> HttpResponse:
    return _rate_or_decide(request, referral_id, DecideForm, "partnerships/decide.html")


@requires(Permission.HUB_MANAGE)
@require_http_methods(["GET", "POST"])
def request_information(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = _staff_referral(request, referral_id)
    agencies = {str(a.pk): a for a in selectors.hub_agencies(referral.hub)}
    choices = [
        (pk, f"{a.agency_organisation.name} ({a.get_kind_display()})") for pk, a in agencies.items()
    ]
    form = RequestForm(request.POST or None, agencies=choices)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            chosen: list[HubAgency] = [agencies[pk] for pk in form.cleaned_data["agencies"]]
            try:
                sent = request_actions.request_send(
                    actor=request.actor,  # type: ignore[attr-defined]
                    referral=referral,
                    agencies=chosen,
                    question=form.cleaned_data["question"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{len(sent)} request(s) sent.")
                return redirect("partnerships:referral", referral_id=referral.pk)
    return render(
        request,
        "partnerships/request.html",
        {
            "form": form,
            "referral": referral,
            "timescale": clock.timescale_text(referral.hub, referral.rating),
        },
        status=status,
    )


@requires(Permission.HUB_VIEW)
@require_http_methods(["GET"])
def request_go(request: HttpRequest, request_id: str) -> HttpResponse:
    """Where a notification about a request leads: the agency to its section, the hub to the
    referral."""
    actor = request.actor  # type: ignore[attr-defined]
    found = selectors.request_target(request_id)
    if found is not None and found.agency_organisation_id == actor.organisation_id:
        return redirect("partnerships:answer", request_id=found.pk)
    referral = selectors.access_referral(
        actor, found.referral_id if found else request_id, Permission.HUB_VIEW
    )
    return redirect("partnerships:referral", referral_id=referral.pk)


@requires(Permission.HUB_MANAGE)
@require_http_methods(["POST"])
def share_section(request: HttpRequest, request_id: str) -> HttpResponse:
    """Hub staff show a released section to the referral's other parties, with a reason."""
    actor = request.actor  # type: ignore[attr-defined]
    found = selectors.access_hub_request(actor, request_id, Permission.HUB_MANAGE)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the section is shared.")
    else:
        try:
            request_actions.section_share(
                actor=actor,
                request=found,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Section shared with the referral's agencies and referrer.")
    return redirect("partnerships:referral", referral_id=found.referral_id)
