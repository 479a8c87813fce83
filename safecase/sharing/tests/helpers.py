"""A scene for the sharing tests, built through the real actions: Riverside (the secondary
school) holds a child, a concern about them with a file, a case about them with a note and a
risk assessment, and a chronology extract; nothing is shared until a test shares it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.access.models import Consent, ShareGrant
from safecase.cases import actions as case_actions
from safecase.cases.models import Case
from safecase.cases.notes import actions as note_actions
from safecase.cases.notes.models import CaseNote
from safecase.cases.risk import actions as risk_actions
from safecase.cases.risk.models import RiskAssessmentVersion
from safecase.cases.tests.helpers import case_type
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Attachment, Concern, ScanState
from safecase.concerns.selectors import person_chronology
from safecase.core.tests.test_files import png
from safecase.people import actions as people_actions
from safecase.people.models import Person
from safecase.sharing import actions
from safecase.sharing.kinds import KINDS
from safecase.sharing.models import ChronologyExtract

SECRET_FACT = "Unshared-secret-fact-7Q"  # never to be seen by another organisation
SHARED_FACT = "Shared-note-fact-3K"


@dataclass
class Scene:
    person: Person
    concern: Concern
    attachment: Attachment
    case: Case
    note: CaseNote
    secret_note: CaseNote
    risk: RiskAssessmentVersion
    extract: ChronologyExtract

    def item(self, kind: str) -> Any:
        return {
            "person": self.person,
            "concern": self.concern,
            "attachment": self.attachment,
            "case": self.case,
            "case_note": self.note,
            "risk_version": self.risk,
            "chronology_extract": self.extract,
        }[kind]


def build_scene(world: DemoWorld, *, given: str = "Jamie") -> Scene:
    lead = actor_for(world, "lead")
    reporter = actor_for(world, "reporter")
    person = people_actions.person_create(
        actor=lead,
        kind="child",
        given_names=given,
        family_name="Example-Sharechild",
        date_of_birth=timezone.localdate() - timedelta(days=12 * 365),
    )
    draft = concern_actions.concern_save_draft(
        actor=reporter,
        concern=None,
        version=None,
        people=[{"name": f"{given} Example-Sharechild", "details": "Year 7"}],
        category_codes=["neglect"],
        happened_at=timezone.now() - timedelta(days=2),
        location="Playground",
        fact=f"{given} had no lunch again (synthetic).",
        opinion=f"I think {SECRET_FACT} (synthetic).",
    )
    attachment = concern_actions.attachment_add(
        actor=reporter, concern=draft, name="drawing.png", data=png()
    )
    Attachment.objects.filter(pk=attachment.pk).update(scan_state=ScanState.CLEAN)
    attachment.refresh_from_db()
    concern = concern_actions.concern_submit(actor=reporter, concern=draft, version=draft.version)
    concern_actions.concern_link_person(
        actor=lead, concern_person=concern.people.get(), person=person
    )
    case = case_actions.case_open(
        actor=lead,
        case_type=case_type("child_protection"),
        title=f"{given} Example-Sharechild: neglect (synthetic)",
        reason="Repeated missed meals; the threshold for a case is met.",
    )
    case_actions.case_add_subject(
        actor=lead, case=case, version=case.version, person=person, role="subject"
    )
    case.refresh_from_db()
    note = note_actions.note_add(
        actor=lead,
        case=case,
        kind="contact",
        visibility="safeguarding_team",
        named_people=[],
        fact=f"Phoned the aunt; {SHARED_FACT} (synthetic).",
        opinion="The aunt seemed worried.",
        occurred_at=timezone.now() - timedelta(hours=3),
    )
    secret_note = note_actions.note_add(
        actor=lead,
        case=case,
        kind="contact",
        visibility="safeguarding_team",
        named_people=[],
        fact=f"Spoke to the GP; {SECRET_FACT} (synthetic).",
        opinion="",
        occurred_at=timezone.now() - timedelta(hours=2),
    )
    risk = risk_actions.risk_assess(
        actor=lead,
        case=case,
        version=0,
        risk_factors="Missed meals; tired in class (synthetic).",
        protective_factors="A trusted teacher (synthetic).",
        likelihood=3,
        impact=3,
        level="medium",
        interim_measures=[],
        interim_other="",
        next_review_on=timezone.localdate() + timedelta(days=14),
        reason="First assessment (synthetic).",
    )
    # The concern's line: its date, categories and what was seen, not the recorder's opinion
    # (nor anything of the case).
    lines = [e for e in person_chronology(lead, person) if e.is_concern]
    assert all(SECRET_FACT not in e.summary + e.title for e in lines)
    extract = actions.chronology_extract_make(
        actor=lead,
        person=person,
        title="Missed meals, this term (synthetic)",
        source_ids=[lines[-1].entry_id],
    )
    return Scene(person, concern, attachment, case, note, secret_note, risk, extract)


def share(
    world: DemoWorld,
    item: Any,
    kind: str,
    *,
    to: str = "police",
    persona: str = "lead",
    **extra: Any,
) -> ShareGrant:
    fields: dict[str, Any] = {
        "purpose": "Joint working on a neglect concern (synthetic).",
        "lawful_basis": "UK GDPR Art. 6(1)(e); Children Act 2004 s.11",
        "consent": Consent.GIVEN,
        **extra,
    }
    return actions.item_share(
        actor=actor_for(world, persona),
        kind=KINDS[kind],
        record=item,
        to_organisation=world.organisations[to],
        **fields,
    )
