"""A synthetic record transfer for the demo (everything invented), made through the real
actions: Riverside Academy's lead sends the safeguarding file of a child who moved to Oakfield
Primary School (the child of the demo's MASH referral when the hub's demo ran, else a demo
child with concerns, else a new child); Oakfield's lead opens it (viewed) and accepts it onto a
new person there, so receipt is confirmed on both sides.

``world`` is the demo world (safecase.demo.personas.DemoWorld: ``users`` and ``organisations``
by key); it is not imported here, as the partnerships package never reaches into the demo
package. Idempotent: does nothing once the child's file has been sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from safecase.accounts.models import Membership
from safecase.core.actors import Actor
from safecase.partnerships.transfers import actions
from safecase.partnerships.transfers.models import Transfer
from safecase.people.actions import person_create
from safecase.people.models import Person

# Who moves, in order of preference: the child of the demo's MASH referral (the hub part's
# story: referred, then moves school), else a demo child with concerns, else a new child.
STORY_CHILDREN = (("Jordan", "Demo-Hubchild"), ("Riley", "Sample-Pupil"))
NEW_CHILD = ("Maya", "Moving-Example")
REASON = (
    "Moved to Oakfield Primary School mid-year; the safeguarding file goes within 5 school "
    "days of the move (synthetic)."
)


def _actor(world: Any, persona: str, org_key: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations[org_key])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def _names() -> Q:
    wanted = Q(pk__in=[])
    for given, family in (*STORY_CHILDREN, NEW_CHILD):
        wanted |= Q(person__given_names=given, person__family_name=family)
    return wanted


def build_demo_transfers(world: Any) -> Transfer | None:
    """Runs last of the multi-agency steps (after the hub's). Returns the demo transfer."""
    school = world.organisations["secondary"]
    existing = Transfer.objects.filter(_names(), sender_organisation=school).first()
    if existing is not None:
        return existing
    lead = _actor(world, "lead", "secondary")
    person = None
    for given, family in STORY_CHILDREN:
        person = Person.objects.filter(
            organisation=school, given_names=given, family_name=family, merged_into__isnull=True
        ).first()
        if person is not None:
            break
    if person is None:
        person = person_create(
            actor=lead,
            kind="child",
            given_names=NEW_CHILD[0],
            family_name=NEW_CHILD[1],
            date_of_birth=date(2015, 9, 3),
            flags=["young_carer"],
        )
    transfer = actions.transfer_send(
        actor=lead,
        person=person,
        receiver_organisation=world.organisations["primary"],
        reason=REASON,
    )
    receiver = _actor(world, "primary_lead", "primary")
    actions.transfer_view(actor=receiver, transfer=transfer)
    transfer.refresh_from_db()
    actions.transfer_accept(actor=receiver, transfer=transfer, version=transfer.version)
    transfer.refresh_from_db()
    return transfer
