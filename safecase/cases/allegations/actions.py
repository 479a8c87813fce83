"""The allegation track's changes (W12): the organisation's harm tests, a harm-threshold test,
the LADO reference, a suspension decision and its reviews, a referral to a barring or
regulatory body and its outcome.

Every function is the only way its change happens. Each starts with the case's guard (policy,
visibility, ownership, open), refuses a case that is not an allegation's, refuses bad input
with a DomainError before writing anything, takes its record from the version the form was
made from (a stale form gets Conflict) and writes its audit event in the same transaction.
Narrative (rationales, notes, reasons) goes in the event's reason, not its changes.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.allegations import chronology as chronology_titles
from safecase.cases.allegations import selectors
from safecase.cases.allegations.choices import (
    MAX_HARM_TESTS,
    BarringBody,
    ReviewOutcome,
    SuspensionChoice,
)
from safecase.cases.allegations.models import (
    Allegation,
    AllegationSettings,
    BarringReferral,
    HarmTest,
    SuspensionDecision,
    SuspensionReview,
)
from safecase.cases.choices import Workflow
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.people.models import ChronologyItem

NOTE_LIMIT = 2000
REFERENCE_LIMIT = 60


def _allegation_case(actor: Actor, case: Case) -> None:
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    if case.case_type.workflow != Workflow.ALLEGATION:
        raise DomainError(selectors.NOT_AN_ALLEGATION)


def _take_allegation(case: Case, version: int) -> Allegation:
    """The case's allegation record, locked and taken from ``version`` to the next (0: none
    yet, made now), or Conflict."""
    allegation = Allegation.objects.select_for_update().filter(case=case).first()
    current = allegation.version if allegation is not None else 0
    if current != version:
        raise guards.stale("The allegation record")
    if allegation is None:
        return Allegation.objects.create(organisation_id=case.organisation_id, case=case)
    Allegation.objects.filter(pk=allegation.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    allegation.version += 1
    return allegation


def _hold(model: Any, record: Any, version: int, what: str) -> None:
    """Hold the record's row for this transaction and refuse at once a form made from another
    version: the answer to a stale form is the conflict, whatever else it holds."""
    if not model.objects.select_for_update().filter(pk=record.pk, version=version).exists():
        raise guards.stale(what)


def _bump(model: Any, record: Any, version: int, what: str, **fields: Any) -> None:
    updated = model.objects.filter(pk=record.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise guards.stale(what)
    for name, value in fields.items():
        setattr(record, name, value)
    record.version = version + 1


def _not_future(day: date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise DomainError(f"The date {what} cannot be in the future.", field=field)


def _event(case: Case, source_id: Any, when: datetime, title: str, summary: str = "") -> None:
    chronology.event_added(case, chronology.Event(case.pk, source_id, when, title, summary))


# --- The organisation's harm tests ------------------------------------------------------------


def _code_for(question: str, known: dict[str, str]) -> str:
    if question in known:
        return known[question]
    return "custom_" + hashlib.sha256(question.encode()).hexdigest()[:8]


@transaction.atomic(durable=True)
def allegation_settings_update(
    *, actor: Actor, version: int, questions: list[str]
) -> AllegationSettings:
    """Set the organisation's harm tests (the questions, in order; a blank one is dropped).
    An unchanged question keeps its code, so earlier answers still name it."""
    require(actor, Permission.CONCERN_CONFIGURE)
    assert actor.organisation is not None
    cleaned = [" ".join(q.split()) for q in questions if q.strip()]
    if not cleaned:
        raise DomainError("Keep at least one harm test.", field="questions")
    if len(cleaned) > MAX_HARM_TESTS:
        raise DomainError(f"Keep to {MAX_HARM_TESTS} harm tests.", field="questions")
    if any(len(q) > 300 for q in cleaned):
        raise DomainError("Keep each test under 300 characters.", field="questions")
    if len(set(cleaned)) != len(cleaned):
        raise DomainError("Two of the tests are the same.", field="questions")
    row = AllegationSettings.objects.select_for_update().filter(organisation=actor.organisation)
    current = row.first()
    if (current.version if current is not None else 0) != version:
        raise guards.stale("The harm tests")
    before = selectors.harm_tests_for(actor.organisation.pk)
    known = {t["question"]: t["code"] for t in before}
    tests = [{"code": _code_for(q, known), "question": q} for q in cleaned]
    if current is None:
        current = AllegationSettings.objects.create(
            organisation=actor.organisation, harm_tests=tests
        )
    else:
        _bump(AllegationSettings, current, version, "The harm tests", harm_tests=tests)
    recorder.record(
        actor=actor,
        action=AuditAction.ALLEGATION_SETTINGS_CHANGED,
        subject=actor.organisation,
        changes={"harm_tests": [[t["code"] for t in before], [t["code"] for t in tests]]},
    )
    return current


# --- The harm-threshold test and the LADO ------------------------------------------------------


@transaction.atomic(durable=True)
def harm_test_record(
    *,
    actor: Actor,
    case: Case,
    version: int,
    answers: dict[str, bool | None],
    notes: dict[str, str] | None = None,
    summary: str = "",
) -> HarmTest:
    """Answer each of the organisation's harm tests yes or no, with a note. The threshold is
    met when any answer is yes: the page then says a LADO referral is due within one working
    day. A later test is added, never written over the earlier one."""
    _allegation_case(actor, case)
    _take_allegation(case, version)
    assert actor.user is not None
    notes = notes or {}
    recorded = []
    for question in selectors.harm_tests_for(case.organisation_id):
        code = question["code"]
        answer = answers.get(code)
        if answer is None:
            raise DomainError(f"Answer yes or no: {question['question']}.", field=code)
        note = notes.get(code, "").strip()
        if len(note) > NOTE_LIMIT:
            raise DomainError(f"Keep each note under {NOTE_LIMIT} characters.", field=code)
        recorded.append({**question, "answer": bool(answer), "note": note})
    summary = summary.strip()
    if len(summary) > NOTE_LIMIT:
        raise DomainError(f"Keep the summary under {NOTE_LIMIT} characters.", field="summary")
    met = any(a["answer"] for a in recorded)
    test = HarmTest.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        answers=recorded,
        threshold_met=met,
        summary=summary,
        recorded_by=actor.user,
    )
    _event(case, test.pk, test.created_at, chronology_titles.harm_test(met), summary)
    recorder.record(
        actor=actor,
        action=AuditAction.ALLEGATION_HARM_TEST_RECORDED,
        subject=case,
        reason=summary,
        changes={"threshold_met": met, "yes": [a["code"] for a in recorded if a["answer"]]},
    )
    return test


@transaction.atomic(durable=True)
def allegation_record_lado(
    *, actor: Actor, case: Case, version: int, reference: str, referred_at: datetime
) -> Allegation:
    """Record the LADO referral: the LADO's reference and when it was made (the referral
    itself is the referrals part's). A correction replaces both, and the audit trail keeps
    what they were."""
    _allegation_case(actor, case)
    allegation = _take_allegation(case, version)
    assert actor.user is not None
    reference = " ".join(reference.split())
    if len(reference) < 2:
        raise DomainError("Give the LADO's reference for the referral.", field="lado_reference")
    if len(reference) > REFERENCE_LIMIT:
        raise DomainError(
            f"Keep the reference under {REFERENCE_LIMIT} characters.", field="lado_reference"
        )
    if referred_at > timezone.now():
        raise DomainError("The referral cannot be in the future.", field="lado_referred_at")
    before_reference, before_at = allegation.lado_reference, allegation.lado_referred_at
    Allegation.objects.filter(pk=allegation.pk).update(
        lado_reference=reference, lado_referred_at=referred_at, lado_recorded_by=actor.user
    )
    allegation.lado_reference, allegation.lado_referred_at = reference, referred_at
    allegation.lado_recorded_by = actor.user
    if before_reference:
        # A correction: the line is written again at the corrected time, as a rebuild would.
        ChronologyItem.objects.filter(source_id=allegation.pk, case_id=case.pk).delete()
    _event(case, allegation.pk, referred_at, chronology_titles.lado(reference))
    recorder.record(
        actor=actor,
        action=AuditAction.ALLEGATION_LADO_RECORDED,
        subject=case,
        changes={
            "lado_reference": [before_reference, reference],
            "lado_referred_at": [
                before_at.isoformat() if before_at else None,
                referred_at.isoformat(),
            ],
        },
    )
    return allegation


# --- Suspension ---------------------------------------------------------------------------------


def _arrangement(decision: str, arrangements: str, next_review_on: date | None, start: date) -> str:
    if decision not in SuspensionChoice.values:
        raise DomainError("Choose the decision.", field="decision")
    arrangements = arrangements.strip()
    if decision == SuspensionChoice.ALTERNATIVE and len(arrangements) < guards.MIN_REASON:
        raise DomainError(
            "Say what the alternative arrangements are (e.g. redeployment away from children).",
            field="arrangements",
        )
    if len(arrangements) > NOTE_LIMIT:
        raise DomainError(f"Keep it under {NOTE_LIMIT} characters.", field="arrangements")
    if decision != SuspensionChoice.NOT_SUSPENDED and next_review_on is None:
        raise DomainError(
            "Set the next review date: a suspension or alternative arrangement is kept under "
            "review.",
            field="next_review_on",
        )
    if next_review_on is not None and next_review_on < start:
        raise DomainError("The next review cannot come before this date.", field="next_review_on")
    return arrangements


@transaction.atomic(durable=True)
def suspension_decide(
    *,
    actor: Actor,
    case: Case,
    version: int,
    decision: str,
    rationale: str,
    starts_on: date,
    next_review_on: date | None,
    arrangements: str = "",
) -> SuspensionDecision:
    """Record whether the adult concerned is suspended, not suspended or under alternative
    arrangements, with the mandatory rationale, from when, and the next review date. While a
    decision is current, it is reviewed (continued, changed or lifted), not replaced."""
    _allegation_case(actor, case)
    _take_allegation(case, version)
    assert actor.user is not None
    why = guards.required_text(rationale, "the rationale for this decision", field="rationale")
    arrangements = _arrangement(decision, arrangements, next_review_on, starts_on)
    if SuspensionDecision.objects.filter(case=case, ended_on__isnull=True).exists():
        raise DomainError(
            "A suspension decision is current on this case: review it (continue, change or "
            "lift it) instead.",
            field="decision",
        )
    row = SuspensionDecision.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        decision=decision,
        initial_decision=decision,
        arrangements=arrangements,
        rationale=why,
        starts_on=starts_on,
        next_review_on=next_review_on,
        decided_by=actor.user,
    )
    _event(case, row.pk, row.created_at, chronology_titles.decision(decision), why)
    recorder.record(
        actor=actor,
        action=AuditAction.ALLEGATION_SUSPENSION_DECIDED,
        subject=case,
        reason=why,
        changes={
            "decision": decision,
            "starts_on": starts_on.isoformat(),
            "next_review_on": next_review_on.isoformat() if next_review_on else None,
        },
    )
    return row


@transaction.atomic(durable=True)
def suspension_review(
    *,
    actor: Actor,
    decision: SuspensionDecision,
    version: int,
    reviewed_on: date,
    outcome: str,
    rationale: str,
    next_review_on: date | None,
    new_decision: str = "",
    arrangements: str = "",
) -> SuspensionReview:
    """Review the current suspension decision: continue it (next review date), change it (to
    another decision, with its arrangements and next review) or lift it (it ends on the
    review's date). The rationale is mandatory; the review is kept beside the decision."""
    case = decision.case
    _allegation_case(actor, case)
    _hold(SuspensionDecision, decision, version, "The suspension decision")
    assert actor.user is not None
    if decision.case_id != case.pk or not decision.is_current:
        raise DomainError("Only the current decision is reviewed.", field="decision")
    if outcome not in ReviewOutcome.values:
        raise DomainError("Choose the outcome of the review.", field="outcome")
    why = guards.required_text(rationale, "the rationale for this review", field="rationale")
    _not_future(reviewed_on, "reviewed_on", "of the review")
    if reviewed_on < decision.starts_on:
        raise DomainError("The review cannot come before the decision.", field="reviewed_on")
    fields: dict[str, Any]
    was = to = decision.decision
    if outcome == ReviewOutcome.LIFT:
        next_review_on = None
        fields = {"ended_on": reviewed_on, "next_review_on": None}
    elif outcome == ReviewOutcome.CHANGE:
        if new_decision == decision.decision:
            raise DomainError("Choose a different decision, or continue.", field="new_decision")
        if new_decision not in SuspensionChoice.values:
            raise DomainError("Choose what the decision becomes.", field="new_decision")
        arrangements = _arrangement(new_decision, arrangements, next_review_on, reviewed_on)
        to = new_decision
        fields = {
            "decision": new_decision,
            "arrangements": arrangements,
            "next_review_on": next_review_on,
        }
    else:
        if next_review_on is None:
            raise DomainError("Set the next review date.", field="next_review_on")
        if next_review_on < reviewed_on:
            raise DomainError(
                "The next review cannot come before this one.", field="next_review_on"
            )
        fields = {"next_review_on": next_review_on}
    _bump(SuspensionDecision, decision, version, "The suspension decision", **fields)
    review = SuspensionReview.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        decision=decision,
        reviewed_on=reviewed_on,
        outcome=outcome,
        from_decision=was,
        to_decision=to,
        rationale=why,
        next_review_on=next_review_on,
        reviewed_by=actor.user,
    )
    _event(case, review.pk, review.created_at, chronology_titles.review(outcome, to), why)
    recorder.record(
        actor=actor,
        action=AuditAction.ALLEGATION_SUSPENSION_REVIEWED,
        subject=case,
        reason=why,
        changes={
            "decision": str(decision.pk),
            "outcome": outcome,
            "to_decision": to,
            "next_review_on": next_review_on.isoformat() if next_review_on else None,
        },
    )
    return review


# --- Barring and regulatory bodies ---------------------------------------------------------------


@transaction.atomic(durable=True)
def barring_refer(
    *,
    actor: Actor,
    case: Case,
    version: int,
    body: str,
    referred_on: date,
    reason: str,
    reference: str = "",
    body_name: str = "",
) -> BarringReferral:
    """Record a referral of the adult concerned to a barring or regulatory body: which (a
    governing body or another body named), when, their reference, and why."""
    _allegation_case(actor, case)
    _take_allegation(case, version)
    assert actor.user is not None
    if body not in BarringBody.values:
        raise DomainError("Choose the body referred to.", field="body")
    body_name = " ".join(body_name.split())
    if body in (BarringBody.GOVERNING_BODY, BarringBody.OTHER) and len(body_name) < 2:
        raise DomainError("Name the body (e.g. The Football Association).", field="body_name")
    if len(body_name) > 120:
        raise DomainError("Keep the name under 120 characters.", field="body_name")
    reference = " ".join(reference.split())
    if len(reference) > REFERENCE_LIMIT:
        raise DomainError(
            f"Keep the reference under {REFERENCE_LIMIT} characters.", field="reference"
        )
    _not_future(referred_on, "referred_on", "of the referral")
    why = guards.required_text(reason, "the reason for the referral")
    referral = BarringReferral.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        body=body,
        body_name=body_name,
        referred_on=referred_on,
        reference=reference,
        reason=why,
        recorded_by=actor.user,
    )
    _event(case, referral.pk, referral.created_at, chronology_titles.referral(referral), why)
    recorder.record(
        actor=actor,
        action=AuditAction.ALLEGATION_BARRING_REFERRED,
        subject=case,
        reason=why,
        changes={"body": body, "referred_on": referred_on.isoformat(), "reference": reference},
    )
    return referral


@transaction.atomic(durable=True)
def barring_record_outcome(
    *, actor: Actor, referral: BarringReferral, version: int, outcome: str, outcome_on: date
) -> BarringReferral:
    """Record what the body decided (e.g. barred, no action, a prohibition order) and when."""
    case = referral.case
    _allegation_case(actor, case)
    _hold(BarringReferral, referral, version, "The referral")
    text = guards.required_text(outcome, "the body's outcome", field="outcome", limit=NOTE_LIMIT)
    _not_future(outcome_on, "outcome_on", "of the outcome")
    if outcome_on < referral.referred_on:
        raise DomainError("The outcome cannot come before the referral.", field="outcome_on")
    _bump(
        BarringReferral,
        referral,
        version,
        "The referral",
        outcome=text,
        outcome_on=outcome_on,
    )
    chronology.event_changed(referral.pk, title=chronology_titles.referral(referral))
    recorder.record(
        actor=actor,
        action=AuditAction.ALLEGATION_BARRING_OUTCOME,
        subject=case,
        reason=text,
        changes={"referral": str(referral.pk), "outcome_on": outcome_on.isoformat()},
    )
    return referral
