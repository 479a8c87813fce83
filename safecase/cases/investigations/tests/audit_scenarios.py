"""The investigation's actions in the audit reconciliation (tests/test_actions_audited.py):
each called once successfully and once refused by the policy."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.cases.investigations import actions, evidence_actions
from safecase.cases.investigations.choices import FindingKind, InvestigationStatus
from safecase.cases.investigations.tests.helpers import (
    allegation_case,
    evidence,
    interview,
    open_investigation,
)
from safecase.concerns.models import ScanState
from tests.audit_kit import Call, Case, Kit

M = "safecase.cases.investigations.actions."
E = "safecase.cases.investigations.evidence_actions."


def _open(k: Kit, persona: str = "lead") -> Call:
    case = allegation_case(k.world)
    return lambda: open_investigation(k.world, case, persona)


def _update(k: Kit, persona: str = "lead") -> Call:
    inv = open_investigation(k.world)
    return lambda: actions.investigation_update(
        actor=k.actor(persona),
        investigation=inv,
        version=inv.version,
        terms_of_reference=inv.terms_of_reference,
        plan=inv.plan + " Also the changing-room rota.",
        investigator=k.world.users["case_worker"],
        status=InvestigationStatus.IN_PROGRESS,
        reason="Interviews start today.",
    )


def _interview(k: Kit, persona: str = "lead") -> Call:
    inv = open_investigation(k.world)
    return lambda: actions.interview_record(
        actor=k.actor(persona),
        investigation=inv,
        role="witness",
        interviewee_name="Sam Example-Witness",
        held_at=timezone.now() - timedelta(hours=1),
        interviewer=k.world.users["case_worker"],
        summary="Sam saw the coach hold Alex's arm.",
    )


def _addendum(k: Kit, persona: str = "lead") -> Call:
    held = interview(k.world, open_investigation(k.world))
    return lambda: actions.interview_add_addendum(
        actor=k.actor(persona), interview=held, reason="Sam phoned back.", text="It was 17:10."
    )


def _finding(k: Kit, persona: str = "lead") -> Call:
    inv = open_investigation(k.world)
    held = interview(k.world, inv)
    return lambda: actions.finding_record(
        actor=k.actor(persona),
        investigation=inv,
        kind=FindingKind.ESTABLISHED_FACT,
        text="The coach held Alex's arm.",
        interviews=[held],
    )


def _evidence(k: Kit, persona: str = "lead") -> Call:
    inv = open_investigation(k.world)
    return lambda: evidence_actions.evidence_record(
        actor=k.actor(persona),
        investigation=inv,
        item="Session register",
        source="Club administrator",
        obtained_on=timezone.localdate(),
        file_name="register.txt",
        file_data=b"Register (synthetic).\n",
    )


def _add_file(k: Kit, persona: str = "lead") -> Call:
    item = evidence(k.world, open_investigation(k.world), file_name="", file_data=None)
    return lambda: evidence_actions.evidence_add_file(
        actor=k.actor(persona), evidence=item, name="register.txt", data=b"Register.\n"
    )


def _read(k: Kit, persona: str = "lead") -> Call:
    item = evidence(k.world, open_investigation(k.world))
    return lambda: evidence_actions.evidence_read_file(actor=k.actor(persona), evidence=item)


def _scan(k: Kit, system: bool = True) -> Call:
    item = evidence(k.world, open_investigation(k.world))
    type(item).objects.filter(pk=item.pk).update(scan_state=ScanState.PENDING)
    item.refresh_from_db()
    actor = k.system() if system else k.actor("lead")
    return lambda: evidence_actions.evidence_scan(actor=actor, evidence=item)


def _custody(k: Kit, persona: str = "lead") -> Call:
    item = evidence(k.world, open_investigation(k.world))
    return lambda: evidence_actions.custody_record(
        actor=k.actor(persona),
        evidence=item,
        from_whom="Club administrator",
        to_whom="Cass Example-Worker",
        transferred_at=timezone.now() - timedelta(minutes=5),
        purpose="For the investigation file.",
    )


SCENARIOS: dict[str, Case] = {
    M + "investigation_open": Case(
        AuditAction.INVESTIGATION_OPENED, _open, lambda k: _open(k, "auditor")
    ),
    M + "investigation_update": Case(
        AuditAction.INVESTIGATION_UPDATED, _update, lambda k: _update(k, "other_org")
    ),
    M + "interview_record": Case(
        AuditAction.INTERVIEW_RECORDED, _interview, lambda k: _interview(k, "reporter")
    ),
    M + "interview_add_addendum": Case(
        AuditAction.INTERVIEW_ADDENDUM_ADDED, _addendum, lambda k: _addendum(k, "auditor")
    ),
    M + "finding_record": Case(
        AuditAction.FINDING_RECORDED, _finding, lambda k: _finding(k, "partner_with_share")
    ),
    E + "evidence_record": Case(
        AuditAction.EVIDENCE_RECORDED, _evidence, lambda k: _evidence(k, "reporter")
    ),
    E + "evidence_add_file": Case(
        AuditAction.EVIDENCE_FILE_ADDED, _add_file, lambda k: _add_file(k, "other_org")
    ),
    E + "evidence_read_file": Case(
        AuditAction.EVIDENCE_FILE_DOWNLOADED, _read, lambda k: _read(k, "other_org")
    ),
    E + "evidence_scan": Case(
        AuditAction.EVIDENCE_FILE_SCANNED, _scan, lambda k: _scan(k, system=False)
    ),
    E + "custody_record": Case(
        AuditAction.EVIDENCE_CUSTODY_RECORDED, _custody, lambda k: _custody(k, "auditor")
    ),
}
