"""Pattern alerts: small concerns joined into a picture, explained by the concerns behind them."""

from __future__ import annotations

from typing import Any

import pytest

from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions, selectors
from safecase.concerns.models import PatternAlert, PatternKind, PatternRule
from safecase.concerns.tests.test_concerns import (
    actor_for,
    client_for,
    submitted_concern,
    triage,
)
from safecase.core.errors import DomainError
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create

pytestmark = pytest.mark.django_db


def _submit(world: DemoWorld, capture: Any, **extra: Any) -> Any:
    with capture(execute=True):
        return submitted_concern(world, **extra)


def test_three_concerns_about_one_child_in_a_month_raise_one_alert(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    first = _submit(world, django_capture_on_commit_callbacks)
    _submit(world, django_capture_on_commit_callbacks)
    assert not PatternAlert.objects.filter(kind=PatternKind.REPEATED_ABOUT_PERSON).exists()
    third = _submit(world, django_capture_on_commit_callbacks)
    alert = PatternAlert.objects.get(kind=PatternKind.REPEATED_ABOUT_PERSON)
    assert "3 concerns about Jamie Example-Child" in alert.summary
    assert set(alert.concerns.all()) >= {first, third}
    fourth = _submit(world, django_capture_on_commit_callbacks)
    alert.refresh_from_db()
    assert fourth in alert.concerns.all()  # the same open alert grows
    assert PatternAlert.objects.filter(kind=PatternKind.REPEATED_ABOUT_PERSON).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.PATTERN_ALERT_RAISED).count() >= 1


def test_the_same_adult_named_about_two_children(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    for child in ("Ava One", "Ben Two"):
        _submit(
            world,
            django_capture_on_commit_callbacks,
            people=[
                {"name": child, "role": "subject"},
                {"name": "Coach Carl Example", "role": "alleged"},
            ],
        )
    alert = PatternAlert.objects.get(kind=PatternKind.SAME_ADULT)
    assert "Coach Carl Example" in alert.summary and "2 children" in alert.summary


def test_a_recurring_place_and_an_organisations_own_rule(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    PatternRule.objects.create(
        organisation=world.organisations["secondary"],
        kind=PatternKind.RECURRING_LOCATION,
        threshold=2,
        window_days=7,
    )
    PatternRule.objects.create(
        organisation=world.organisations["secondary"],
        kind=PatternKind.REPEATED_ABOUT_PERSON,
        threshold=3,
        window_days=30,
        is_active=False,
    )
    for name in ("Ava One", "Ben Two"):
        _submit(
            world,
            django_capture_on_commit_callbacks,
            people=[{"name": name}],
            location="Bus stop on Mill Lane",
        )
    assert PatternAlert.objects.get(kind=PatternKind.RECURRING_LOCATION).concerns.count() == 2
    _submit(world, django_capture_on_commit_callbacks, people=[{"name": "Ava One"}])
    _submit(world, django_capture_on_commit_callbacks, people=[{"name": "Ava One"}])
    assert not PatternAlert.objects.filter(kind=PatternKind.REPEATED_ABOUT_PERSON).exists()


def test_rising_level_of_need_for_a_linked_child(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    lead = actor_for(world, "lead")
    person = person_create(
        actor=lead, kind="child", given_names="Jamie", family_name="Example-Child"
    )
    for level in (1, 2, 3):
        concern = _submit(world, django_capture_on_commit_callbacks, location=f"Room {level}")
        with django_capture_on_commit_callbacks(execute=True):
            actions.concern_link_person(
                actor=lead, concern_person=concern.people.get(), person=person
            )
        concern.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            triage(world, concern, level_of_need=level)
    alert = PatternAlert.objects.get(kind=PatternKind.RISING_SEVERITY)
    assert "1 → 2 → 3" in alert.summary


def test_alerts_land_in_the_queue_and_need_a_review_note(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    for room in ("Hall", "Library", "Gym"):
        _submit(world, django_capture_on_commit_callbacks, location=room)
    client = client_for(world.users["lead"])
    page = client.get("/concerns/queue/")
    assert b"Patterns to look at" in page.content
    alert = PatternAlert.objects.get(kind=PatternKind.REPEATED_ABOUT_PERSON)
    with pytest.raises(DomainError):
        actions.pattern_alert_review(actor=actor_for(world, "lead"), alert=alert, note="ok")
    client.post(
        f"/concerns/alerts/{alert.pk}/review/",
        {"note": "Discussed with the head; CIN referral made."},
    )
    alert.refresh_from_db()
    assert alert.reviewed_at is not None
    assert selectors.open_alerts(actor_for(world, "lead")) == []
    assert selectors.open_alerts(actor_for(world, "other_org")) == []
    assert (
        client_for(world.users["other_org"])
        .post(f"/concerns/alerts/{alert.pk}/review/", {"note": "x" * 20})
        .status_code
        == 404
    )
