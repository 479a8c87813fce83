"""Opening and running a case's internal investigation: its terms of reference and plan,
interviews (and their addenda), findings. The evidence register's actions are in
evidence_actions.py.

Every function here is the only way its change happens: it starts with the case's guard
(policy, visibility, ownership, an open case), refuses bad input with a DomainError before
anything is written, guards the investigation with its ``version`` (a conditional UPDATE: a
stale form gets Conflict), and writes its audit event in the same transaction. Narrative text
(summaries, opinions, reasons) stays out of the event's changes; a reason goes in its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.accounts.models import User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.investigations import events
from safecase.cases.investigations.choices import (
    STATUS_MOVES,
    FindingKind,
    IntervieweeRole,
    InvestigationStatus,
)
from safecase.cases.investigations.models import (
    EvidenceItem,
    Finding,
    Interview,
    InterviewAddendum,
    Investigation,
    InvestigationRevision,
)
from safecase.cases.investigations.rules import (
    not_in_future,
    optional_text,
    require_member_with_access,
    require_running,
    required,
)
from safecase.cases.models import Case, CaseSubject
from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.people.models import Person


def _stale() -> Exception:
    return guards.stale("The investigation")


def _revise(investigation: Investigation, actor: Actor, reason: str) -> InvestigationRevision:
    assert actor.user is not None
    number = investigation.revisions.count() + 1
    return InvestigationRevision.objects.create(
        organisation_id=investigation.organisation_id,
        investigation=investigation,
        number=number,
        terms_of_reference=investigation.terms_of_reference,
        plan=investigation.plan,
        investigator=investigation.investigator,
        status=investigation.status,
        changed_by=actor.user,
        reason=reason,
    )


@transaction.atomic(durable=True)
def investigation_open(
    *,
    actor: Actor,
    case: Case,
    terms_of_reference: str,
    plan: str,
    investigator: User,
    reason: str = "Opened the investigation.",
) -> Investigation:
    """Open the case's investigation (one per case), with what it is to find out, how, and
    who runs it. Its first revision records the opening."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    tor = required(terms_of_reference, "the terms of reference", "terms_of_reference")
    how = required(plan, "the plan", "plan")
    why = guards.required_text(reason, "the reason for opening the investigation")
    require_member_with_access(case, investigator, field="investigator", what="the investigator")
    if Investigation.objects.filter(case=case).exists():
        raise DomainError("This case already has an investigation: change that one.")
    try:
        with transaction.atomic():  # a savepoint: a concurrent opening answers as above
            investigation = Investigation.objects.create(
                organisation_id=case.organisation_id,
                case=case,
                terms_of_reference=tor,
                plan=how,
                investigator=investigator,
                opened_by=actor.user,
            )
    except IntegrityError as exc:
        raise DomainError("This case already has an investigation: change that one.") from exc
    _revise(investigation, actor, why)
    recorder.record(
        actor=actor,
        action=AuditAction.INVESTIGATION_OPENED,
        subject=case,
        reason=why,
        changes={"investigation": investigation.pk, "investigator": investigator.pk},
    )
    return investigation


@transaction.atomic(durable=True)
def investigation_update(
    *,
    actor: Actor,
    investigation: Investigation,
    version: int,
    terms_of_reference: str,
    plan: str,
    investigator: User,
    status: str,
    reason: str,
) -> Investigation:
    """Change the terms of reference, plan, investigator or status, with the reason; the
    revision keeps what it became, who and why. Concluding needs at least one finding; a
    concluded investigation may be reopened (in progress) with its reason."""
    case = investigation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    if (
        not Investigation.objects.select_for_update()
        .filter(pk=investigation.pk, version=version)
        .exists()
    ):
        raise _stale()
    investigation.refresh_from_db()
    tor = required(terms_of_reference, "the terms of reference", "terms_of_reference")
    how = required(plan, "the plan", "plan")
    why = guards.required_text(reason, "the reason for this change")
    if status not in InvestigationStatus.values:
        raise DomainError("Choose the investigation's status.", field="status")
    before = investigation.status
    if before == status == InvestigationStatus.CONCLUDED:
        raise DomainError(
            "The investigation is concluded. Reopen it (mark it in progress, with the reason) "
            "before changing it.",
            field="status",
        )
    if status != before and status not in STATUS_MOVES[before]:
        raise DomainError(
            f"An investigation that is {InvestigationStatus(before).label.lower()} cannot be "
            f"marked {InvestigationStatus(status).label.lower()}.",
            field="status",
        )
    if investigator.pk != investigation.investigator_id:
        require_member_with_access(
            case, investigator, field="investigator", what="the investigator"
        )
    concluding = status == InvestigationStatus.CONCLUDED and before != status
    if concluding and not investigation.findings.exists():
        raise DomainError(
            "Record the findings before concluding the investigation.", field="status"
        )
    changed = sorted(
        name
        for name, old, new in (
            ("terms_of_reference", investigation.terms_of_reference, tor),
            ("plan", investigation.plan, how),
            ("investigator", investigation.investigator_id, investigator.pk),
            ("status", before, status),
        )
        if old != new
    )
    if not changed:
        raise DomainError("Nothing has changed: there is nothing to record.")
    now = timezone.now()
    concluded_at = now if concluding else (None if status != before else investigation.concluded_at)
    updated = Investigation.objects.filter(pk=investigation.pk, version=version).update(
        terms_of_reference=tor,
        plan=how,
        investigator=investigator,
        status=status,
        concluded_at=concluded_at,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated != 1:
        raise _stale()
    investigation.refresh_from_db()
    revision = _revise(investigation, actor, why)
    if concluding:
        chronology.event_added(case, events.concluded_event(revision, case_id=case.pk))
    recorder.record(
        actor=actor,
        action=AuditAction.INVESTIGATION_CONCLUDED
        if concluding
        else AuditAction.INVESTIGATION_UPDATED,
        subject=case,
        reason=why,
        changes={
            "investigation": investigation.pk,
            "changed": changed,
            "status": [before, status],
            "revision": revision.number,
        },
    )
    return investigation


@transaction.atomic(durable=True)
def interview_record(
    *,
    actor: Actor,
    investigation: Investigation,
    role: str,
    held_at: datetime,
    interviewer: User,
    summary: str,
    interviewee_name: str = "",
    person: Person | None = None,
    interviewer_opinion: str = "",
    own_words: str = "",
    signed: bool = False,
    signed_on: date | None = None,
) -> Interview:
    """Record an interview or statement. The summary (what was said: fact) is required; the
    interviewer's opinion is kept apart from it; the person's own words as given. Never edited
    afterwards except by addendum."""
    case = investigation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    require_running(investigation)
    name = " ".join(interviewee_name.split())
    if len(name) > 200:
        raise DomainError("Keep the name under 200 characters.", field="interviewee_name")
    if person is not None and not CaseSubject.objects.filter(case=case, person=person).exists():
        raise DomainError("Choose a person who is on this case.", field="person")
    if not name and person is None:
        raise DomainError(
            "Say who was interviewed: their name, or a person on the case.",
            field="interviewee_name",
        )
    if role not in IntervieweeRole.values:
        raise DomainError("Choose the interviewee's role.", field="role")
    not_in_future(held_at, "interview's date and time", "held_at")
    require_member_with_access(case, interviewer, field="interviewer", what="the interviewer")
    fact = required(summary, "a summary of what was said", "summary")
    opinion = optional_text(interviewer_opinion, "interviewer_opinion")
    words = optional_text(own_words, "own_words")
    if signed:
        if signed_on is None:
            raise DomainError("Give the date the statement was signed.", field="signed_on")
        not_in_future(signed_on, "date signed", "signed_on")
        if signed_on < timezone.localtime(held_at).date():
            raise DomainError(
                "A statement cannot be signed before the interview was held.", field="signed_on"
            )
    elif signed_on is not None:
        raise DomainError(
            "A date signed is given only for a signed statement: tick 'Signed'.",
            field="signed_on",
        )
    interview = Interview.objects.create(
        organisation_id=case.organisation_id,
        investigation=investigation,
        interviewee_name=name,
        person=person,
        role=role,
        held_at=held_at,
        interviewer=interviewer,
        summary=fact,
        interviewer_opinion=opinion,
        own_words=words,
        signed=signed,
        signed_on=signed_on if signed else None,
        recorded_by=actor.user,
    )
    chronology.event_added(case, events.interview_event(interview, case_id=case.pk))
    recorder.record(
        actor=actor,
        action=AuditAction.INTERVIEW_RECORDED,
        subject=case,
        changes={
            "interview": interview.pk,
            "role": role,
            "person": person.pk if person else None,
            "interviewer": interviewer.pk,
            "signed": signed,
        },
    )
    return interview


@transaction.atomic(durable=True)
def interview_add_addendum(
    *, actor: Actor, interview: Interview, reason: str, text: str
) -> InterviewAddendum:
    """Correct or add to a recorded interview, with the reason; the original stays as it was."""
    case = interview.investigation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    why = guards.required_text(reason, "the reason for this addendum", limit=300)
    body = required(text, "the addendum's text", "text")
    addendum = InterviewAddendum.objects.create(
        organisation_id=case.organisation_id,
        interview=interview,
        author=actor.user,
        reason=why,
        text=body,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.INTERVIEW_ADDENDUM_ADDED,
        subject=case,
        reason=why,
        changes={"interview": interview.pk, "addendum": addendum.pk},
    )
    return addendum


@transaction.atomic(durable=True)
def finding_record(
    *,
    actor: Actor,
    investigation: Investigation,
    kind: str,
    text: str,
    interviews: Sequence[Interview] = (),
    evidence: Sequence[EvidenceItem] = (),
) -> Finding:
    """Record a finding as an established fact, an allegation not established, or an opinion,
    with the interviews and evidence it rests on (an established fact must rest on some)."""
    case = investigation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    require_running(investigation)
    if kind not in FindingKind.values:
        raise DomainError(
            "Say what the finding is: an established fact, an allegation not established, "
            "or an opinion.",
            field="kind",
        )
    body = required(text, "the finding", "text")
    if any(i.investigation_id != investigation.pk for i in interviews):
        raise DomainError("Choose interviews from this investigation.", field="interviews")
    if any(e.investigation_id != investigation.pk for e in evidence):
        raise DomainError("Choose evidence from this investigation's register.", field="evidence")
    if kind == FindingKind.ESTABLISHED_FACT and not interviews and not evidence:
        raise DomainError(
            "An established fact needs its basis: choose the interviews or evidence it rests on.",
            field="interviews",
        )
    finding = Finding.objects.create(
        organisation_id=case.organisation_id,
        investigation=investigation,
        kind=kind,
        text=body,
        recorded_by=actor.user,
    )
    finding.basis_interviews.set(list(interviews))
    finding.basis_evidence.set(list(evidence))
    recorder.record(
        actor=actor,
        action=AuditAction.FINDING_RECORDED,
        subject=case,
        changes={
            "finding": finding.pk,
            "kind": kind,
            "interviews": sorted(str(i.pk) for i in interviews),
            "evidence": sorted(str(e.pk) for e in evidence),
        },
    )
    return finding
