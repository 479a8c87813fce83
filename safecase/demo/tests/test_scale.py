"""The county loader at a tiny size: counts, the benchmark lead, and the 500-concern child."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.db.models import DateTimeField, F, Q

from safecase.accounts.models import Membership, Organisation, User
from safecase.accounts.selectors import active_memberships_of
from safecase.audit.models import AuditEvent
from safecase.cases.choices import CaseStatus, Stage
from safecase.cases.models import Case, CaseConcern, CaseSequence, CaseSubject, StageChange
from safecase.concerns.choices import ConcernStatus
from safecase.concerns.models import Concern, ConcernAction, ConcernPerson, PatternAlert, Triage
from safecase.concerns.selectors import person_chronology, triage_queue
from safecase.core.actors import Actor
from safecase.demo.personas import DEMO_PASSWORD
from safecase.demo.scale import (
    BENCH_LEAD_EMAIL,
    CHRONOLOGY_CONCERNS,
    CountySummary,
    allocate,
    chronology_concerns,
    load_county,
    zipf_counts,
)
from safecase.demo.scale_cases import CASE_MODELS
from safecase.people.models import ChronologyItem, Person
from safecase.people.selectors import person_list

pytestmark = pytest.mark.django_db


def _load_tiny() -> CountySummary:
    return load_county(organisations=3, people=50, concerns=400)


def _lead_actor() -> Actor:
    lead = User.objects.get(email=BENCH_LEAD_EMAIL)
    membership = active_memberships_of(lead)[0]
    return Actor(
        user=lead, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def test_it_loads_exactly_what_was_asked_and_writes_no_audit_events() -> None:
    summary = _load_tiny()

    assert Organisation.objects.count() == summary.organisations == 3
    assert Person.objects.count() == summary.people == 50
    assert Concern.objects.filter(status=ConcernStatus.SUBMITTED).count() == 400
    assert ConcernPerson.objects.count() == summary.concern_people >= 400
    assert Triage.objects.count() == summary.triages
    assert Concern.objects.filter(triaged_at__isnull=True).count() == summary.untriaged
    assert Concern.categories.through.objects.count() == summary.category_links >= 400
    assert PatternAlert.objects.count() == summary.alerts
    assert Case.objects.count() == summary.cases > 0
    assert CaseConcern.objects.count() == summary.case_concerns >= summary.cases
    assert StageChange.objects.count() == summary.stage_changes >= summary.cases
    assert CaseSubject.objects.count() == summary.cases
    # Every case is one a triage decided on, about a child of its organisation, in order.
    assert not CaseConcern.objects.exclude(concern__triaged_at__isnull=False).exists()
    assert not CaseSubject.objects.exclude(person__organisation=F("organisation")).exists()
    assert not Case.objects.exclude(
        Q(stage=Stage.CLOSED, closed_at__isnull=False) | Q(status=CaseStatus.OPEN)
    ).exists()
    assert summary.bench_case_id is not None
    assert Case.objects.get(pk=summary.bench_case_id).organisation_id == (
        summary.bench_organisation_id
    )
    # The cases' lines are in their subjects' chronologies.
    assert ChronologyItem.objects.filter(case__isnull=False).count() >= summary.stage_changes
    # Every organisation has a lead, a deputy and reporters; only the benchmark lead can sign in.
    assert Membership.objects.count() == User.objects.count() == summary.users >= 3 * 5
    assert [u.email for u in User.objects.filter(is_demo=True)] == [BENCH_LEAD_EMAIL]
    assert not any(u.has_usable_password() for u in User.objects.exclude(is_demo=True))
    # Benchmark data, not records: nothing went through the actions.
    assert AuditEvent.objects.count() == 0


def test_timestamps_are_the_loaders_not_the_time_of_loading() -> None:
    _load_tiny()
    concern = Concern.objects.order_by("submitted_at").first()
    assert concern is not None and concern.submitted_at is not None
    assert concern.created_at < concern.submitted_at
    assert Concern.objects.filter(created_at__lt=concern.submitted_at).exists()
    # auto_now is back on for everything made after the load.
    field = Concern._meta.get_field("created_at")
    assert isinstance(field, DateTimeField) and field.auto_now_add


def test_the_benchmark_lead_sees_their_own_queue_and_people() -> None:
    summary = _load_tiny()
    lead = User.objects.get(email=BENCH_LEAD_EMAIL)
    assert check_password(DEMO_PASSWORD, lead.password)
    actor = _lead_actor()
    assert actor.organisation is not None
    assert actor.organisation.pk == summary.bench_organisation_id

    queue = list(triage_queue(actor))
    assert queue
    assert {c.organisation_id for c in queue} == {summary.bench_organisation_id}
    assert all(c.triaged_at is None or c.review_due_on is not None for c in queue)
    people = person_list(actor)
    assert people.count() == Person.objects.filter(organisation=actor.organisation).count()


def test_one_child_has_the_chronology_benchmarks_concerns_scaled_to_the_county() -> None:
    summary = _load_tiny()
    bench_concerns = Concern.objects.filter(
        organisation_id=summary.bench_organisation_id, kind="child"
    ).count()
    # 500 in a full county; at this size a quarter of the school's concerns about children.
    assert summary.chronology_concerns == chronology_concerns(bench_concerns)
    assert 1 <= summary.chronology_concerns < CHRONOLOGY_CONCERNS
    child = Person.objects.get(pk=summary.chronology_person_id)
    linked = ConcernPerson.objects.filter(person=child).values("concern").distinct().count()
    assert linked == summary.chronology_concerns
    entries = person_chronology(_lead_actor(), child)
    assert sum(e.kind == "Concern" for e in entries) == summary.chronology_concerns
    # Zipf-like: the most concerned child has far more than the typical one.
    per_child = Counter(
        ConcernPerson.objects.filter(person__isnull=False).values_list("person_id", flat=True)
    )
    counts = sorted(per_child.values())
    assert counts[-1] >= 5 * counts[len(counts) // 2]


def test_a_second_load_is_refused() -> None:
    _load_tiny()
    with pytest.raises(ValueError, match="already loaded"):
        _load_tiny()


def test_the_same_seed_gives_the_same_county() -> None:
    first = _load_tiny()
    names = list(Person.objects.order_by("id").values_list("id", "family_name"))
    cases = list(Case.objects.order_by("id").values_list("id", "reference", "stage"))
    ChronologyItem.objects.all().delete()
    for model in (*reversed(CASE_MODELS), CaseSequence):
        model.objects.all().delete()
    Concern.categories.through.objects.all().delete()
    PatternAlert.objects.all().delete()
    ConcernAction.objects.all().delete()
    Triage.objects.all().delete()
    ConcernPerson.objects.all().delete()
    Concern.objects.all().delete()
    Person.objects.all().delete()
    Membership.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()
    second = _load_tiny()
    assert second.chronology_person_id == first.chronology_person_id
    assert list(Person.objects.order_by("id").values_list("id", "family_name")) == names
    assert list(Case.objects.order_by("id").values_list("id", "reference", "stage")) == cases


@pytest.mark.parametrize(
    ("child_concerns", "expected"), [(1_000_000, 500), (2_000, 500), (400, 100), (3, 1)]
)
def test_the_chronology_child_scales_down(child_concerns: int, expected: int) -> None:
    assert chronology_concerns(child_concerns) == expected


def test_allocation_adds_up_and_follows_zipf() -> None:
    assert sum(allocate(1_000, [2.0, 1.0, 0.35])) == 1_000
    counts = zipf_counts(4_000, 600)
    assert sum(counts) == 4_000
    assert counts[0] > 500 and counts[-1] <= 1


def test_the_chronology_indexes_dropped_for_the_load_are_all_built_again() -> None:
    from django.db import connection

    def index_names() -> set[str]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, ChronologyItem._meta.db_table)
        return {name for name, info in found.items() if info["index"] or info["unique"]}

    before = index_names()
    assert {index.name for index in ChronologyItem._meta.indexes} <= before
    _load_tiny()
    assert index_names() == before
