"""Recording risk assessment versions: good and bad input, optimistic locking, reach."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import actions as case_actions
from safecase.cases.risk import actions, selectors
from safecase.cases.risk.models import RiskAssessment, RiskAssessmentVersion
from safecase.cases.risk.tests.helpers import DemoWorld, assess, assessment, in_days
from safecase.cases.tests.helpers import open_case, restricted_case
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def _nothing_saved() -> None:
    assert not RiskAssessment.objects.exists()
    assert not RiskAssessmentVersion.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.RISK_ASSESSED).exists()


def test_versions_are_kept_and_the_latest_is_the_current_risk(world: DemoWorld) -> None:
    case = open_case(world)
    first = assess(world, case)
    second = assess(
        world,
        case,
        level="critical",
        interim_measures=["no_unsupervised_access", "other"],
        interim_other="Collected from school by the grandmother only.",
        reason="The police report a second incident.",
    )
    assert (first.number, second.number) == (1, 2)
    current = selectors.current_risk(case)
    assert current is not None and current.pk == second.pk
    assert current.measure_labels() == [
        "No unsupervised access to children",
        "Other: Collected from school by the grandmother only.",
    ]
    # The first version is unchanged and still readable.
    first.refresh_from_db()
    assert first.level == "high" and first.reason == "First assessment after the disclosure."
    assert [v.number for v in selectors.versions_of(case)] == [2, 1]
    row = RiskAssessment.objects.get(case=case)
    assert (row.version, row.level, row.next_review_on) == (2, "critical", second.next_review_on)
    event = AuditEvent.objects.filter(action=AuditAction.RISK_ASSESSED).latest("seq")
    assert event.reason == "The police report a second incident."
    assert event.changes["version"] == 2 and event.changes["level"] == "critical"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "  ok "}, "reason"),
        ({"risk_factors": ""}, "risk_factors"),
        ({"protective_factors": " "}, "protective_factors"),
        ({"likelihood": 0}, "likelihood"),
        ({"impact": 6}, "impact"),
        ({"level": "severe"}, "level"),
        ({"interim_measures": ["house_arrest"]}, "interim_measures"),
        ({"interim_measures": ["other"], "interim_other": ""}, "interim_other"),
        ({"next_review_on": None}, "next_review_on"),
        ({"next_review_on": ""}, "next_review_on"),
        ({"next_review_on": date(2020, 1, 1)}, "next_review_on"),
        ({"next_review_on": in_days(0)}, "next_review_on"),
        ({"next_review_on": "2027-02-30"}, "next_review_on"),
        ({"next_review_on": "next Tuesday"}, "next_review_on"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    world: DemoWorld, extra: dict[str, object], field: str
) -> None:
    case = open_case(world)
    with pytest.raises(DomainError) as caught:
        assess(world, case, **extra)
    assert caught.value.field == field
    assert caught.value.message
    _nothing_saved()


def test_a_review_date_given_as_text_is_read(world: DemoWorld) -> None:
    case = open_case(world)
    version = assess(world, case, next_review_on=in_days(30).isoformat())
    assert version.next_review_on == in_days(30)


def test_a_stale_form_is_a_conflict_and_saves_nothing(world: DemoWorld) -> None:
    case = open_case(world)
    assess(world, case)
    lead = actor_for(world, "lead")
    with pytest.raises(Conflict, match="changed since you opened it"):
        actions.risk_assess(actor=lead, case=case, version=0, **assessment(level="low"))
    with pytest.raises(Conflict):
        actions.risk_assess(actor=lead, case=case, version=7, **assessment(level="low"))
    assert RiskAssessmentVersion.objects.filter(case=case).count() == 1
    assert RiskAssessment.objects.get(case=case).version == 1


def test_another_organisations_case_is_out_of_reach(world: DemoWorld) -> None:
    case = open_case(world)
    for persona in ("other_org", "primary_lead", "partner_with_share"):
        with pytest.raises(NotPermitted):
            assess(world, case, persona)
    _nothing_saved()


def test_roles_without_case_manage_cannot_assess(world: DemoWorld) -> None:
    case = open_case(world)
    for persona in ("reporter", "auditor", "org_admin", "supervisor"):
        with pytest.raises(NotPermitted):
            assess(world, case, persona)
    _nothing_saved()


def test_a_restricted_case_is_out_of_reach_of_the_lead_not_named(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    with pytest.raises(NotPermitted):
        assess(world, case, "lead")
    _nothing_saved()
    assert assess(world, case, "case_worker").number == 1


def test_a_closed_case_is_reopened_before_it_is_assessed(world: DemoWorld) -> None:
    case = open_case(world)
    case_actions.case_advance_stage(
        actor=actor_for(world, "lead"),
        case=case,
        version=case.version,
        to_stage="closed",
        reason="No further action needed.",
    )
    with pytest.raises(DomainError, match="Reopen the case"):
        assess(world, case)
    _nothing_saved()
