"""The hub's settings page and its agencies (HUB_CONFIGURE), the timeliness report and the
end-of-referral audit view (HUB_REPORT)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.accounts.models import Organisation
from safecase.core.errors import Conflict, DomainError
from safecase.partnerships import selectors, selectors_reports, settings_actions
from safecase.partnerships.forms import AgencyForm, ReportForm, SettingsForm, aware_dates
from safecase.partnerships.models import HubSettings
from safecase.partnerships.views import form_error


def _hub(request: HttpRequest, perm: Permission) -> HubSettings:
    actor = request.actor  # type: ignore[attr-defined]
    hub = selectors.hub_hosted_by(actor.organisation_id)
    if hub is None:
        selectors.no_hub(actor, perm, "hosted hub")
    assert hub is not None
    return hub


def _members(hub: HubSettings) -> list[tuple[str, str]]:
    orgs = Organisation.objects.filter(
        pk__in=selectors._active_members()
        .filter(partnership_id=hub.partnership_id)
        .values("organisation_id")
    ).order_by("name")
    return [(str(o.pk), o.name) for o in orgs]


@requires(Permission.HUB_CONFIGURE)
@require_http_methods(["GET", "POST"])
def hub_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    hub = _hub(request, Permission.HUB_CONFIGURE)
    initial = {
        "version": hub.version,
        "opens_at": hub.opens_at.strftime("%H:%M"),
        "closes_at": hub.closes_at.strftime("%H:%M"),
        "weekdays": list(hub.weekdays),
        "closed_days": "\n".join(hub.closed_days),
        "red_working_hours": hub.red_working_hours,
        "amber_working_hours": hub.amber_working_hours,
        "green_hours": hub.green_hours,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                settings_actions.hub_settings_save(
                    actor=actor,
                    partnership=hub.partnership,
                    hub_organisation=hub.organisation,
                    version=data["version"],
                    reason=data["reason"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    weekdays="".join(data["weekdays"]),
                    closed_days=data["closed_days"],
                    red_working_hours=data["red_working_hours"],
                    amber_working_hours=data["amber_working_hours"],
                    green_hours=data["green_hours"],
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "Hub settings saved as a new version.")
                return redirect("partnerships:settings")
    return render(
        request,
        "partnerships/settings.html",
        {
            "hub": hub,
            "form": form,
            "agency_form": AgencyForm(members=_members(hub)),
            "agencies": selectors.hub_agencies(hub),
            "versions": list(hub.versions.select_related("changed_by")[:10]),
        },
        status=status,
    )


@requires(Permission.HUB_CONFIGURE)
@require_http_methods(["POST"])
def add_agency(request: HttpRequest) -> HttpResponse:
    hub = _hub(request, Permission.HUB_CONFIGURE)
    form = AgencyForm(request.POST, members=_members(hub))
    if form.is_valid():
        try:
            settings_actions.hub_agency_save(
                actor=request.actor,  # type: ignore[attr-defined]
                hub=hub,
                agency_organisation=Organisation.objects.get(
                    pk=form.cleaned_data["agency_organisation"]
                ),
                kind=form.cleaned_data["kind"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Agency saved.")
    else:
        messages.error(request, "Choose a member organisation and the kind of agency.")
    return redirect("partnerships:settings")


@requires(Permission.HUB_REPORT)
@require_http_methods(["GET"])
def timeliness(request: HttpRequest) -> HttpResponse:
    hub = _hub(request, Permission.HUB_REPORT)
    today = timezone.localdate()
    form = ReportForm(request.GET or {"start": today - timedelta(days=30), "end": today})
    rows = []
    status = 200
    if form.is_valid():
        start, end = aware_dates(form.cleaned_data["start"], form.cleaned_data["end"])
        rows = selectors_reports.timeliness(hub, start, end)
    else:
        status = 422
    return render(
        request, "partnerships/timeliness.html", {"form": form, "rows": rows}, status=status
    )


@requires(Permission.HUB_REPORT)
@require_http_methods(["GET"])
def referral_audit(request: HttpRequest, referral_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    referral = selectors.access_referral(actor, referral_id, Permission.HUB_REPORT)
    if referral.organisation_id != actor.organisation_id:
        selectors.refuse(actor, referral, Permission.HUB_REPORT)
    return render(
        request,
        "partnerships/audit.html",
        {"referral": referral, **selectors_reports.referral_audit(referral)},
    )
