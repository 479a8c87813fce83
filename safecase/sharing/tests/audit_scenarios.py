"""The sharing part's actions, reconciled with their audit events by
tests/test_actions_audited.py (which discovers this SCENARIOS)."""

from __future__ import annotations

import time

from safecase.access.models import BreakGlassAccess, Consent
from safecase.audit.events import AuditAction
from safecase.cases import actions as case_actions
from safecase.cases.models import Case as CaseRecord
from safecase.cases.models import CaseType
from safecase.concerns.models import Attachment, ScanState
from safecase.concerns.selectors import person_chronology
from safecase.sharing import actions
from safecase.sharing.kinds import KINDS
from tests.audit_kit import Call, Case, Kit

REASON = "The named people are away and the police need the file today (synthetic)."


def _share(k: Kit, persona: str = "lead") -> Call:
    person = k.person()
    return lambda: actions.item_share(
        actor=k.actor(persona),
        kind=KINDS["person"],
        record=person,
        to_organisation=k.world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
        consent=Consent.NOT_SOUGHT,
        consent_override_reason="Seeking it would put the child at risk (synthetic).",
    )


def _extract(k: Kit, persona: str = "lead") -> Call:
    concern = k.concern()
    person = k.person()
    from safecase.concerns import actions as concern_actions

    concern_actions.concern_link_person(
        actor=k.actor("lead"), concern_person=concern.people.get(), person=person
    )
    lines = person_chronology(k.actor("lead"), person)
    return lambda: actions.chronology_extract_make(
        actor=k.actor(persona),
        person=person,
        title="Missed meals (synthetic)",
        source_ids=[lines[0].entry_id],
    )


def _shared_file(k: Kit, persona: str = "partner_with_share") -> Call:
    from safecase.access import actions as access_actions
    from safecase.concerns import actions as concern_actions

    draft = k.draft()
    attachment = concern_actions.attachment_add(
        actor=k.actor("reporter"), concern=draft, name="photo.png", data=_png()
    )
    Attachment.objects.filter(pk=attachment.pk).update(scan_state=ScanState.CLEAN)
    concern_actions.concern_submit(actor=k.actor("reporter"), concern=draft, version=draft.version)
    attachment.refresh_from_db()
    grant = access_actions.share_grant(
        actor=k.actor("lead"),
        record=attachment,
        to_organisation=k.world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    return lambda: actions.shared_file_read(actor=k.actor(persona), grant=grant)


def _png() -> bytes:
    from safecase.core.tests.test_files import png

    return png()


def _restricted(k: Kit) -> CaseRecord:
    from safecase.cases.tests.helpers import second_lead

    return case_actions.case_open(
        actor=second_lead(k.world),
        case_type=CaseType.objects.get(organisation__isnull=True, code="allegation"),
        title="Allegation against a senior member of staff (synthetic)",
        reason="An allegation received by phone from a parent.",
        restrict_to=[],
        restriction_reason="The allegation is about the lead.",
    )


def _break(k: Kit, persona: str = "lead") -> Call:
    case = _restricted(k)
    return lambda: actions.break_glass_open(
        actor=k.actor(persona), record=case, reason=REASON, code_checked_at=time.time()
    )


def _opening(k: Kit) -> BreakGlassAccess:
    return actions.break_glass_open(
        actor=k.actor("lead"), record=_restricted(k), reason=REASON, code_checked_at=time.time()
    )


def _review(k: Kit, persona: str = "auditor") -> Call:
    opening = _opening(k)
    return lambda: actions.break_glass_review(
        actor=k.actor(persona), opening=opening, version=opening.version, note="Justified."
    )


SCENARIOS = {
    "safecase.sharing.actions.item_share": Case(
        AuditAction.SHARE_GRANTED, _share, lambda k: _share(k, "reporter")
    ),
    "safecase.sharing.actions.chronology_extract_make": Case(
        AuditAction.CHRONOLOGY_EXTRACT_MADE, _extract, lambda k: _extract(k, "case_worker")
    ),
    "safecase.sharing.actions.shared_file_read": Case(
        AuditAction.ATTACHMENT_DOWNLOADED, _shared_file, lambda k: _shared_file(k, "auditor")
    ),
    "safecase.sharing.actions.break_glass_open": Case(
        AuditAction.BREAK_GLASS_OPENED, _break, lambda k: _break(k, "deputy")
    ),
    "safecase.sharing.actions.break_glass_review": Case(
        AuditAction.BREAK_GLASS_REVIEWED, _review, lambda k: _review(k, "lead")
    ),
}
