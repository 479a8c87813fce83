"""Synthetic sharing for the demo (all invented), made through the real actions: Riverside
Academy (the secondary school) shares one case note and a chronology extract about a synthetic
child with Northshire Police (the "partner_with_share" persona sees them under "Shared with
us"), consent not sought, with the reason and who decided.

Idempotent: does nothing once the demo's shares exist. Runs after the concerns and cases
builders if they ran (it uses their child when there is one, and makes its own otherwise)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.utils import timezone

from safecase.access.models import Consent, ShareGrant
from safecase.accounts.models import Membership
from safecase.cases import actions as case_actions
from safecase.cases.models import Case, CaseSubject, CaseType
from safecase.cases.notes import actions as note_actions
from safecase.cases.notes.models import CaseNote
from safecase.concerns.selectors import person_chronology
from safecase.core.actors import Actor
from safecase.people import actions as people_actions
from safecase.people.models import Person
from safecase.sharing import actions
from safecase.sharing.kinds import KINDS

PURPOSE = "Police enquiry into neglect at home: strategy discussion (synthetic)."
CASE_TITLE = "Jamie Example-Child: neglect at home (synthetic)"
NOT_SOUGHT = (
    "Asking the parents for consent could alert the adult suspected of harming Jamie and put "
    "Jamie at greater risk (synthetic)."
)


class DemoWorld(Protocol):
    """What this builder reads of safecase.demo.personas.DemoWorld (not imported: the sharing
    package may not depend on the demo, by the import contract)."""

    users: dict[str, Any]
    organisations: dict[str, Any]
    partnership: Any


def _actor(world: DemoWorld, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def _child(lead: Actor, school: Any) -> Person:
    child = Person.objects.filter(
        organisation=school, given_names="Jamie", family_name="Example-Child"
    ).first()
    if child is not None:
        return child
    return people_actions.person_create(
        actor=lead,
        kind="child",
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=timezone.localdate() - timedelta(days=12 * 365),
    )


def _case_note(lead: Actor, school: Any, child: Person) -> CaseNote:
    case = Case.objects.filter(organisation=school, title=CASE_TITLE).first()
    if case is None:
        case = case_actions.case_open(
            actor=lead,
            case_type=CaseType.objects.get(organisation__isnull=True, code="child_protection"),
            title=CASE_TITLE,
            reason="Repeated signs of neglect; the threshold for a case is met (synthetic).",
        )
    if not CaseSubject.objects.filter(case=case, person=child).exists():
        case.refresh_from_db()
        case_actions.case_add_subject(
            actor=lead, case=case, version=case.version, person=child, role="subject"
        )
    note = CaseNote.objects.filter(case=case).order_by("created_at").first()
    if note is None:
        note = note_actions.note_add(
            actor=lead,
            case=case,
            kind="contact",
            visibility="safeguarding_team",
            fact="Home visit with the school nurse: no food in the house, Jamie's younger "
            "sibling alone at home at 4pm (synthetic).",
            opinion="The home conditions seem to be getting worse.",
            occurred_at=timezone.now() - timedelta(days=1, hours=3),
        )
    return note


def build_demo_sharing(world: DemoWorld) -> None:
    school = world.organisations["secondary"]
    police = world.organisations["police"]
    if ShareGrant.objects.filter(
        owner_organisation=school, to_organisation=police, purpose=PURPOSE
    ).exists():
        return
    lead = _actor(world, "lead")
    child = _child(lead, school)
    note = _case_note(lead, school, child)
    entries = person_chronology(lead, child, limit=5)
    extract = actions.chronology_extract_make(
        actor=lead,
        person=child,
        title="Concerns about Jamie this term (synthetic)",
        source_ids=[e.entry_id for e in entries],
    )
    for kind, item in (("case_note", note), ("chronology_extract", extract)):
        actions.item_share(
            actor=lead,
            kind=KINDS[kind],
            record=item,
            to_organisation=police,
            purpose=PURPOSE,
            lawful_basis=world.partnership.lawful_basis,
            consent=Consent.NOT_SOUGHT,
            consent_override_reason=NOT_SOUGHT,
            consent_overridden_by=world.users["lead"],
            expires_at=timezone.now() + timedelta(days=90),
        )
