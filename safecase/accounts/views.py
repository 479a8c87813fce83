"""The organisation administrator's screens: members, roles and settings. No case content."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.lookups import access_membership
from safecase.access.permissions import Permission
from safecase.accounts import actions, auth_actions, selectors
from safecase.accounts.forms import (
    InviteForm,
    OrganisationSettingsForm,
    ReasonForm,
    RolesForm,
)
from safecase.accounts.middleware import SESSION_ORG
from safecase.core.errors import Conflict, DomainError
from safecase.core.pagination import keyset_page


def _apply_error(form: object, exc: DomainError) -> None:
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, exc.message)  # type: ignore[attr-defined]


@requires(Permission.ORG_MANAGE_MEMBERS)
@require_http_methods(["GET"])
def member_list(request: HttpRequest) -> HttpResponse:
    page = keyset_page(
        selectors.member_list(request.actor),  # type: ignore[attr-defined]
        key="user__email",
        cursor=request.GET.get("after"),
    )
    return render(request, "accounts/member_list.html", {"page": page})


@requires(Permission.ORG_MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.member_invite(
                actor=request.actor,  # type: ignore[attr-defined]
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                base_url=request.build_absolute_uri("/"),
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"{membership.user.email} has been added and e-mailed.")
            return redirect("accounts:member_detail", membership_id=membership.pk)
    return render(
        request, "accounts/member_invite.html", {"form": form}, status=422 if form.errors else 200
    )


@requires(Permission.ORG_MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, membership_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    membership = access_membership(actor, membership_id, Permission.ORG_MANAGE_MEMBERS)
    roles_form = RolesForm(
        request.POST or None,
        initial={"roles": membership.role_names(), "version": membership.version},
    )
    if request.method == "POST" and roles_form.is_valid():
        try:
            actions.member_set_roles(
                actor=actor,
                membership=membership,
                roles=roles_form.cleaned_data["roles"],
                version=roles_form.cleaned_data["version"],
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("accounts:member_detail", membership_id=membership.pk)
        except DomainError as exc:
            _apply_error(roles_form, exc)
        else:
            messages.success(request, "Roles updated. They apply from the member's next click.")
            return redirect("accounts:member_detail", membership_id=membership.pk)
    return render(
        request,
        "accounts/member_detail.html",
        {
            "membership": membership,
            "roles_form": roles_form,
            "reason_form": ReasonForm(),
            "sessions": selectors.sessions_of(membership.user),
        },
        status=422 if roles_form.errors else 200,
    )


def _member_reason_action(request: HttpRequest, membership_id: str, which: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    membership = access_membership(actor, membership_id, Permission.ORG_MANAGE_MEMBERS)
    form = ReasonForm(request.POST)
    done = {
        "deactivate": (actions.member_deactivate, "Member deactivated; their sessions have ended."),
        "reactivate": (actions.member_reactivate, "Member reactivated."),
        "reset_mfa": (actions.member_reset_mfa, "Multi-factor authentication reset."),
        "end_sessions": (actions.member_end_sessions, "Member signed out everywhere."),
    }[which]
    if form.is_valid():
        try:
            done[0](actor=actor, membership=membership, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, done[1])
            return redirect("accounts:member_detail", membership_id=membership.pk)
    roles_form = RolesForm(
        initial={"roles": membership.role_names(), "version": membership.version}
    )
    return render(
        request,
        "accounts/member_detail.html",
        {
            "membership": membership,
            "roles_form": roles_form,
            "reason_form": form,
            "failed": which,
            "sessions": selectors.sessions_of(membership.user),
        },
        status=422,
    )


@requires(Permission.ORG_MANAGE_MEMBERS)
@require_POST
def member_deactivate(request: HttpRequest, membership_id: str) -> HttpResponse:
    return _member_reason_action(request, membership_id, "deactivate")


@requires(Permission.ORG_MANAGE_MEMBERS)
@require_POST
def member_reactivate(request: HttpRequest, membership_id: str) -> HttpResponse:
    return _member_reason_action(request, membership_id, "reactivate")


@requires(Permission.ORG_MANAGE_MEMBERS)
@require_POST
def member_reset_mfa(request: HttpRequest, membership_id: str) -> HttpResponse:
    return _member_reason_action(request, membership_id, "reset_mfa")


@requires(Permission.ORG_MANAGE_MEMBERS)
@require_POST
def member_end_sessions(request: HttpRequest, membership_id: str) -> HttpResponse:
    return _member_reason_action(request, membership_id, "end_sessions")


@requires(Permission.ORG_MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    organisation = actor.organisation
    form = (
        OrganisationSettingsForm(request.POST)
        if request.method == "POST"
        else OrganisationSettingsForm.for_organisation(organisation)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.organisation_update_settings(
                actor=actor,
                organisation=organisation,
                version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                mfa_required_for_reporters=form.cleaned_data["mfa_required_for_reporters"],
            )
        except Conflict as exc:
            # Keep what this user typed, show what is saved now, and let them submit again
            # against the current version: never a silent overwrite, never lost typing.
            organisation.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(organisation.version)
            form = OrganisationSettingsForm(data)
            form.is_valid()
            reporters = "required" if organisation.mfa_required_for_reporters else "not required"
            form.add_error(
                None,
                f"{exc.message} Saved now: name “{organisation.name}”, MFA for reporters "
                f"{reporters}. Your changes are below; save again to apply them.",
            )
        else:
            messages.success(request, "Settings saved.")
            return redirect("accounts:organisation_settings")
    return render(
        request,
        "accounts/organisation_settings.html",
        {"form": form, "organisation": organisation},
        status=409 if form.non_field_errors() else (422 if form.errors else 200),
    )


@requires(Permission.ACCOUNT_SELF)
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Act in another organisation the user belongs to; anything else is refused quietly."""
    wanted = request.POST.get("organisation", "")
    membership = next(
        (m for m in request.memberships if str(m.organisation_id) == wanted),  # type: ignore[attr-defined]
        None,
    )
    if membership is None:
        messages.error(request, "You are not a member of that organisation.")
        return redirect("web:home")
    request.session[SESSION_ORG] = str(membership.organisation_id)
    auth_actions.organisation_switch(actor=request.actor, organisation=membership.organisation)  # type: ignore[attr-defined]
    messages.success(request, f"You are now working in {membership.organisation.name}.")
    return redirect("web:home")
