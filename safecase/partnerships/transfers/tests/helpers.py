"""Building transfers for tests through the real actions: a Riverside child with a concern
(fact, own words, opinion), its triage, and a restricted concern that must never travel."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.access import actions as access_actions
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Concern
from safecase.partnerships.transfers import actions
from safecase.partnerships.transfers.models import Transfer
from safecase.people.models import Person
from tests.audit_kit import Kit

REASON = "The child moved to Oakfield Primary School in year (synthetic)."
RESTRICTED_FACT = "Restricted: allegation against a member of staff (synthetic)."


def child(world: DemoWorld, *, with_restricted: bool = False) -> Person:
    kit = Kit(world=world)
    person = kit.person("Jamie")
    lead = actor_for(world, "lead")
    concern = kit.concern()
    concern = Concern.objects.get(pk=concern.pk)
    concern_actions.concern_link_person(
        actor=lead, concern_person=concern.people.get(), person=person
    )
    concern = Concern.objects.get(pk=concern.pk)
    concern_actions.concern_triage(
        actor=lead,
        concern=concern,
        version=concern.version,
        level_of_need=2,
        rag="amber",
        initial_risk="Low: warm clothes provided (synthetic).",
        decision="monitor",
        rationale="First concern; monitor and speak to the parent (synthetic).",
        threshold_considered="Level 2 early help threshold: not met on one concern (synthetic).",
        review_on=timezone.localdate() + timedelta(days=14),
    )
    if with_restricted:
        hidden = kit.concern()
        hidden = Concern.objects.get(pk=hidden.pk)
        Concern.objects.filter(pk=hidden.pk).update(fact=RESTRICTED_FACT)
        concern_actions.concern_link_person(
            actor=lead, concern_person=hidden.people.get(), person=person
        )
        access_actions.record_restrict(
            actor=lead,
            record=Concern.objects.get(pk=hidden.pk),
            reason="Allegation against staff (synthetic).",
            named_people=[world.users["lead"]],
        )
    return Person.objects.get(pk=person.pk)


def send(world: DemoWorld, person: Person | None = None, **extra: Any) -> Transfer:
    return actions.transfer_send(
        actor=actor_for(world, "lead"),
        person=person or child(world),
        receiver_organisation=world.organisations["primary"],
        reason=REASON,
        **extra,
    )


def born() -> date:
    return date(2015, 6, 1)


def now() -> Any:
    return timezone.now()
