"""Known-to in the demo (all invented): each organisation's contact, and one child known to
several partners, so that a check has something to find.

Jamie Example-Child (Riverside Academy's pupil, from the demo concerns) is given a synthetic
NHS number and UPN; Northshire Police and Northshire Health Trust each hold a record of a
Jamie with the same NHS number (health spells the family name without the hyphen, in
capitals); Westbrook Swimming Club, outside the partnership, holds one too, and is never
matched. The partner records are made through the people actions by a records officer of each
agency, a demo account that cannot sign in (the personas hold no role that keeps records there).

``world`` is the demo world (safecase.demo.personas.DemoWorld: ``users`` and ``organisations``
by key), not imported here: the partnerships package never reaches into the demo package.
Idempotent: running it again changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole, Organisation, User
from safecase.core.actors import Actor
from safecase.partnerships.knownto import actions, index
from safecase.partnerships.knownto.models import KnownToContact
from safecase.people import actions as people_actions
from safecase.people.identifiers import IdentifierScheme
from safecase.people.models import Person, PersonIdentifier

DEMO_DOMAIN = "demo.safecase.invalid"
# Valid check digits, never issued to anyone (NHS numbers 943 476 xxxx are the test range).
DEMO_NHS = "9434765919"
DEMO_UPN = "F801200100001"
CHILD = ("Jamie", "Example-Child", date(2013, 3, 14))

# (organisation key, role, mailbox local part)
CONTACTS: tuple[tuple[str, str, str], ...] = (
    ("police", "MASH police desk", "mash.police"),
    ("health", "Named nurse for safeguarding children", "safeguarding.health"),
    ("childrens_services", "MASH duty desk", "mash.duty"),
    ("secondary", "Designated safeguarding lead", "dsl.riverside"),
    ("primary", "Designated safeguarding lead", "dsl.oakfield"),
    ("club", "Club welfare officer", "welfare.hillside"),
    ("outside", "Club welfare officer", "welfare.westbrook"),
)

# (organisation key, given names, family name) of the partner records of the same child.
PARTNER_RECORDS: tuple[tuple[str, str, str], ...] = (
    ("police", "Jamie", "Example-Child"),
    ("health", "JAMIE", "EXAMPLE CHILD"),
    ("outside", "Jamie", "Example-Child"),
)


def _member_actor(user: User, organisation: Organisation) -> Actor:
    membership = Membership.objects.get(user=user, organisation=organisation)
    return Actor(user=user, organisation=organisation, roles=frozenset(membership.role_names()))


@transaction.atomic
def _records_officer(organisation: Organisation, key: str) -> Actor:
    """A demo account (no password: it cannot sign in) that keeps the agency's person records."""
    email = f"records.{key.replace('_', '.')}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=None,
            full_name=f"Records officer, {organisation.name} (synthetic)",
            is_demo=True,
        )
    membership, _ = Membership.objects.get_or_create(user=user, organisation=organisation)
    MembershipRole.objects.get_or_create(membership=membership, role=Role.CASE_WORKER)
    return _member_actor(user, organisation)


def _has_nhs(organisation: Organisation) -> bool:
    return PersonIdentifier.objects.filter(
        organisation=organisation, scheme=IdentifierScheme.NHS, value=DEMO_NHS
    ).exists()


def _school_child(world: Any) -> None:
    school = world.organisations["secondary"]
    if _has_nhs(school):
        return
    lead = _member_actor(world.users["lead"], school)
    given, family, born = CHILD
    child = (
        Person.objects.filter(
            organisation=school,
            given_names=given,
            family_name=family,
            date_of_birth=born,
            merged_into__isnull=True,
        )
        .order_by("created_at")
        .first()
    )
    if child is None:
        child = people_actions.person_create(
            actor=lead, kind="child", given_names=given, family_name=family, date_of_birth=born
        )
    people_actions.person_add_identifier(
        actor=lead, person=child, scheme=IdentifierScheme.NHS, value=DEMO_NHS
    )
    if not PersonIdentifier.objects.filter(person=child, scheme=IdentifierScheme.UPN).exists():
        people_actions.person_add_identifier(
            actor=lead, person=child, scheme=IdentifierScheme.UPN, value=DEMO_UPN
        )


def build_demo_known_to(world: Any, *, rebuild: bool = True) -> None:
    """Contacts, the shared child, and (``rebuild``) the index rebuilt from every person
    record, so that people bulk-loaded without the actions (the county demo) are found too."""
    if rebuild:
        index.rebuild()
    for key, role, local in CONTACTS:
        organisation = world.organisations.get(key)
        if organisation is None or KnownToContact.objects.filter(organisation=organisation):
            continue
        actions.known_to_contact_save(
            actor=Actor.system("demo", organisation=organisation),
            role=role,
            mailbox=f"{local}@{DEMO_DOMAIN}",
            version=0,
        )
    _school_child(world)
    _given, _family, born = CHILD
    for key, given, family in PARTNER_RECORDS:
        organisation = world.organisations.get(key)
        if organisation is None or _has_nhs(organisation):
            continue
        officer = (
            _member_actor(world.users["other_org"], organisation)
            if key == "outside"
            else _records_officer(organisation, key)
        )
        people_actions.person_create(
            actor=officer,
            kind="child",
            given_names=given,
            family_name=family,
            date_of_birth=born,
            identifiers=[(IdentifierScheme.NHS, DEMO_NHS)],
        )
