"""Synthetic organisations and one user per persona: the demo site and the test fixtures.

Every name here is invented. Building is idempotent: running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from safecase.access.roles import Role
from safecase.accounts import actions
from safecase.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    Partnership,
    PartnershipMember,
    User,
)
from safecase.core.actors import Actor

DEMO_PASSWORD = "correct-horse-safeguarding"  # demo only; refused outside SAFECASE_DEMO/tests
DEMO_DOMAIN = "demo.safecase.invalid"  # .invalid can never receive mail (RFC 2606)

PARTNERSHIP_NAME = "Northshire Safeguarding Partnership"

# (key, name, type, in the partnership)
ORGANISATIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("primary", "Oakfield Primary School", "school", True),
    ("secondary", "Riverside Academy", "school", True),
    ("club", "Hillside Juniors Football Club", "sport", True),
    ("childrens_services", "Northshire Children's Services", "childrens_services", True),
    ("police", "Northshire Police", "police", True),
    ("health", "Northshire Health Trust", "health", True),
    ("outside", "Westbrook Swimming Club", "sport", False),
)

# (persona, full name, organisation key, roles)
PERSONAS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("reporter", "Rosa Reporter", "secondary", (Role.REPORTER,)),
    ("lead", "Lena Lead", "secondary", (Role.LEAD,)),
    ("deputy", "Dev Deputy", "secondary", (Role.DEPUTY_LEAD,)),
    ("case_worker", "Cass Worker", "secondary", (Role.CASE_WORKER,)),
    ("supervisor", "Sam Supervisor", "secondary", (Role.SUPERVISOR,)),
    ("org_admin", "Ada Admin", "secondary", (Role.ORG_ADMIN,)),
    ("auditor", "Audrey Auditor", "secondary", (Role.AUDITOR,)),
    ("partner_with_share", "Parveen Police", "police", (Role.AGENCY_PRACTITIONER,)),
    ("partner_without", "Harry Health", "health", (Role.AGENCY_PRACTITIONER,)),
    ("other_org", "Otto Outsider", "outside", (Role.LEAD,)),
    ("primary_lead", "Priya Primary", "primary", (Role.LEAD, Role.ORG_ADMIN)),
    # The MASH (issue 5), hosted by children's services; the police's approver releases the
    # police answers to the hub.
    ("hub", "Hana Hub", "childrens_services", (Role.HUB_PRACTITIONER,)),
    ("hub_manager", "Milo Manager", "childrens_services", (Role.HUB_MANAGER,)),
    ("police_approver", "Pat Approver", "police", (Role.AGENCY_APPROVER,)),
)


@dataclass
class DemoWorld:
    organisations: dict[str, Organisation]
    users: dict[str, User]
    partnership: Partnership


def persona_email(persona: str) -> str:
    return f"{persona.replace('_', '.')}@{DEMO_DOMAIN}"


def build_demo_world(*, password: str = DEMO_PASSWORD, is_demo: bool = True) -> DemoWorld:
    """Create (or find) the demo organisations, partnership and persona users."""
    actor = Actor.system("demo")
    organisations: dict[str, Organisation] = {}
    for key, name, org_type, _ in ORGANISATIONS:
        existing = Organisation.objects.filter(name=name).first()
        organisations[key] = existing or actions.organisation_create(
            actor=actor, name=name, org_type=org_type
        )
    partnership = Partnership.objects.filter(name=PARTNERSHIP_NAME).first()
    if partnership is None:
        partnership = actions.partnership_create(
            actor=actor,
            name=PARTNERSHIP_NAME,
            purpose="Sharing safeguarding information about children between the county's "
            "schools, clubs, children's services, police and health (synthetic demo).",
            lawful_basis="UK GDPR Art. 6(1)(e) public task; Art. 9(2)(g) substantial public "
            "interest (safeguarding of children), DPA 2018 Sch. 1 para 18.",
            starts_on=date(2026, 1, 1),
            agreement_reference="NSP-ISA-DEMO-1",
        )
    for key, _, _, in_partnership in ORGANISATIONS:
        joined = PartnershipMember.objects.filter(
            partnership=partnership, organisation=organisations[key]
        ).exists()
        if in_partnership and not joined:
            actions.partnership_add_member(
                actor=actor, partnership=partnership, organisation=organisations[key]
            )
    users: dict[str, User] = {}
    for persona, full_name, org_key, roles in PERSONAS:
        users[persona] = _ensure_member(
            persona_email(persona), full_name, organisations[org_key], roles, password, is_demo
        )
    return DemoWorld(organisations=organisations, users=users, partnership=partnership)


@transaction.atomic
def _ensure_member(
    email: str,
    full_name: str,
    organisation: Organisation,
    roles: tuple[str, ...],
    password: str,
    is_demo: bool,
) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, is_demo=is_demo
        )
    membership, _ = Membership.objects.get_or_create(user=user, organisation=organisation)
    for role in roles:
        MembershipRole.objects.get_or_create(membership=membership, role=role)
    return user
