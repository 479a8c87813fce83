"""Opening a case, adding its concerns and people, moving it through its stages, allocating it.

Every function here is the only way its change happens: it checks the policy itself, refuses
bad input with a DomainError before changing anything, guards the case with its ``version``
(a conditional UPDATE: a stale form gets Conflict, never a silent overwrite), and writes its
audit event in the same transaction. Narrative text (titles, reasons) stays out of the changes
of the audit event; reasons go in its reason, as for triage.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access import actions as access_actions
from safecase.access.permissions import Permission
from safecase.access.policy import can, require
from safecase.accounts.models import Membership, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards, parts, selectors, transitions
from safecase.cases.choices import CaseKind, CaseStatus, Stage, SubjectRole, TeamRole
from safecase.cases.models import (
    Case,
    CaseConcern,
    CaseSequence,
    CaseSubject,
    CaseTeamMember,
    CaseType,
    StageChange,
)
from safecase.concerns.models import Concern
from safecase.concerns.selectors import concerns_visible_to
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.people.models import Person
from safecase.people.selectors import people_visible_to

MIN_REASON = 5
# The permission a team role needs its holder to have, so nobody is allocated work they could
# not do (a reporter as a case worker, an auditor as a decision maker).
ROLE_NEEDS: dict[str, Permission] = {
    TeamRole.LEAD: Permission.CASE_MANAGE,
    TeamRole.CASE_WORKER: Permission.CASE_MANAGE,
    TeamRole.CASE_MANAGEMENT_GROUP: Permission.CASE_VIEW,
    TeamRole.DECISION_MAKER: Permission.CASE_DECIDE,
}


def _stale() -> Conflict:
    return Conflict(
        "This case changed since you opened it (perhaps someone else moved or allocated it). "
        "Reload it to see the current version, then try again."
    )


def _reason(reason: str, what: str) -> str:
    cleaned = " ".join(reason.split())
    if len(cleaned) < MIN_REASON:
        raise DomainError(f"Give the reason {what}: the record must say why.", field="reason")
    return cleaned


def _require_own_case(actor: Actor, case: Case, perm: Permission) -> None:
    guards.require_case_access(actor, case, perm)


def _lock(case: Case, version: int) -> None:
    """Hold the case's row for this transaction, and refuse at once a form made from another
    version: what it asks may no longer make sense (a person already allocated since, a stage
    already left), and the answer to a stale form is always the conflict, never a second
    guess at what it meant. The UPDATE in _bump stays conditional all the same."""
    if not Case.objects.select_for_update().filter(pk=case.pk, version=version).exists():
        raise _stale()


def _bump(case: Case, version: int, *, where: dict[str, Any] | None = None, **fields: Any) -> None:
    """Take the case from ``version`` (and what ``where`` says) to the next version, with
    ``fields``, in one conditional UPDATE, or raise Conflict."""
    now = timezone.now()
    updated = Case.objects.filter(pk=case.pk, version=version, **(where or {})).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise _stale()
    for name, value in fields.items():
        setattr(case, name, value)
    case.version, case.updated_at = version + 1, now


def _next_reference(organisation_id: Any) -> str:
    """The organisation's next case number, under a row lock, so two openings never share one."""
    CaseSequence.objects.get_or_create(organisation_id=organisation_id)
    sequence = CaseSequence.objects.select_for_update().get(organisation_id=organisation_id)
    number = sequence.last_number + 1
    CaseSequence.objects.filter(pk=sequence.pk).update(last_number=number)
    return f"C-{number:05d}"


def _usable_concern(actor: Actor, concern: Concern, organisation_id: Any) -> None:
    if concern.organisation_id != organisation_id:
        raise DomainError("Add concerns from your own organisation's records.", field="concern")
    if not concerns_visible_to(actor).filter(pk=concern.pk).exists():
        raise NotPermitted("Not found.")


@transaction.atomic(durable=True)
def case_open(
    *,
    actor: Actor,
    case_type: CaseType,
    title: str,
    reason: str,
    concern: Concern | None = None,
    restrict_to: list[User] | None = None,
    restriction_reason: str = "",
) -> Case:
    """Open a case, from a concern or directly (an allegation received by phone, say); the
    actor becomes its lead. With ``restrict_to`` the case is closed to everyone but those named
    (and the actor) from its first moment (W11), in this same transaction, so it is never
    visible to anyone else, not even for the instant between two commits."""
    require(actor, Permission.CASE_MANAGE)
    assert actor.user is not None and actor.organisation is not None
    title = " ".join(title.split())
    if not title:
        raise DomainError("Give the case a title.", field="title")
    if len(title) > 200:
        raise DomainError("Keep the title under 200 characters.", field="title")
    if not selectors.case_types_for(actor).filter(pk=case_type.pk).exists():
        raise DomainError("Choose a case type from the list.", field="case_type")
    why = _reason(reason, "for opening this case")
    if concern is not None:
        _usable_concern(actor, concern, actor.organisation.pk)
    restricting = restrict_to is not None
    if restricting:
        require(actor, Permission.RECORD_RESTRICT)
        if len(" ".join(restriction_reason.split())) < MIN_REASON:
            raise DomainError(
                "Say why this case is restricted to named people.", field="restriction_reason"
            )
    now = timezone.now()
    case = Case.objects.create(
        organisation=actor.organisation,
        reference=_next_reference(actor.organisation.pk),
        title=title,
        case_type=case_type,
        stage=Stage.REPORTING,
        status=CaseStatus.OPEN,
        opened_by=actor.user,
        opened_at=now,
    )
    if restricting:
        # Inside this transaction: the case must not commit before it is closed to others.
        access_actions.restrict_in_transaction(
            actor=actor,
            record=case,
            named_people=list(restrict_to or []),
            reason=" ".join(restriction_reason.split()),
        )
    # The opening's line reaches the chronology of each person as they join the case.
    StageChange.objects.create(
        organisation=actor.organisation,
        case=case,
        from_stage="",
        to_stage=Stage.REPORTING,
        changed_by=actor.user,
        reason=why,
    )
    CaseTeamMember.objects.create(
        organisation=actor.organisation,
        case=case,
        user=actor.user,
        role=TeamRole.LEAD,
        allocated_at=now,
        allocated_by=actor.user,
        reason="Opened the case.",
    )
    if concern is not None:
        CaseConcern.objects.create(
            organisation=actor.organisation,
            case=case,
            concern=concern,
            added_by=actor.user,
            reason="The case was opened from this concern.",
        )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_OPENED,
        subject=case,
        reason=why,
        changes={
            "reference": case.reference,
            "case_type": case_type.code,
            "concern": concern.pk if concern is not None else None,
            "restricted": restricting,
        },
    )
    return case


@transaction.atomic(durable=True)
def case_add_concern(
    *, actor: Actor, case: Case, version: int, concern: Concern, reason: str = ""
) -> CaseConcern:
    """Add a concern to a case that exists (T4: "add to an existing case")."""
    _require_own_case(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    _lock(case, version)
    _usable_concern(actor, concern, case.organisation_id)
    if case.is_closed:
        raise DomainError("Reopen the case before adding to it.")
    if CaseConcern.objects.filter(case=case, concern=concern).exists():
        raise DomainError("This concern is already part of the case.", field="concern")
    _bump(case, version)
    link = CaseConcern.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        concern=concern,
        added_by=actor.user,
        reason=" ".join(reason.split())[:300],
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_CONCERN_ADDED,
        subject=case,
        reason=link.reason,
        changes={"concern": concern.pk},
    )
    return link


@transaction.atomic(durable=True)
def case_add_subject(
    *, actor: Actor, case: Case, version: int, person: Person, role: str
) -> CaseSubject:
    """Say who the case is about: a child or adult at risk, or (allegations, low-level
    concerns) the adult concerned."""
    _require_own_case(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    _lock(case, version)
    if role not in SubjectRole.values:
        raise DomainError("Choose how the person is involved in the case.", field="role")
    if person.organisation_id != case.organisation_id:
        raise DomainError("Add people from your own organisation's records.", field="person")
    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise NotPermitted("Not found.")
    if role == SubjectRole.ADULT_CONCERNED and case.case_type.kind == CaseKind.CHILD:
        raise DomainError(
            "The adult concerned belongs on an allegation or low-level case, kept apart from "
            "the children's records.",
            field="role",
        )
    if case.is_closed:
        raise DomainError("Reopen the case before adding to it.")
    if CaseSubject.objects.filter(case=case, person=person).exists():
        raise DomainError("This person is already part of the case.", field="person")
    _bump(case, version)
    subject = CaseSubject.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        person=person,
        role=role,
        added_by=actor.user,
    )
    chronology.subject_added(case, subject)
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_SUBJECT_ADDED,
        subject=case,
        changes={"person": person.pk, "role": role},
    )
    return subject


@transaction.atomic(durable=True)
def case_advance_stage(
    *, actor: Actor, case: Case, version: int, to_stage: str, reason: str
) -> StageChange:
    """Move a case to another stage, as its workflow allows (transitions.py), with the reason.
    Closing sets closed_at; reopening a closed case takes it back to reporting."""
    _require_own_case(actor, case, Permission.CASE_VIEW)
    assert actor.user is not None
    _lock(case, version)
    move = transitions.find_move(case.case_type.workflow, case.stage, to_stage)
    if not can(actor, move.permission, case):
        raise NotPermitted(
            "Only a decision maker can record that the decision is made."
            if move.permission == Permission.CASE_DECIDE
            else "You do not have permission to move this case."
        )
    why = _reason(reason, "for reopening the case" if move.is_reopen else "for this move")
    closing = to_stage == Stage.CLOSED
    now = timezone.now()
    from_stage = case.stage
    # The parts' conditions (an approved closure, a recorded decision...), before any write.
    parts.check_stage_move(actor, case, from_stage, to_stage)
    _bump(
        case,
        version,
        # The stage is part of the condition too: the move was checked from this stage.
        where={"stage": from_stage},
        stage=to_stage,
        status=CaseStatus.CLOSED if closing else CaseStatus.OPEN,
        closed_at=now if closing else None,
    )
    change = StageChange.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by=actor.user,
        reason=why,
    )
    chronology.event_added(case, chronology.stage_event(chronology.facts_of(case), change))
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_STAGE_ADVANCED,
        subject=case,
        reason=why,
        changes={"stage": [from_stage, to_stage], "reopened": move.is_reopen},
    )
    return change


@transaction.atomic(durable=True)
def case_allocate(
    *,
    actor: Actor,
    case: Case,
    version: int,
    user: User,
    role: str,
    reason: str,
    replacing: CaseTeamMember | None = None,
) -> CaseTeamMember:
    """Allocate someone to the case in a role, with the reason (W9). A new lead ends the
    current lead's allocation; ``replacing`` ends another current allocation (a case worker
    handing over). Ended allocations stay, with when, by whom and why."""
    _require_own_case(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    _lock(case, version)
    if role not in TeamRole.values:
        raise DomainError("Choose the role on the case.", field="role")
    why = _reason(reason, "for this allocation")
    if case.is_closed:
        raise DomainError("Reopen the case before allocating it.")
    membership = (
        Membership.objects.filter(user=user, organisation_id=case.organisation_id, is_active=True)
        .prefetch_related("roles")
        .first()
    )
    if membership is None:
        raise DomainError("Allocate active members of your organisation.", field="user")
    member = Actor(
        user=user, organisation=case.organisation, roles=frozenset(membership.role_names())
    )
    name = user.full_name or user.email
    if not can(member, ROLE_NEEDS[role]):
        raise DomainError(
            f"{name}'s role does not allow them to act as {TeamRole(role).label.lower()}.",
            field="user",
        )
    if not selectors.cases_visible_to(member).filter(pk=case.pk).exists():
        raise DomainError(
            f"{name} cannot see this case (it is restricted to named people, or kept on the "
            "lead's low-level log), so cannot be allocated to it.",
            field="user",
        )
    if replacing is not None and (replacing.case_id != case.pk or not replacing.is_current):
        raise DomainError("Choose a current allocation on this case to replace.", field="replacing")
    current = CaseTeamMember.objects.filter(case=case, ended_at__isnull=True)
    if current.filter(user=user, role=role).exists():
        raise DomainError(f"{name} already holds this role on the case.", field="user")
    _bump(case, version)
    now = timezone.now()
    ending = current.filter(role=TeamRole.LEAD) if role == TeamRole.LEAD else current.none()
    if replacing is not None:
        ending = ending | current.filter(pk=replacing.pk)
    ended = sorted(str(pk) for pk in ending.values_list("pk", flat=True))
    current.filter(pk__in=ended).update(
        ended_at=now, ended_by=actor.user, end_reason=why[:300], updated_at=now
    )
    allocation = CaseTeamMember.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        user=user,
        role=role,
        allocated_at=now,
        allocated_by=actor.user,
        reason=why[:300],
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_ALLOCATED,
        subject=case,
        reason=why,
        changes={"user": user.pk, "role": role, "ended": ended},
    )
    return allocation
