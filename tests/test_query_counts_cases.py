"""The case pages run the same number of queries whatever the number of cases, and whatever a
case holds (concerns, people, team, stage history). Same method as test_query_counts.py: a
small data set made through the actions, one of every kind of row each page shows, then many
more in bulk, and the count must not move."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.cases import actions
from safecase.cases.choices import CaseStatus, Stage, SubjectRole, TeamRole
from safecase.cases.models import (
    Case,
    CaseConcern,
    CaseSubject,
    CaseTeamMember,
    CaseType,
    StageChange,
)
from safecase.cases.tests.helpers import open_case
from safecase.concerns.choices import ConcernStatus, PersonRole
from safecase.concerns.models import Concern, ConcernPerson
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create
from safecase.people.models import Person
from tests.test_query_counts import CEILING, MORE, _count, _diff

pytestmark = pytest.mark.django_db

Response = Any


@dataclass
class CaseScene:
    world: DemoWorld
    case: Case


@pytest.fixture
def case_scene(world: DemoWorld) -> CaseScene:
    """One case with a concern, a person, a lead, a case worker who handed over (a past
    allocation) and a move: every list on its page has a row."""
    lead = actor_for(world, "lead")
    case = open_case(world, concern=submitted_concern(world))
    person = person_create(
        actor=lead,
        kind="child",
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=date(2013, 3, 14),
    )
    actions.case_add_subject(
        actor=lead, case=case, version=case.version, person=person, role=SubjectRole.SUBJECT
    )
    worker = actions.case_allocate(
        actor=lead,
        case=case,
        version=case.version,
        user=world.users["case_worker"],
        role=TeamRole.CASE_WORKER,
        reason="Cass knows the family.",
    )
    actions.case_allocate(
        actor=lead,
        case=case,
        version=case.version,
        user=world.users["deputy"],
        role=TeamRole.CASE_WORKER,
        reason="Cass moves team.",
        replacing=worker,
    )
    actions.case_advance_stage(
        actor=lead,
        case=case,
        version=case.version,
        to_stage=Stage.EXTERNAL_REFERRAL,
        reason="Referred to children's social care.",
    )
    submitted_concern(world)  # one to offer in "add a concern"
    open_case(world, code="early_help", title="A second case")
    return CaseScene(world=world, case=case)


def grow(scene: CaseScene, n: int = MORE) -> None:
    """``n`` more cases (each with a lead), and ``n`` more of everything on the first case's
    page, in bulk (volume for counting queries, not records: no audit events)."""
    world = scene.world
    org = world.organisations["secondary"]
    lead, deputy = world.users["lead"], world.users["deputy"]
    now = timezone.now()
    kind = CaseType.objects.get(organisation__isnull=True, code="child_in_need")
    cases = Case.objects.bulk_create(
        Case(
            organisation=org,
            reference=f"G-{i:05d}",
            title=f"Grown case {i}",
            case_type=kind,
            stage=Stage.REPORTING,
            status=CaseStatus.OPEN,
            opened_by=lead,
            opened_at=now - timedelta(minutes=i),
        )
        for i in range(n)
    )
    CaseTeamMember.objects.bulk_create(
        CaseTeamMember(
            organisation=org,
            case=c,
            user=lead if i % 2 else deputy,
            role=TeamRole.LEAD,
            allocated_at=now,
            allocated_by=lead,
            reason="Grown.",
        )
        for i, c in enumerate(cases)
    )
    case = scene.case
    concerns = Concern.objects.bulk_create(
        Concern(
            organisation=org,
            status=ConcernStatus.SUBMITTED,
            recorded_by=world.users["reporter"],
            submitted_at=now - timedelta(hours=i),
            happened_at=now - timedelta(hours=i + 1),
            fact=f"Synthetic concern {i}.",
        )
        for i in range(n)
    )
    ConcernPerson.objects.bulk_create(
        ConcernPerson(
            organisation=org, concern=c, name_as_recorded=f"Child {i}", role=PersonRole.SUBJECT
        )
        for i, c in enumerate(concerns)
    )
    CaseConcern.objects.bulk_create(
        CaseConcern(organisation=org, case=case, concern=c, added_by=lead)
        for c in concerns[: n // 2]  # the rest are offered to add
    )
    people = Person.objects.bulk_create(
        Person(organisation=org, given_names=f"Jo{i}", family_name="Grown", created_by=lead)
        for i in range(n)
    )
    CaseSubject.objects.bulk_create(
        CaseSubject(organisation=org, case=case, person=p, role=SubjectRole.SUBJECT, added_by=lead)
        for p in people[: n // 2]
    )
    CaseTeamMember.objects.bulk_create(
        CaseTeamMember(
            organisation=org,
            case=case,
            user=world.users["case_worker"],
            role=TeamRole.CASE_MANAGEMENT_GROUP,
            allocated_at=now - timedelta(days=i + 1),
            allocated_by=lead,
            reason="Grown.",
            ended_at=now - timedelta(days=i),
            ended_by=lead,
            end_reason="Grown.",
        )
        for i in range(n)
    )
    StageChange.objects.bulk_create(
        StageChange(
            organisation=org,
            case=case,
            from_stage=Stage.EXTERNAL_REFERRAL,
            to_stage=Stage.EXTERNAL_REFERRAL,
            changed_by=lead,
            reason=f"Grown {i}.",
        )
        for i in range(n)
    )


def _rows(response: Response) -> int:
    return len(response.context["rows"])


def _case_page(response: Response) -> int:
    detail = response.context["detail"]
    return sum(
        len(x)
        for x in (detail.concerns, detail.subjects, detail.team, detail.past_team, detail.history)
    )


def _bytes(response: Response) -> int:
    return len(response.content)


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    url: Callable[[CaseScene], str]
    shown: Callable[[Response], int]


# The stage and allocate forms list nothing that grows with the data (the moves come from the
# table; the team is the current one), so they are not here.
PAGES = (
    Page("case list", "lead", lambda s: "/cases/", _rows),
    Page("open case list", "lead", lambda s: "/cases/?status=open", _rows),
    Page("case list as a case worker", "case_worker", lambda s: "/cases/", _rows),
    Page("case page", "lead", lambda s: f"/cases/{s.case.pk}/", _case_page),
    Page("caseloads", "lead", lambda s: "/cases/caseload/", _bytes),
    Page("API cases", "lead", lambda s: "/api/v1/cases", lambda r: len(r.json()["results"])),
    Page(
        "API a case",
        "lead",
        lambda s: f"/api/v1/cases/{s.case.pk}",
        lambda r: sum(len(r.json()[k]) for k in ("concerns", "subjects", "team", "history")),
    ),
)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_case_page_query_count_does_not_grow_with_the_data(
    case_scene: CaseScene, page: Page
) -> None:
    client = client_for(case_scene.world.users[page.persona])
    url = page.url(case_scene)
    client.get(url)  # warm-up: the first request after sign-in settles the session
    small_count, small_response, small_sql = _count(client, url)
    assert _count(client, url)[0] == small_count, "the count should be stable between requests"

    grow(case_scene)
    large_count, large_response, large_sql = _count(client, url)

    assert page.shown(large_response) > page.shown(small_response), (
        f"{page.name}: the added rows did not reach the page, so this case proves nothing"
    )
    assert large_count == small_count, (
        f"{page.name} ran {small_count} queries with a few rows and {large_count} with "
        f"{MORE} more of each: a query per row (N+1)? Extra queries:\n"
        + _diff(small_sql, large_sql)
    )
    assert large_count <= CEILING, f"{page.name} ran {large_count} queries (ceiling {CEILING})"


def test_the_small_case_page_shows_one_of_everything(case_scene: CaseScene) -> None:
    client = client_for(case_scene.world.users["lead"])
    detail = client.get(f"/cases/{case_scene.case.pk}/").context["detail"]
    assert detail.concerns and detail.subjects and detail.team and detail.past_team
    assert len(detail.history) == 2 and detail.moves
