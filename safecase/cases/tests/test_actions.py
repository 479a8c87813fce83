"""The case actions: what each does with good input, and that bad input changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import actor_for
from safecase.access.actions import share_grant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import actions, selectors
from safecase.cases.choices import CaseStatus, Stage, SubjectRole, TeamRole
from safecase.cases.models import Case, CaseConcern, CaseSubject, CaseTeamMember, StageChange
from safecase.cases.tests.helpers import case_type, open_case, restricted_case
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create
from safecase.people.models import Person

pytestmark = pytest.mark.django_db


def _person(world: DemoWorld, persona: str = "lead", kind: str = "child") -> Person:
    return person_create(
        actor=actor_for(world, persona),
        kind=kind,
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=date(2013, 3, 14),
    )


def _rows() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Case, CaseConcern, CaseSubject, CaseTeamMember, StageChange, AuditEvent)
    )


def _advance(world: DemoWorld, case: Case, to: str, persona: str = "lead", **extra: object) -> None:
    fields: dict[str, object] = {"reason": "Synthetic: the next step.", **extra}
    actions.case_advance_stage(
        actor=actor_for(world, persona),
        case=case,
        version=case.version,
        to_stage=to,
        **fields,  # type: ignore[arg-type]
    )


# --- case_open ----------------------------------------------------------------------------------


def test_a_case_opened_directly_starts_at_reporting_with_its_opener_as_lead(
    world: DemoWorld,
) -> None:
    case = open_case(world, code="allegation", title="Allegation against a coach (phone call)")
    assert (case.stage, case.status, case.reference, case.version) == (
        Stage.REPORTING,
        CaseStatus.OPEN,
        "C-00001",
        1,
    )
    lead = CaseTeamMember.objects.get(case=case)
    assert (lead.user, lead.role, lead.ended_at) == (world.users["lead"], TeamRole.LEAD, None)
    opening = StageChange.objects.get(case=case)
    assert (opening.from_stage, opening.to_stage) == ("", Stage.REPORTING)
    event = AuditEvent.objects.get(action=AuditAction.CASE_OPENED)
    assert event.changes["case_type"] == "allegation" and event.changes["concern"] is None
    assert "coach" not in str(event.changes), "the title stays out of the audit changes"
    assert open_case(world).reference == "C-00002"


def test_a_case_opened_from_a_concern_holds_it(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    case = open_case(world, concern=concern)
    assert list(CaseConcern.objects.filter(case=case).values_list("concern", flat=True)) == [
        concern.pk
    ]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"reason": ""}, "reason"),
        ({"reason": "ok"}, "reason"),
    ],
)
def test_opening_without_a_title_or_a_reason_is_refused_and_changes_nothing(
    world: DemoWorld, extra: dict[str, str], field: str
) -> None:
    before = _rows()
    with pytest.raises(DomainError) as refused:
        open_case(world, **extra)
    assert refused.value.field == field
    assert _rows() == before


def test_only_those_who_may_see_the_low_level_log_open_a_low_level_case(world: DemoWorld) -> None:
    before = _rows()
    with pytest.raises(DomainError, match="case type"):
        open_case(world, "deputy", code="low_level")
    assert _rows() == before
    assert open_case(world, "lead", code="low_level").case_type.code == "low_level"


def test_a_reporter_cannot_open_a_case(world: DemoWorld) -> None:
    with pytest.raises(NotPermitted):
        open_case(world, "reporter")


def test_a_case_cannot_be_opened_from_another_organisations_concern(world: DemoWorld) -> None:
    theirs = submitted_concern(world, "other_org")
    before = _rows()
    with pytest.raises(DomainError, match="your own organisation"):
        open_case(world, concern=theirs)
    assert _rows() == before


def test_a_case_cannot_be_opened_from_a_concern_the_actor_may_not_see(world: DemoWorld) -> None:
    low_level = submitted_concern(
        world, kind="low_level_adult", people=[{"name": "Mr Staff Example", "role": "subject"}]
    )
    with pytest.raises(NotPermitted):
        open_case(world, "deputy", concern=low_level)


# --- restriction ---------------------------------------------------------------------------------


def test_a_restricted_case_is_seen_only_by_the_named_people_not_even_by_the_lead(
    world: DemoWorld,
) -> None:
    case = restricted_case(world, "case_worker")
    for persona, sees in (
        ("deputy", True),
        ("case_worker", True),
        ("lead", False),
        ("auditor", False),
        ("partner_with_share", False),
    ):
        visible = selectors.cases_visible_to(actor_for(world, persona))
        assert visible.filter(pk=case.pk).exists() is sees, persona
    lead = actor_for(world, "lead")
    assert selectors.case_list_page(lead, cursor=None).items == []
    assert selectors.caseload(lead) == []
    with pytest.raises(NotPermitted):
        _advance(world, case, Stage.EXTERNAL_REFERRAL, "lead")


def test_a_case_is_restricted_in_the_transaction_that_opens_it(world: DemoWorld) -> None:
    case = restricted_case(world)
    event_ids = list(
        AuditEvent.objects.filter(subject_id=str(case.pk))
        .order_by("seq")
        .values_list("action", "request_id")
    )
    assert [a for a, _ in event_ids] == [AuditAction.RECORD_RESTRICTED, AuditAction.CASE_OPENED]


def test_restricting_needs_a_reason_and_the_restrict_permission(world: DemoWorld) -> None:
    before = _rows()
    with pytest.raises(DomainError, match="restricted"):
        open_case(world, restrict_to=[], restriction_reason="")
    with pytest.raises(NotPermitted):
        open_case(world, "deputy", restrict_to=[], restriction_reason="About the lead.")
    assert _rows() == before


# --- case_add_concern and case_add_subject -------------------------------------------------------


def test_a_concern_is_added_to_an_existing_case_once(world: DemoWorld) -> None:
    case = open_case(world)
    concern = submitted_concern(world)
    lead = actor_for(world, "lead")
    actions.case_add_concern(actor=lead, case=case, version=1, concern=concern, reason="Same child")
    assert case.version == 2
    with pytest.raises(DomainError, match="already part"):
        actions.case_add_concern(actor=lead, case=case, version=2, concern=concern)
    assert AuditEvent.objects.filter(action=AuditAction.CASE_CONCERN_ADDED).count() == 1


def test_adding_from_a_stale_page_is_a_conflict_and_changes_nothing(world: DemoWorld) -> None:
    case = open_case(world)
    lead = actor_for(world, "lead")
    actions.case_add_concern(actor=lead, case=case, version=1, concern=submitted_concern(world))
    other = submitted_concern(world)
    before = _rows()
    with pytest.raises(Conflict):
        actions.case_add_concern(actor=lead, case=case, version=1, concern=other)
    assert _rows() == before


def test_another_organisations_concern_or_person_cannot_be_added(world: DemoWorld) -> None:
    case = open_case(world)
    lead = actor_for(world, "lead")
    before = _rows()
    with pytest.raises(DomainError, match="own organisation"):
        actions.case_add_concern(
            actor=lead, case=case, version=1, concern=submitted_concern(world, "other_org")
        )
    with pytest.raises(DomainError, match="own organisation"):
        actions.case_add_subject(
            actor=lead,
            case=case,
            version=1,
            person=_person(world, "other_org"),
            role=SubjectRole.SUBJECT,
        )
    assert _rows()[:5] == before[:5]


def test_the_adult_concerned_is_added_to_an_allegation_not_to_a_childs_case(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    adult = _person(world, kind="adult_concerned")
    child_case = open_case(world)
    with pytest.raises(DomainError, match="kept apart"):
        actions.case_add_subject(
            actor=lead, case=child_case, version=1, person=adult, role=SubjectRole.ADULT_CONCERNED
        )
    allegation = open_case(world, code="allegation")
    actions.case_add_subject(
        actor=lead, case=allegation, version=1, person=adult, role=SubjectRole.ADULT_CONCERNED
    )
    assert CaseSubject.objects.get(case=allegation).role == SubjectRole.ADULT_CONCERNED


def test_a_closed_case_takes_nothing_new_until_reopened(world: DemoWorld) -> None:
    case = open_case(world, code="early_help")
    _advance(world, case, Stage.CLOSED)
    with pytest.raises(DomainError, match="Reopen"):
        actions.case_add_concern(
            actor=actor_for(world, "lead"),
            case=case,
            version=case.version,
            concern=submitted_concern(world),
        )
    with pytest.raises(DomainError, match="Reopen"):
        actions.case_allocate(
            actor=actor_for(world, "lead"),
            case=case,
            version=case.version,
            user=world.users["deputy"],
            role=TeamRole.CASE_WORKER,
            reason="After closing.",
        )


# --- case_advance_stage --------------------------------------------------------------------------


def test_a_move_needs_a_reason(world: DemoWorld) -> None:
    case = open_case(world)
    before = _rows()
    with pytest.raises(DomainError, match="reason") as refused:
        _advance(world, case, Stage.EXTERNAL_REFERRAL, reason="  ")
    assert refused.value.field == "reason"
    assert _rows() == before


def test_an_illegal_move_is_refused_with_the_moves_that_are_allowed(world: DemoWorld) -> None:
    case = open_case(world, code="allegation")
    with pytest.raises(DomainError) as refused:
        _advance(world, case, Stage.CLOSED)
    assert refused.value.message == (
        "This case cannot move from reporting to closed (the allegation workflow). From "
        "reporting it can move to: external referral, internal investigation, decision and "
        "sanctions."
    )


def test_a_move_from_a_stale_page_is_a_conflict(world: DemoWorld) -> None:
    case = open_case(world)
    stale = Case.objects.get(pk=case.pk)
    _advance(world, case, Stage.EXTERNAL_REFERRAL)
    with pytest.raises(Conflict):
        _advance(world, stale, Stage.INTERNAL_INVESTIGATION)
    case.refresh_from_db()
    assert case.stage == Stage.EXTERNAL_REFERRAL


@pytest.mark.usefixtures("no_stage_checks")
def test_only_a_decision_maker_records_that_the_decision_is_made(world: DemoWorld) -> None:
    case = open_case(world, code="allegation")
    _advance(world, case, Stage.DECISION, "case_worker")
    with pytest.raises(NotPermitted, match="decision maker"):
        _advance(world, case, Stage.LEARNING, "case_worker")
    _advance(world, case, Stage.LEARNING, "lead")
    assert case.stage == Stage.LEARNING


def test_closing_sets_closed_at_and_reopening_needs_a_reason(world: DemoWorld) -> None:
    case = open_case(world, code="early_help")
    _advance(world, case, Stage.CLOSED)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    with pytest.raises(DomainError, match="reopening"):
        _advance(world, case, Stage.REPORTING, reason="")
    _advance(world, case, Stage.REPORTING, reason="A new disclosure from the same child.")
    case.refresh_from_db()
    assert (case.stage, case.status, case.closed_at) == (Stage.REPORTING, CaseStatus.OPEN, None)
    event = AuditEvent.objects.filter(action=AuditAction.CASE_STAGE_ADVANCED).latest("seq")
    assert event.changes == {"stage": ["closed", "reporting"], "reopened": True}


def test_a_partner_who_was_shared_a_case_reads_it_but_never_moves_it(world: DemoWorld) -> None:
    case = open_case(world)
    share_grant(
        actor=actor_for(world, "lead"),
        record=case,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    police = actor_for(world, "partner_with_share")
    assert selectors.cases_visible_to(police).filter(pk=case.pk).exists()
    with pytest.raises(NotPermitted):
        _advance(world, case, Stage.EXTERNAL_REFERRAL, "partner_with_share")
    assert selectors.case_detail(police, case).moves == []


# --- case_allocate -------------------------------------------------------------------------------


def test_a_new_lead_ends_the_previous_allocation_and_keeps_its_history(world: DemoWorld) -> None:
    case = open_case(world)
    lead = actor_for(world, "lead")
    actions.case_allocate(
        actor=lead,
        case=case,
        version=1,
        user=world.users["deputy"],
        role=TeamRole.LEAD,
        reason="Lena is on leave for a month.",
    )
    rows = CaseTeamMember.objects.filter(case=case, role=TeamRole.LEAD).order_by("allocated_at")
    first, second = rows
    assert first.user == world.users["lead"] and first.ended_at is not None
    assert first.end_reason == "Lena is on leave for a month."
    assert second.user == world.users["deputy"] and second.ended_at is None


def test_a_case_worker_hands_over_to_another(world: DemoWorld) -> None:
    case = open_case(world)
    lead = actor_for(world, "lead")
    worker = actions.case_allocate(
        actor=lead,
        case=case,
        version=1,
        user=world.users["case_worker"],
        role=TeamRole.CASE_WORKER,
        reason="Cass knows the family.",
    )
    actions.case_allocate(
        actor=lead,
        case=case,
        version=2,
        user=world.users["deputy"],
        role=TeamRole.CASE_WORKER,
        reason="Cass moves to another team.",
        replacing=worker,
    )
    current = CaseTeamMember.objects.filter(case=case, ended_at__isnull=True)
    assert {(m.user.email, m.role) for m in current} == {
        (world.users["lead"].email, TeamRole.LEAD),
        (world.users["deputy"].email, TeamRole.CASE_WORKER),
    }
    lead_row = selectors.caseload(lead)
    assert {(r.name, r.as_lead, r.as_worker) for r in lead_row} == {
        ("Lena Lead", 1, 0),
        ("Dev Deputy", 0, 1),
    }


@pytest.mark.parametrize(
    ("persona", "role", "message"),
    [
        ("reporter", TeamRole.CASE_WORKER, "role does not allow"),
        ("auditor", TeamRole.DECISION_MAKER, "role does not allow"),
        ("other_org", TeamRole.CASE_WORKER, "active members"),
    ],
)
def test_nobody_is_allocated_work_their_role_cannot_do(
    world: DemoWorld, persona: str, role: str, message: str
) -> None:
    case = open_case(world)
    before = _rows()
    with pytest.raises(DomainError, match=message):
        actions.case_allocate(
            actor=actor_for(world, "lead"),
            case=case,
            version=1,
            user=world.users[persona],
            role=role,
            reason="Synthetic allocation.",
        )
    assert _rows() == before


def test_an_allocation_needs_a_reason_and_a_fresh_page(world: DemoWorld) -> None:
    case = open_case(world)
    lead = actor_for(world, "lead")
    kwargs = {"actor": lead, "case": case, "user": world.users["deputy"], "role": "case_worker"}
    with pytest.raises(DomainError, match="reason"):
        actions.case_allocate(**kwargs, version=1, reason="")  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        actions.case_allocate(**kwargs, version=7, reason="Synthetic.")  # type: ignore[arg-type]


def test_on_a_restricted_case_only_named_people_can_be_allocated(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    from safecase.cases.tests.helpers import second_lead

    with pytest.raises(DomainError, match="cannot see this case"):
        actions.case_allocate(
            actor=second_lead(world),
            case=case,
            version=case.version,
            user=world.users["lead"],
            role=TeamRole.CASE_MANAGEMENT_GROUP,
            reason="Synthetic allocation.",
        )
    actions.case_allocate(
        actor=second_lead(world),
        case=case,
        version=case.version,
        user=world.users["case_worker"],
        role=TeamRole.CASE_WORKER,
        reason="Named on the restriction.",
    )


def test_the_case_type_row_is_shipped_for_every_organisation() -> None:
    assert case_type("early_help").organisation_id is None
