"""A synthetic record transfer for the demo (everything invented), made through the real
actions: Riverside Academy's lead sends the safeguarding file of a child who moved to Oakfield
Primary School; Oakfield's lead opens it (viewed) and accepts it onto a new person there, so
receipt is confirmed on both sides.

``world`` is the demo world (safecase.demo.personas.DemoWorld: ``users`` and ``organisations``
by key); it is not imported here, as the partnerships package never reaches into the demo
package. Idempotent: does nothing once the child's file has been sent.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Concern
from safecase.core.actors import Actor
from safecase.partnerships.transfers import actions
from safecase.partnerships.transfers.models import Transfer
from safecase.people.actions import person_create
from safecase.people.models import Person

GIVEN, FAMILY = "Maya", "Moving-Example"


def _actor(world: Any, persona: str, org_key: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations[org_key])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def build_demo_transfers(world: Any) -> Transfer | None:
    """Runs after build_demo_world (needs only the personas). Returns the demo transfer."""
    school = world.organisations["secondary"]
    existing = Transfer.objects.filter(
        sender_organisation=school, person__given_names=GIVEN, person__family_name=FAMILY
    ).first()
    if existing is not None:
        return existing
    lead = _actor(world, "lead", "secondary")
    reporter = _actor(world, "reporter", "secondary")
    person = Person.objects.filter(
        organisation=school, given_names=GIVEN, family_name=FAMILY
    ).first()
    if person is None:
        person = person_create(
            actor=lead,
            kind="child",
            given_names=GIVEN,
            family_name=FAMILY,
            date_of_birth=date(2015, 9, 3),
            flags=["young_carer"],
        )
        draft = concern_actions.concern_save_draft(
            actor=reporter,
            concern=None,
            version=None,
            people=[{"name": f"{GIVEN} {FAMILY}", "details": "Year 7"}],
            category_codes=["neglect"],
            happened_at=timezone.now() - timedelta(days=20),
            location="Form room",
            fact="Maya said she had not eaten since lunch the day before and looked tired "
            "(synthetic).",
            own_words="Mum is poorly so I do the shopping when there is money.",
            opinion="I think Maya is caring for her mother without support (synthetic).",
        )
        concern = concern_actions.concern_submit(
            actor=reporter, concern=draft, version=draft.version
        )
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
            initial_risk="Moderate: a young carer without support (synthetic).",
            decision="early_help",
            rationale="Young carer assessment and early help offered to the family (synthetic).",
            threshold_considered="Children in need (level 3): not met; needs are met by early "
            "help with the family's consent (synthetic).",
            review_on=timezone.localdate() + timedelta(days=28),
        )
    transfer = actions.transfer_send(
        actor=lead,
        person=person,
        receiver_organisation=world.organisations["primary"],
        reason="Maya moved to Oakfield Primary School's Year 7 provision mid-year; her "
        "safeguarding file goes within 5 school days of the move (synthetic).",
    )
    receiver = _actor(world, "primary_lead", "primary")
    actions.transfer_view(actor=receiver, transfer=transfer)
    transfer.refresh_from_db()
    actions.transfer_accept(actor=receiver, transfer=transfer, version=transfer.version)
    transfer.refresh_from_db()
    return transfer
