"""The referring organisation's pages: refer into the hub (choosing exactly which concerns,
case and person go with it, and the sharing decision), and "our referrals to the hub" with
their outcomes."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.cases.selectors import cases_visible_to
from safecase.concerns.choices import ConcernStatus
from safecase.concerns.selectors import concerns_visible_to
from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.partnerships import actions, selectors
from safecase.partnerships.forms import ReferForm
from safecase.partnerships.views import form_error
from safecase.people.selectors import people_visible_to

CHOICES = 100


def _choices(actor: Actor) -> dict[str, list[tuple[str, str]]]:
    """What may go with a referral: the organisation's own recent records the actor can see."""
    org = actor.organisation_id
    assert org is not None
    concerns = (
        concerns_visible_to(actor)
        .filter(organisation_id=org, status=ConcernStatus.SUBMITTED)
        .order_by("-submitted_at")[:CHOICES]
    )
    cases = cases_visible_to(actor).filter(organisation_id=org).order_by("-created_at")[:CHOICES]
    people = people_visible_to(actor).filter(organisation_id=org).order_by("-created_at")[:CHOICES]
    return {
        "concerns": [
            (str(c.pk), f"Concern recorded {c.submitted_at:%d/%m/%Y %H:%M}") for c in concerns
        ],
        "cases": [(str(c.pk), f"{c.reference}: {c.title}") for c in cases],
        "people": [(str(p.pk), p.display_name) for p in people],
    }


def _in_partnership(actor: Actor) -> None:
    hub = selectors.hub_for_member(actor.organisation_id)
    if hub is None or hub.organisation_id == actor.organisation_id:
        selectors.no_hub(actor, Permission.HUB_REFER, "member hub")


@requires(Permission.HUB_REFER)
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    _in_partnership(actor)
    initial = {}
    for name in ("case", "person"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = ReferForm(request.POST or None, initial=initial, **_choices(actor))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = actions.referral_make(
                    actor=actor,
                    subject_name=data["subject_name"],
                    summary=data["summary"],
                    disclosure=actions.Disclosure(
                        lawful_basis=data["lawful_basis"],
                        consent=data["consent"],
                        consent_override_reason=data["consent_override_reason"],
                    ),
                    concern_ids=[uuid.UUID(c) for c in data["concerns"]],
                    case_id=uuid.UUID(data["case"]) if data["case"] else None,
                    person_id=uuid.UUID(data["person"]) if data["person"] else None,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "Referral sent to the hub.")
                return redirect("partnerships:referral", referral_id=referral.pk)
    return render(request, "partnerships/refer.html", {"form": form}, status=status)


@requires(Permission.HUB_REFER)
@require_http_methods(["GET"])
def our_referrals(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    _in_partnership(actor)
    page = selectors.referrals_from(actor, cursor=request.GET.get("after"))
    return render(request, "partnerships/our_referrals.html", {"page": page, "rows": page.items})
