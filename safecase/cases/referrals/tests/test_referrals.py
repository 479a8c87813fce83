"""External referrals: the follow-up date from the agency's deadline in working days (the
LADO's: the next working day, over a weekend and a bank holiday), bad input refused with
nothing saved, the automatic follow-up task, the response closing it, escalation, overdue
responses, and what the sections and the chronology show."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from conftest import (
    DemoWorld,  # the demo world, as the fixtures build it
    actor_for,
)
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import actions as case_actions
from safecase.cases import chronology as case_chronology
from safecase.cases import parts
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.choices import SubjectRole
from safecase.cases.referrals import actions, selectors
from safecase.cases.referrals.choices import ReferralStatus
from safecase.cases.referrals.models import ExternalReferral, ReferralAgency, ReferralEscalation
from safecase.cases.referrals.tests.helpers import agency, make_referral, overdue_referral
from safecase.cases.tests.helpers import open_case, restricted_case
from safecase.concerns import selectors as concern_selectors
from safecase.concerns.tests.test_chronology_lines import lines
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.people.actions import person_create
from safecase.people.models import ChronologyItem

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_the_shipped_agencies_and_their_deadlines() -> None:
    days = {a.code: a.response_working_days for a in selectors.agencies_for(None)}
    assert days["lado"] == 1
    assert days["childrens_social_care"] == 3
    assert set(days) == {
        "childrens_social_care",
        "police",
        "lado",
        "health",
        "prevent",
        "adult_services",
        "governing_body",
        "other",
    }


@pytest.mark.parametrize(
    ("made_at", "expected"),
    [
        (_london(2026, 3, 10, 9, 0), date(2026, 3, 11)),  # Tuesday: Wednesday
        (_london(2026, 3, 13, 16, 30), date(2026, 3, 16)),  # Friday: Monday, over the weekend
        (_london(2026, 3, 14, 11, 0), date(2026, 3, 16)),  # made on a Saturday: Monday
        (_london(2026, 8, 28, 15, 0), date(2026, 9, 1)),  # Friday before the August bank holiday
        (_london(2026, 4, 2, 23, 30), date(2026, 4, 7)),  # late Thursday before Easter: Tuesday
        (_london(2026, 12, 24, 10, 0), date(2026, 12, 29)),  # Christmas Eve: after both holidays
    ],
)
def test_a_lado_referral_is_due_the_next_working_day(made_at: datetime, expected: date) -> None:
    assert selectors.default_follow_up(agency("lado"), made_at) == expected


def test_childrens_social_care_gets_three_working_days() -> None:
    friday = _london(2026, 8, 28, 10, 0)  # Monday 31 August is a bank holiday
    assert selectors.default_follow_up(agency("childrens_social_care"), friday) == date(2026, 9, 3)


def test_a_lado_referral_over_a_bank_holiday_weekend_end_to_end(world: DemoWorld) -> None:
    with time_machine.travel(_london(2026, 8, 28, 17, 0), tick=False):
        case = open_case(world, code="allegation", title="Allegation (synthetic)")
        referral = make_referral(world, case, made_at=_london(2026, 8, 28, 16, 0))
    assert referral.follow_up_on == date(2026, 9, 1)
    task = CaseTask.objects.get(source_id=referral.pk)
    assert task.due_on == date(2026, 9, 1) and task.owner == world.users["lead"]


def test_a_referral_records_everything_and_opens_a_follow_up_task(world: DemoWorld) -> None:
    case = open_case(world)
    referral = make_referral(world, case, "police", their_reference="NP/2026/0042")
    assert referral.status == ReferralStatus.AWAITING
    assert referral.made_by == world.users["lead"]
    assert referral.follow_up_on == selectors.default_follow_up(agency("police"), referral.made_at)
    task = CaseTask.objects.get(case=case)
    assert task.source == "Referral follow-up" and task.source_id == referral.pk
    assert task.created_by is None and task.owner == world.users["lead"]
    assert task.due_on == referral.follow_up_on and task.status == TaskStatus.OPEN
    events = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.CASE_REFERRAL_MADE, AuditAction.CASE_TASK_CREATED} <= events
    made = AuditEvent.objects.get(action=AuditAction.CASE_REFERRAL_MADE)
    assert "Shared the allegation" not in str(made.changes)  # narrative stays out


def test_a_follow_up_date_may_be_chosen(world: DemoWorld) -> None:
    case = open_case(world)
    chosen = timezone.localdate() + timedelta(days=7)
    referral = make_referral(world, case, "health", follow_up_on=chosen)
    assert referral.follow_up_on == chosen
    assert CaseTask.objects.get(source_id=referral.pk).due_on == chosen


def _refused(world: DemoWorld, field: str | None, **kwargs: object) -> None:
    case = open_case(world)
    before = (ExternalReferral.objects.count(), CaseTask.objects.count())
    fields: dict[str, object] = {
        "actor": actor_for(world, "lead"),
        "case": case,
        "agency": agency("lado"),
        "made_at": timezone.now() - timedelta(hours=1),
        "method": "phone",
        **kwargs,
    }
    with pytest.raises(DomainError) as caught:
        actions.referral_make(**fields)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert (ExternalReferral.objects.count(), CaseTask.objects.count()) == before


def test_a_referral_in_the_future_is_refused(world: DemoWorld) -> None:
    _refused(world, "made_at", made_at=timezone.now() + timedelta(hours=2))


def test_a_referral_without_a_time_is_refused(world: DemoWorld) -> None:
    _refused(world, "made_at", made_at=None)


def test_a_referral_years_ago_is_refused(world: DemoWorld) -> None:
    _refused(world, "made_at", made_at=timezone.now() - timedelta(days=800))


def test_a_referral_without_an_agency_is_refused(world: DemoWorld) -> None:
    _refused(world, "agency", agency=None)


def test_a_referral_with_an_unknown_method_is_refused(world: DemoWorld) -> None:
    _refused(world, "method", method="pigeon")


def test_a_follow_up_before_the_referral_is_refused(world: DemoWorld) -> None:
    _refused(world, "follow_up_on", follow_up_on=timezone.localdate() - timedelta(days=3))


def test_another_organisations_agency_is_refused(world: DemoWorld) -> None:
    other = ReferralAgency.objects.create(
        organisation=world.organisations["primary"],
        code="oakfield_only",
        label="Oakfield's own panel",
        response_working_days=2,
    )
    _refused(world, "agency", agency=other)


def test_another_organisations_case_is_not_found(world: DemoWorld) -> None:
    case = open_case(world)
    with pytest.raises(NotPermitted):
        actions.referral_make(
            actor=actor_for(world, "primary_lead"),
            case=case,
            agency=agency("lado"),
            made_at=timezone.now(),
            method="phone",
        )
    assert not ExternalReferral.objects.exists()


def test_a_partner_reader_or_reporter_cannot_refer(world: DemoWorld) -> None:
    case = open_case(world)
    for persona in ("reporter", "auditor", "supervisor"):
        with pytest.raises(NotPermitted):
            make_referral(world, case, persona=persona)
    assert not ExternalReferral.objects.exists()


def test_a_closed_case_takes_no_referral(world: DemoWorld) -> None:
    case = open_case(world)
    case_actions.case_advance_stage(
        actor=actor_for(world, "lead"),
        case=case,
        version=case.version,
        to_stage="closed",
        reason="Resolved with early help.",
    )
    with pytest.raises(DomainError, match="Reopen"):
        make_referral(world, case)


def _respond(world: DemoWorld, referral: ExternalReferral, **kwargs: object) -> ExternalReferral:
    fields: dict[str, object] = {
        "actor": actor_for(world, "lead"),
        "referral": referral,
        "version": referral.version,
        "response": "The LADO advises a strategy discussion (synthetic).",
        "received_on": timezone.localdate(),
        "outcome": "Strategy discussion arranged",
        **kwargs,
    }
    return actions.referral_record_response(**fields)  # type: ignore[arg-type]


def test_the_response_closes_the_follow_up_task(world: DemoWorld) -> None:
    case = open_case(world)
    referral = make_referral(world, case)
    _respond(world, referral, their_reference="LADO-2026-117")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RESPONDED and referral.version == 2
    assert referral.their_reference == "LADO-2026-117"
    assert referral.response_recorded_by == world.users["lead"]
    task = CaseTask.objects.get(source_id=referral.pk)
    assert task.status == TaskStatus.DONE and task.closed_by == world.users["lead"]
    assert AuditEvent.objects.filter(action=AuditAction.CASE_TASK_DONE).count() == 1


def test_a_stale_response_is_a_conflict_and_saves_nothing(world: DemoWorld) -> None:
    case = open_case(world)
    referral = make_referral(world, case)
    with pytest.raises(Conflict):
        _respond(world, referral, version=referral.version + 5)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING and referral.response == ""
    assert CaseTask.objects.get(source_id=referral.pk).status == TaskStatus.OPEN


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("response", {"response": "ok"}),
        ("received_on", {"received_on": None}),
        ("received_on", {"received_on": "2026-13-40"}),
        ("received_on", {"received_on": timedelta(days=3)}),  # in the future
        ("received_on", {"received_on": -timedelta(days=30)}),  # before the referral
        ("outcome", {"outcome": "  "}),
    ],
)
def test_bad_responses_are_refused(world: DemoWorld, field: str, kwargs: dict) -> None:
    case = open_case(world)
    referral = make_referral(world, case)
    if isinstance(kwargs.get("received_on"), timedelta):
        kwargs = {"received_on": timezone.localdate() + kwargs["received_on"]}
    with pytest.raises(DomainError) as caught:
        _respond(world, referral, **kwargs)
    assert caught.value.field == field
    referral.refresh_from_db()
    assert referral.version == 1 and referral.status == ReferralStatus.AWAITING


def test_a_response_twice_is_refused(world: DemoWorld) -> None:
    case = open_case(world)
    referral = _respond(world, make_referral(world, case))
    with pytest.raises(DomainError, match="already recorded"):
        _respond(world, referral)


def test_an_unanswered_referral_is_escalated_and_listed_overdue(world: DemoWorld) -> None:
    case = open_case(world)
    referral = overdue_referral(world, case)
    lead = actor_for(world, "lead")
    assert list(selectors.overdue_referrals(lead)) == [referral]
    escalation = actions.referral_escalate(
        actor=lead,
        referral=referral,
        version=referral.version,
        escalated_to="LADO team manager",
        reason="No call back from the duty LADO after two attempts.",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ESCALATED
    assert escalation.escalated_by == world.users["lead"]
    assert escalation.escalated_to == "LADO team manager"
    # Still unanswered, so still overdue, until the response comes.
    assert list(selectors.overdue_referrals(lead)) == [referral]
    _respond(world, referral, received_on=timezone.localdate())
    assert list(selectors.overdue_referrals(lead)) == []


def test_escalating_before_the_follow_up_date_is_refused(world: DemoWorld) -> None:
    case = open_case(world)
    referral = make_referral(world, case, "governing_body")
    with pytest.raises(DomainError, match="not due until"):
        actions.referral_escalate(
            actor=actor_for(world, "lead"),
            referral=referral,
            version=referral.version,
            escalated_to="Chair of governors",
            reason="No reply yet.",
        )
    assert not ReferralEscalation.objects.exists()


def test_escalation_needs_whom_and_why_and_a_current_version(world: DemoWorld) -> None:
    case = open_case(world)
    referral = overdue_referral(world, case)
    lead = actor_for(world, "lead")
    for kwargs, error in (
        ({"escalated_to": "", "reason": "No reply at all."}, DomainError),
        ({"escalated_to": "LADO manager", "reason": ""}, DomainError),
        ({"escalated_to": "LADO manager", "reason": "No reply.", "version": 9}, Conflict),
    ):
        fields = {"version": referral.version, **kwargs}
        with pytest.raises(error):
            actions.referral_escalate(actor=lead, referral=referral, **fields)  # type: ignore[arg-type]
    assert not ReferralEscalation.objects.exists()


def test_restricted_referrals_are_never_listed_or_counted(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    referral = make_referral(
        world, case, persona="case_worker", made_at=timezone.now() - timedelta(days=9)
    )
    assert list(selectors.overdue_referrals(actor_for(world, "case_worker"))) == [referral]
    for persona in ("lead", "auditor", "supervisor", "primary_lead"):
        actor = actor_for(world, persona)
        assert list(selectors.overdue_referrals(actor)) == [], persona
        assert selectors.home_panel(actor)["count"] == 0, persona


def test_agency_settings_override_a_default_and_add_one(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    school = world.organisations["secondary"]
    csc = actions.referral_agency_save(
        actor=lead,
        code="childrens_social_care",
        version=0,
        label="Northshire MASH",
        response_working_days=2,
    )
    assert csc.organisation == school
    listed = {a.code: a for a in selectors.agencies_for(school.pk)}
    assert listed["childrens_social_care"].label == "Northshire MASH"
    assert listed["childrens_social_care"].response_working_days == 2
    # Another organisation still has the default.
    other = {a.code: a for a in selectors.agencies_for(world.organisations["primary"].pk)}
    assert other["childrens_social_care"].response_working_days == 3
    # Stale: saving from the form of the default again (version 0) once the row exists.
    with pytest.raises(Conflict):
        actions.referral_agency_save(
            actor=lead,
            code="childrens_social_care",
            version=0,
            label="MASH",
            response_working_days=4,
        )
    added = actions.referral_agency_save(
        actor=lead, code=None, version=0, label="Youth offending team", response_working_days=5
    )
    assert added.code == "youth-offending-team"
    for bad in (0, 21):
        with pytest.raises(DomainError):
            actions.referral_agency_save(
                actor=lead, code="lado", version=0, label="LADO", response_working_days=bad
            )
    with pytest.raises(NotPermitted):
        actions.referral_agency_save(
            actor=actor_for(world, "deputy"),
            code="lado",
            version=0,
            label="LADO",
            response_working_days=2,
        )


def test_a_referral_made_after_an_override_uses_the_new_deadline(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    own = actions.referral_agency_save(
        actor=lead, code="police", version=0, label="Police", response_working_days=5
    )
    case = open_case(world)
    # The default row is no longer offered to this organisation; its own row is.
    with pytest.raises(DomainError):
        make_referral(world, case, "police")
    referral = actions.referral_make(
        actor=lead, case=case, agency=own, made_at=timezone.now(), method="email"
    )
    assert referral.follow_up_on == selectors.default_follow_up(own, referral.made_at)


def test_the_sections_show_referrals_responses_and_escalations(world: DemoWorld) -> None:
    case = open_case(world)
    referral = overdue_referral(world, case)
    actions.referral_escalate(
        actor=actor_for(world, "lead"),
        referral=referral,
        version=referral.version,
        escalated_to="LADO team manager",
        reason="No response.",
    )
    referral.refresh_from_db()
    _respond(world, referral)
    section = next(s for s in parts.case_sections(case) if s["key"] == "referrals")
    assert section["title"] == "External referrals"
    (entry,) = section["entries"]
    assert entry["heading"].startswith("Referral to LADO")
    assert "Escalated" in entry["body"] and "Strategy discussion arranged" in entry["body"]
    assert [s.order for s in parts.sections() if s.key in ("referrals", "tasks")] == [30, 80]


def test_the_adult_concerned_sees_the_referral_its_response_and_escalation(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    coach = person_create(
        actor=lead, kind="adult_concerned", given_names="Lee", family_name="Coachline"
    )
    case = open_case(world, code="allegation", title="Allegation against a coach (synthetic)")
    case_actions.case_add_subject(
        actor=lead, case=case, version=case.version, person=coach, role=SubjectRole.ADULT_CONCERNED
    )
    referral = overdue_referral(world, case)

    def shown() -> list[tuple[str, str]]:
        return [
            (e.title, e.summary)
            for e in concern_selectors.person_chronology(lead, coach)
            if e.case_id
        ]

    assert "Referral to LADO (local authority designated officer) (phone)" in dict(shown())
    actions.referral_escalate(
        actor=lead,
        referral=referral,
        version=referral.version,
        escalated_to="LADO team manager",
        reason="No response by the deadline.",
    )
    referral.refresh_from_db()
    _respond(world, referral, their_reference="LADO-9")
    titles = [t for t, _ in shown()]
    assert any(t.startswith("Referral to LADO") and "escalated" in t for t in titles)
    summary = next(s for t, s in shown() if t.endswith("(phone)"))
    assert "Their reference: LADO-9" in summary and "Strategy discussion arranged" in summary
    # Nobody who may not see the case sees the lines.
    assert list(concern_selectors.person_chronology(actor_for(world, "auditor"), coach)) == []
    # The lines the actions kept are what a rebuild makes.
    kept = lines()
    case_chronology.rebuild()
    assert lines() == kept
    assert ChronologyItem.objects.filter(source_id=referral.pk).count() == 1
