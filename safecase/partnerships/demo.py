"""The demo partnership's MASH (all synthetic): the hub hosted by Northshire Children's
Services with its default calendar and timescales, the agencies it asks (police, health, and
Riverside as education), and one referral told through the real actions: Riverside's lead
refers a synthetic child, hub staff rate it red and ask police and health; the police answer,
held and released by their approver in time; health does not answer, is late and escalated;
the hub decides; Riverside sees the outcome.

``world`` is the demo world (safecase.demo.personas.DemoWorld), not imported here: the domain
apps never reach into the demo package. Idempotent: does nothing once the story's referral
exists.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from safecase.access.models import Consent
from safecase.accounts.models import Membership
from safecase.core.actors import Actor
from safecase.partnerships import actions, request_actions, selectors, settings_actions
from safecase.partnerships.choices import AgencyKind, Decision, Rating
from safecase.partnerships.escalation import escalate_late_requests
from safecase.partnerships.models import HubReferral, HubSettings, InformationRequest
from safecase.people import actions as people_actions

DEMO_CHILD = ("Jordan", "Demo-Hubchild")
AGENCIES = (
    ("police", AgencyKind.POLICE),
    ("health", AgencyKind.HEALTH),
    ("secondary", AgencyKind.EDUCATION),
)


def actor_of(world: Any, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.filter(user=user).order_by("organisation__name").first()
    assert membership is not None
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def build_demo_hub_settings(world: Any) -> HubSettings:
    """The hub and its agencies (idempotent)."""
    hub = HubSettings.objects.filter(partnership=world.partnership).first()
    manager = actor_of(world, "hub_manager")
    if hub is None:
        hub = settings_actions.hub_settings_save(
            actor=manager,
            partnership=world.partnership,
            hub_organisation=world.organisations["childrens_services"],
            version=0,
            reason="The demo partnership's MASH (synthetic).",
        )
    have = {a.agency_organisation_id for a in hub.agencies.all()}
    for key, kind in AGENCIES:
        if world.organisations[key].pk not in have:
            settings_actions.hub_agency_save(
                actor=manager, hub=hub, agency_organisation=world.organisations[key], kind=kind
            )
    return hub


def build_demo_hub(world: Any) -> HubReferral | None:
    """The hub and the demo's story (see the module's note). Returns the story's referral."""
    hub = build_demo_hub_settings(world)
    existing = HubReferral.objects.filter(hub=hub, subject_name=" ".join(DEMO_CHILD)).first()
    if existing is not None:
        return existing
    lead = actor_of(world, "lead")
    child = people_actions.person_create(
        actor=lead,
        kind="child",
        given_names=DEMO_CHILD[0],
        family_name=DEMO_CHILD[1],
        date_of_birth=date(2012, 5, 17),
    )
    start = timezone.now() - timedelta(days=7)
    referral = actions.referral_make(
        actor=lead,
        subject_name=" ".join(DEMO_CHILD),
        summary="Jordan (synthetic) arrived with bruising on both forearms and said an adult "
        "at home grabbed them. Mother's new partner is not known to the school.",
        disclosure=actions.Disclosure(
            lawful_basis="UK GDPR Art. 6(1)(e) and Art. 9(2)(g); Children Act 1989 s47",
            consent=Consent.NOT_SOUGHT,
            consent_override_reason="Seeking consent could place the child at greater risk.",
        ),
        person_id=child.pk,
        received_at=start,
    )
    hub_staff = actor_of(world, "hub")
    actions.referral_rate(
        actor=hub_staff,
        referral=referral,
        version=referral.version,
        rating=Rating.RED,
        rationale="Injury disclosed, adult in the household unknown: immediate risk.",
        at=start + timedelta(minutes=10),
    )
    agencies = [
        a for a in selectors.hub_agencies(hub) if a.kind in (AgencyKind.POLICE, AgencyKind.HEALTH)
    ]
    requests = request_actions.request_send(
        actor=hub_staff,
        referral=referral,
        agencies=agencies,
        question="What do you know of the child, the mother and her partner?",
        at=start + timedelta(minutes=15),
    )
    police = next(
        r for r in requests if r.agency_organisation_id == world.organisations["police"].pk
    )
    police = InformationRequest.objects.get(pk=police.pk)
    request_actions.request_answer(
        actor=actor_of(world, "partner_with_share"),
        request=police,
        version=police.version,
        answer="The mother's partner has a caution for assault (2019, synthetic). "
        "No call-outs to the address.",
        hold=True,
        at=start + timedelta(minutes=50),
    )
    request_actions.request_release(
        actor=actor_of(world, "police_approver"),
        request=police,
        version=police.version,
        at=start + timedelta(minutes=80),
    )
    escalate_late_requests()
    referral.refresh_from_db()
    actions.referral_decide(
        actor=hub_staff,
        referral=referral,
        version=referral.version,
        decision=Decision.STRATEGY_DISCUSSION,
        rationale="Disclosure of physical harm and police information about the partner: "
        "strategy discussion today with police, health and the school.",
    )
    return referral
