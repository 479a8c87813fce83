"""The investigation's actions: what they record, and the bad input they refuse with nothing
saved (missing text, future dates, stale versions, other organisations, illegal moves)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases.investigations import actions, evidence_actions
from safecase.cases.investigations.choices import FindingKind, InvestigationStatus
from safecase.cases.investigations.models import (
    Finding,
    Interview,
    InterviewAddendum,
    Investigation,
    InvestigationRevision,
)
from safecase.cases.investigations.tests.helpers import (
    allegation_case,
    evidence,
    finding,
    interview,
    open_investigation,
)
from safecase.cases.models import CaseSubject
from safecase.cases.tests.helpers import restricted_case, second_lead
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _update(world: DemoWorld, inv: Investigation, **changes: object) -> Investigation:
    fields: dict[str, object] = {
        "terms_of_reference": inv.terms_of_reference,
        "plan": inv.plan,
        "investigator": inv.investigator,
        "status": inv.status,
        "reason": "Moving the investigation on.",
        "version": inv.version,
        **changes,
    }
    return actions.investigation_update(
        actor=actor_for(world, "lead"),
        investigation=inv,
        **fields,  # type: ignore[arg-type]
    )


# --- The investigation ----------------------------------------------------------------------


def test_opening_records_the_first_revision_and_its_event(world: DemoWorld) -> None:
    inv = open_investigation(world)
    assert inv.status == InvestigationStatus.PLANNED and inv.version == 1
    [revision] = inv.revisions.all()
    assert revision.number == 1 and revision.changed_by == world.users["lead"]
    assert "threshold" in revision.reason
    [event] = _events(AuditAction.INVESTIGATION_OPENED)
    assert event.changes["investigator"] == str(world.users["case_worker"].pk)
    assert "football" not in str(event.changes)  # narrative stays out of the trail


def test_a_case_has_one_investigation(world: DemoWorld) -> None:
    inv = open_investigation(world)
    with pytest.raises(DomainError, match="already has an investigation"):
        open_investigation(world, inv.case)
    assert Investigation.objects.count() == 1


@pytest.mark.parametrize("field", ["terms_of_reference", "plan", "reason"])
def test_opening_without_the_terms_plan_or_reason_is_refused(world: DemoWorld, field: str) -> None:
    case = allegation_case(world)
    fields = {
        "terms_of_reference": "Establish what happened.",
        "plan": "Interview the witnesses.",
        "reason": "The threshold is met.",
        field: "  ",
    }
    with pytest.raises(DomainError) as refused:
        actions.investigation_open(
            actor=actor_for(world, "lead"),
            case=case,
            investigator=world.users["case_worker"],
            **fields,
        )
    assert refused.value.field == field
    assert not Investigation.objects.exists()


def test_the_investigator_must_be_a_member_who_may_work_on_cases(world: DemoWorld) -> None:
    case = allegation_case(world)
    for persona in ("reporter", "auditor", "other_org"):
        with pytest.raises(DomainError) as refused:
            actions.investigation_open(
                actor=actor_for(world, "lead"),
                case=case,
                terms_of_reference="Establish what happened.",
                plan="Interview.",
                investigator=world.users[persona],
                reason="Threshold met.",
            )
        assert refused.value.field == "investigator"
    assert not Investigation.objects.exists()


def test_on_a_restricted_case_the_investigator_must_be_named(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    with pytest.raises(DomainError, match="cannot see this case"):
        actions.investigation_open(
            actor=second_lead(world),
            case=case,
            terms_of_reference="Establish what happened.",
            plan="Interview.",
            investigator=world.users["lead"],
            reason="Threshold met.",
        )
    inv = actions.investigation_open(
        actor=second_lead(world),
        case=case,
        terms_of_reference="Establish what happened.",
        plan="Interview.",
        investigator=world.users["case_worker"],
        reason="Threshold met.",
    )
    assert inv.investigator == world.users["case_worker"]


def test_another_organisation_cannot_open_or_change_it(world: DemoWorld) -> None:
    inv = open_investigation(world)
    with pytest.raises(NotPermitted):
        open_investigation(world, allegation_case(world), persona="other_org")
    with pytest.raises(NotPermitted):
        actions.investigation_update(
            actor=actor_for(world, "other_org"),
            investigation=inv,
            version=inv.version,
            terms_of_reference="Changed.",
            plan=inv.plan,
            investigator=inv.investigator,
            status=inv.status,
            reason="Trying.",
        )
    assert Investigation.objects.get().terms_of_reference == inv.terms_of_reference


def test_a_change_keeps_its_revision_who_when_and_why(world: DemoWorld) -> None:
    inv = open_investigation(world)
    plan_before = inv.plan
    changed = _update(
        world,
        inv,
        plan="Interview the child, two witnesses and the coach.",
        status=InvestigationStatus.IN_PROGRESS,
        reason="A second witness came forward.",
    )
    assert changed.version == 2 and changed.status == InvestigationStatus.IN_PROGRESS
    first, second = InvestigationRevision.objects.order_by("number")
    assert first.plan == plan_before and second.plan.startswith("Interview the child, two")
    assert second.reason == "A second witness came forward."
    [event] = _events(AuditAction.INVESTIGATION_UPDATED)
    assert event.changes["changed"] == ["plan", "status"]


def test_a_stale_change_is_a_conflict_and_saves_nothing(world: DemoWorld) -> None:
    inv = open_investigation(world)
    _update(world, inv, plan="New plan, first edit.")
    with pytest.raises(Conflict):
        _update(world, inv, plan="Second edit from an old form.", version=1)
    assert Investigation.objects.get().plan == "New plan, first edit."
    assert InvestigationRevision.objects.count() == 2


def test_a_change_needs_a_reason_and_a_change(world: DemoWorld) -> None:
    inv = open_investigation(world)
    with pytest.raises(DomainError, match="must say why"):
        _update(world, inv, plan="Other plan.", reason="")
    with pytest.raises(DomainError, match="Nothing has changed"):
        _update(world, inv)
    assert Investigation.objects.get().version == 1


def test_status_moves_follow_the_table_and_concluding_needs_findings(world: DemoWorld) -> None:
    inv = open_investigation(world)
    with pytest.raises(DomainError, match="cannot be marked concluded"):
        _update(world, inv, status=InvestigationStatus.CONCLUDED)
    inv = _update(world, inv, status=InvestigationStatus.IN_PROGRESS)
    with pytest.raises(DomainError, match="Record the findings"):
        _update(world, inv, status=InvestigationStatus.CONCLUDED)
    finding(world, inv, interview(world, inv))
    inv = _update(world, inv, status=InvestigationStatus.CONCLUDED, reason="All done.")
    assert inv.concluded_at is not None
    assert len(_events(AuditAction.INVESTIGATION_CONCLUDED)) == 1
    with pytest.raises(DomainError, match="Reopen it"):
        _update(world, inv, plan="A change after concluding.")
    inv = _update(world, inv, status=InvestigationStatus.IN_PROGRESS, reason="New witness.")
    assert inv.concluded_at is None and inv.status == InvestigationStatus.IN_PROGRESS


def test_a_concluded_investigation_takes_no_new_interviews_evidence_or_findings(
    world: DemoWorld,
) -> None:
    inv = open_investigation(world)
    held = interview(world, inv)
    finding(world, inv, held)
    inv = _update(world, inv, status=InvestigationStatus.IN_PROGRESS)
    inv = _update(world, inv, status=InvestigationStatus.CONCLUDED)
    with pytest.raises(DomainError, match="concluded"):
        interview(world, inv)
    with pytest.raises(DomainError, match="concluded"):
        evidence(world, inv)
    with pytest.raises(DomainError, match="concluded"):
        finding(world, inv, held)
    assert Interview.objects.count() == 1 and Finding.objects.count() == 1


# --- Interviews ---------------------------------------------------------------------------


def test_an_interview_keeps_fact_opinion_and_own_words_apart(world: DemoWorld) -> None:
    inv = open_investigation(world)
    held = interview(world, inv, signed=True, signed_on=timezone.localdate())
    assert held.summary.startswith("Sam saw")
    assert held.interviewer_opinion == "A calm, consistent account."
    assert held.own_words == "He had Alex by the arm, quite hard."
    [event] = _events(AuditAction.INTERVIEW_RECORDED)
    assert event.changes["signed"] is True and "Sam" not in str(event.changes)


def test_an_interview_may_name_a_person_on_the_case(world: DemoWorld) -> None:
    inv = open_investigation(world)
    child = CaseSubject.objects.get(case=inv.case, role="subject").person
    held = interview(world, inv, interviewee_name="", person=child, role="child")
    assert held.who == child.display_name


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"held_at": timezone.now() + timedelta(days=1)}, "held_at"),
        ({"interviewee_name": ""}, "interviewee_name"),
        ({"role": "bystander"}, "role"),
        ({"signed": True}, "signed_on"),
        ({"signed": False, "signed_on": timezone.localdate()}, "signed_on"),
        ({"signed": True, "signed_on": timezone.localdate() + timedelta(days=2)}, "signed_on"),
        (
            {"signed": True, "signed_on": timezone.localdate() - timedelta(days=9)},
            "signed_on",
        ),
    ],
)
def test_an_interview_with_bad_input_is_refused_and_nothing_saved(
    world: DemoWorld, changes: dict[str, object], field: str
) -> None:
    inv = open_investigation(world)
    with pytest.raises(DomainError) as refused:
        interview(world, inv, **changes)
    assert refused.value.field == field
    assert not Interview.objects.exists()
    assert not _events(AuditAction.INTERVIEW_RECORDED)


def test_an_interview_cannot_name_someone_not_on_the_case(world: DemoWorld) -> None:
    inv = open_investigation(world)
    other = CaseSubject.objects.get(case=allegation_case(world), role="subject").person
    with pytest.raises(DomainError) as refused:
        interview(world, inv, person=other)
    assert refused.value.field == "person"


def test_an_interview_is_corrected_only_by_an_addendum_with_its_reason(world: DemoWorld) -> None:
    held = interview(world, open_investigation(world))
    lead = actor_for(world, "lead")
    with pytest.raises(DomainError, match="must say why"):
        actions.interview_add_addendum(actor=lead, interview=held, reason="", text="It was 5pm.")
    addendum = actions.interview_add_addendum(
        actor=lead, interview=held, reason="Sam phoned back.", text="It was 17:10, not 17:00."
    )
    held.refresh_from_db()
    assert held.summary.startswith("Sam saw")  # the original stays
    assert list(held.addenda.all()) == [addendum]
    with pytest.raises(NotPermitted):
        actions.interview_add_addendum(
            actor=actor_for(world, "other_org"), interview=held, reason="Hmm.", text="Other."
        )
    assert InterviewAddendum.objects.count() == 1


# --- Findings -----------------------------------------------------------------------------


def test_an_established_fact_needs_its_basis_others_need_not(world: DemoWorld) -> None:
    inv = open_investigation(world)
    lead = actor_for(world, "lead")
    with pytest.raises(DomainError, match="needs its basis"):
        actions.finding_record(
            actor=lead, investigation=inv, kind=FindingKind.ESTABLISHED_FACT, text="It happened."
        )
    opinion = actions.finding_record(
        actor=lead, investigation=inv, kind=FindingKind.OPINION, text="The coach was stressed."
    )
    assert opinion.kind == FindingKind.OPINION
    with pytest.raises(DomainError, match="Say what the finding is"):
        actions.finding_record(actor=lead, investigation=inv, kind="rumour", text="Said so.")
    assert Finding.objects.count() == 1


def test_a_finding_rests_only_on_its_own_investigation(world: DemoWorld) -> None:
    inv = open_investigation(world)
    elsewhere = interview(world, open_investigation(world))
    with pytest.raises(DomainError, match="this investigation"):
        finding(world, inv, elsewhere)
    assert not Finding.objects.exists()


# --- Custody ------------------------------------------------------------------------------


def test_custody_entries_refuse_future_and_pre_obtained_dates(world: DemoWorld) -> None:
    item = evidence(world, open_investigation(world))
    lead = actor_for(world, "lead")
    fields = {"from_whom": "Club administrator", "to_whom": "Cass", "purpose": "File."}
    for when in (timezone.now() + timedelta(hours=2), timezone.now() - timedelta(days=30)):
        with pytest.raises(DomainError) as refused:
            evidence_actions.custody_record(
                actor=lead, evidence=item, transferred_at=when, **fields
            )
        assert refused.value.field == "transferred_at"
    with pytest.raises(DomainError, match="purpose"):
        evidence_actions.custody_record(
            actor=lead, evidence=item, transferred_at=timezone.now(), **{**fields, "purpose": ""}
        )
    entry = evidence_actions.custody_record(
        actor=lead, evidence=item, transferred_at=timezone.now(), **fields
    )
    assert list(item.custody.all()) == [entry]
