"""Building hub records for tests through the real actions (synthetic data only)."""

from __future__ import annotations

from typing import Any

from conftest import actor_for
from safecase.access.models import Consent
from safecase.partnerships import actions, request_actions, selectors
from safecase.partnerships.choices import AgencyKind
from safecase.partnerships.demo import build_demo_hub_settings
from safecase.partnerships.models import HubReferral, HubSettings, InformationRequest
from safecase.people import actions as people_actions

_serial = [0]


def hub(world: Any) -> HubSettings:
    return build_demo_hub_settings(world)


def child(world: Any, persona: str = "lead") -> Any:
    _serial[0] += 1
    return people_actions.person_create(
        actor=actor_for(world, persona),
        kind="child",
        given_names=f"Sam{_serial[0]}",
        family_name="Test-Hubchild",
    )


def disclosure(consent: str = Consent.GIVEN, reason: str = "") -> actions.Disclosure:
    return actions.Disclosure(
        lawful_basis="UK GDPR Art. 6(1)(e) and 9(2)(g)",
        consent=consent,
        consent_override_reason=reason,
    )


def referral(world: Any, persona: str = "lead", **kwargs: Any) -> HubReferral:
    hub(world)
    person = child(world, persona)
    return actions.referral_make(
        actor=actor_for(world, persona),
        subject_name=person.display_name,
        summary="A synthetic concern for the hub.",
        disclosure=disclosure(),
        person_id=person.pk,
        **kwargs,
    )


def rated(world: Any, rating: str = "red", **kwargs: Any) -> HubReferral:
    made = referral(world, received_at=kwargs.get("at"))
    return actions.referral_rate(
        actor=actor_for(world, "hub"),
        referral=made,
        version=made.version,
        rating=rating,
        rationale="Synthetic rationale.",
        **kwargs,
    )


def requested(
    world: Any, rating: str = "red", kinds: tuple[str, ...] = (AgencyKind.POLICE,), **kwargs: Any
) -> InformationRequest:
    made = rated(world, rating, at=kwargs.get("at"))
    agencies = [a for a in selectors.hub_agencies(made.hub) if a.kind in kinds]
    sent = request_actions.request_send(
        actor=actor_for(world, "hub"), referral=made, agencies=agencies, **kwargs
    )
    return InformationRequest.objects.select_related("referral__hub").get(pk=sent[0].pk)


def answered(world: Any, *, hold: bool = True) -> InformationRequest:
    request = requested(world)
    request_actions.request_answer(
        actor=actor_for(world, "partner_with_share"),
        request=request,
        version=request.version,
        answer="Synthetic police answer.",
        hold=hold,
    )
    return InformationRequest.objects.select_related("referral__hub").get(pk=request.pk)
