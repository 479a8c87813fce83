"""Reading cases: always from ``cases_visible_to``, which starts from access.scoping.restrict().

So the list, the case page, the caseload counts and (later) search, reports and the API share
one visibility rule: own organisation, shares, and restriction to named people. A restricted
case is simply absent for everyone not named: not listed, not counted, not found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.access.scoping import restrict
from safecase.accounts.models import Membership, User
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import transitions
from safecase.cases.choices import CaseKind, CaseStatus, Stage, TeamRole
from safecase.cases.models import (
    Case,
    CaseConcern,
    CaseSubject,
    CaseTeamMember,
    CaseType,
    StageChange,
)
from safecase.concerns.choices import PersonRole
from safecase.concerns.models import Concern, ConcernPerson
from safecase.concerns.selectors import concerns_visible_to
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page
from safecase.people.models import Person
from safecase.people.selectors import people_visible_to

# Team roles that carry the work of a case: what a caseload counts.
WORKING_ROLES = (TeamRole.LEAD, TeamRole.CASE_WORKER)


def case_types_for(actor: Actor) -> QuerySet[CaseType]:
    """The shipped case types and the organisation's own, active ones, in order; without the
    low-level type for those who may not see the low-level log."""
    types = CaseType.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id=actor.organisation_id), is_active=True
    )
    if not can(actor, Permission.CONCERN_VIEW_LOW_LEVEL):
        types = types.exclude(kind=CaseKind.LOW_LEVEL)
    return types.order_by("position", "label")


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    """Cases the actor may read: restrict() decides organisation, shares and restrictions;
    cases of the low-level log only for those who may see that log."""
    cases = restrict(Case.objects.all(), actor, Permission.CASE_VIEW)
    if not can(actor, Permission.CONCERN_VIEW_LOW_LEVEL):
        cases = cases.exclude(case_type__kind=CaseKind.LOW_LEVEL)
    return cases


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: plain values (no model instances to look things up on)."""

    pk: uuid.UUID
    reference: str
    title: str
    case_type: str
    stage: str
    status: str
    opened_at: Any
    lead: str

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


def case_list_page(actor: Actor, *, cursor: str | None, status: str = "") -> KeysetPage[CaseRow]:
    """A page of cases, newest first, optionally only open or closed ones: the page's cases,
    then their current leads, in two queries."""
    cases = cases_visible_to(actor)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    page = keyset_page(
        cases.values(
            "id", "reference", "title", "case_type__label", "stage", "status", "opened_at"
        ),
        key=("-opened_at", "-id"),
        cursor=cursor,
    )
    ids = [row["id"] for row in page.items]
    leads: dict[uuid.UUID, str] = {}
    if ids:
        current = CaseTeamMember.objects.filter(
            case_id__in=ids, role=TeamRole.LEAD, ended_at__isnull=True
        )
        leads = dict(current.values_list("case_id", "user__full_name"))
    rows = [
        CaseRow(
            pk=row["id"],
            reference=row["reference"],
            title=row["title"],
            case_type=row["case_type__label"],
            stage=row["stage"],
            status=row["status"],
            opened_at=row["opened_at"],
            lead=leads.get(row["id"], ""),
        )
        for row in page.items
    ]
    return KeysetPage(items=rows, next_cursor=page.next_cursor)


# The case page shows at most this many of each list; more is for the lists of a later issue.
DETAIL_LIMIT = 200


@dataclass
class CaseDetail:
    case: Case
    # Only the concerns the actor may see: the others are neither listed nor counted (a
    # count would reveal that a restricted or low-level record exists).
    concerns: list[Concern]
    subjects: list[CaseSubject]
    team: list[CaseTeamMember]
    past_team: list[CaseTeamMember]
    history: list[StageChange]
    moves: list[transitions.Move]
    # Only the owning organisation changes a case; a partner with a share only reads it.
    may_change: bool


def case_detail(actor: Actor, case: Case) -> CaseDetail:
    """Everything the case page shows, in a fixed number of queries whatever the case holds:
    its concerns (only those the actor may see), subjects, team (current
    and past) and stage history, and the moves the actor may make from here."""
    # The case's first DETAIL_LIMIT concerns, as a subquery of the one query that reads them.
    links = (CaseConcern.objects.filter(case=case).order_by("created_at").values("concern_id"))[
        :DETAIL_LIMIT
    ]
    concerns = list(
        concerns_visible_to(actor)
        .filter(pk__in=links)
        .select_related("recorded_by")
        .prefetch_related(
            # Who each concern is about, by name: all the page and the bundle show of them.
            Prefetch(
                "people",
                queryset=ConcernPerson.objects.only("id", "concern_id", "role", "name_as_recorded"),
            )
        )
        .order_by("submitted_at")
    )
    subjects = list(
        CaseSubject.objects.filter(case=case)
        .select_related("person")
        .order_by("created_at")[:DETAIL_LIMIT]
    )
    team_rows = list(
        CaseTeamMember.objects.filter(case=case)
        .select_related("user", "allocated_by", "ended_by")
        .order_by("-allocated_at")[:DETAIL_LIMIT]
    )
    history = list(
        StageChange.objects.filter(case=case)
        .select_related("changed_by")
        .order_by("-created_at")[:DETAIL_LIMIT]
    )
    may_change = case.organisation_id == actor.organisation_id
    moves = case_moves(actor, case)
    return CaseDetail(
        case=case,
        concerns=concerns,
        subjects=subjects,
        team=[m for m in team_rows if m.is_current],
        past_team=[m for m in team_rows if not m.is_current],
        history=history,
        moves=moves,
        may_change=may_change,
    )


def case_moves(actor: Actor, case: Case) -> list[transitions.Move]:
    """The moves out of the case's stage its workflow allows and the actor may make (none for
    a partner reading a shared case: only the owner changes it)."""
    if case.organisation_id != actor.organisation_id:
        return []
    return [
        m
        for m in transitions.next_moves(case.case_type.workflow, case.stage)
        if can(actor, m.permission, case)
    ]


def current_team(case: Case) -> list[CaseTeamMember]:
    return list(
        CaseTeamMember.objects.filter(case=case, ended_at__isnull=True)
        .select_related("user")
        .order_by("allocated_at")[:DETAIL_LIMIT]
    )


def concerns_addable_to(actor: Actor, case: Case) -> QuerySet[Concern]:
    """Submitted concerns of the case's organisation the actor may see and that are not in the
    case yet, newest first (for the "add a concern" choice)."""
    return (
        concerns_visible_to(actor)
        .filter(organisation_id=case.organisation_id)
        .exclude(case_links__case=case)
        .order_by("-submitted_at")
    )


def people_addable_to(actor: Actor, case: Case) -> QuerySet[Person]:
    return (
        people_visible_to(actor)
        .filter(organisation_id=case.organisation_id)
        .exclude(pk__in=CaseSubject.objects.filter(case=case).values("person_id"))
        .order_by("family_name", "given_names")
    )


def organisation_members(actor: Actor) -> list[tuple[str, str]]:
    """Active members of the actor's organisation, as (user id, name) choices."""
    if actor.organisation is None:
        return []
    members = (
        Membership.objects.filter(organisation_id=actor.organisation.pk, is_active=True)
        .select_related("user")
        .order_by("user__full_name")[:500]
    )
    return [(str(m.user_id), m.user.full_name or m.user.email) for m in members]


def concern_label(concern: Concern) -> str:
    """How a concern is named in a choice: when, and who it is about (its people prefetched)."""
    names = ", ".join(
        p.name_as_recorded for p in concern.people.all() if p.role == PersonRole.SUBJECT
    )
    when = concern.submitted_at.strftime("%d %b %Y") if concern.submitted_at else ""
    return f"{when}: {names or 'no one named'}"


@dataclass(frozen=True)
class CaseloadRow:
    user_id: uuid.UUID
    name: str
    as_lead: int
    as_worker: int

    @property
    def total(self) -> int:
        return self.as_lead + self.as_worker


def caseload(actor: Actor) -> list[CaseloadRow]:
    """Open cases per worker in the actor's organisation (W9), counted from the cases the
    actor may see: a restricted case never adds to anyone's count for someone not named."""
    if actor.organisation is None or not can(actor, Permission.CASE_VIEW_CASELOAD):
        return []
    organisation_id = actor.organisation.pk
    visible = cases_visible_to(actor).filter(
        organisation_id=organisation_id, status=CaseStatus.OPEN
    )
    rows = (
        CaseTeamMember.objects.filter(
            organisation_id=organisation_id,
            ended_at__isnull=True,
            role__in=WORKING_ROLES,
            case__in=visible.values("pk"),
        )
        .values("user_id", "user__full_name", "user__email")
        .annotate(
            as_lead=Count("pk", filter=Q(role=TeamRole.LEAD)),
            as_worker=Count("pk", filter=Q(role=TeamRole.CASE_WORKER)),
        )
        .order_by("user__full_name", "user_id")[:500]
    )
    return [
        CaseloadRow(
            user_id=row["user_id"],
            name=row["user__full_name"] or row["user__email"],
            as_lead=row["as_lead"],
            as_worker=row["as_worker"],
        )
        for row in rows
    ]


def user_in_organisation(case: Case, user_id: str) -> User | None:
    """An active member of the case's organisation with this id, or None."""
    return User.objects.filter(
        pk=user_id,
        memberships__organisation_id=case.organisation_id,
        memberships__is_active=True,
    ).first()


def cases_of_concern(actor: Actor, concern: Concern) -> list[Case]:
    """The cases a concern is part of that the actor may see (a restricted one is absent), for
    the concern's page. One query."""
    return list(
        cases_visible_to(actor)
        .filter(case_concerns__concern_id=concern.pk)
        .select_related("case_type")
        .order_by("-opened_at")[:DETAIL_LIMIT]
    )


def cases_open_for_concern(actor: Actor, concern: Concern) -> list[Case]:
    """The open cases of the concern's organisation the actor may see and add to, newest first,
    without those it is part of already (at most DETAIL_LIMIT)."""
    return list(
        cases_visible_to(actor)
        .filter(organisation_id=concern.organisation_id, status=CaseStatus.OPEN)
        .exclude(case_concerns__concern_id=concern.pk)
        .select_related("case_type")
        .order_by("-opened_at")[:DETAIL_LIMIT]
    )


def bundle_exports(case: Case, limit: int = 5) -> list[AuditEvent]:
    """The case's latest bundle exports (who, when, the file's SHA-256), from the audit
    trail itself, so the page lists exactly what the trail holds."""
    return list(
        AuditEvent.objects.filter(
            subject_type=Case._meta.label_lower,
            subject_id=str(case.pk),
            action=AuditAction.CASE_BUNDLE_EXPORTED,
        ).order_by("-occurred_at", "-seq")[:limit]
    )
