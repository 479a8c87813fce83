"""Pattern alerts: small concerns joined into a picture, explained by the concerns behind them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safecase.access.actions import record_restrict
from safecase.access.roles import Role
from safecase.accounts.actions import member_set_roles
from safecase.accounts.models import Membership
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions, selectors
from safecase.concerns.models import Concern, PatternAlert, PatternKind, PatternRule
from safecase.concerns.patterns import summary_for
from safecase.concerns.tests.test_concerns import (
    actor_for,
    client_for,
    submitted_concern,
    triage,
)
from safecase.core.errors import DomainError
from safecase.demo.personas import DemoWorld
from safecase.notifications.models import Notification, NotificationKind
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


def _three_rising_levels(world: DemoWorld, capture: Any) -> None:
    """Three concerns about one linked child, triaged at levels of need 1, 2 and 3."""
    lead = actor_for(world, "lead")
    person = person_create(
        actor=lead, kind="child", given_names="Jamie", family_name="Example-Child"
    )
    for level in (1, 2, 3):
        concern = _submit(world, capture, location=f"Room {level}")
        with capture(execute=True):
            actions.concern_link_person(
                actor=lead, concern_person=concern.people.get(), person=person
            )
        concern.refresh_from_db()
        with capture(execute=True):
            triage(world, concern, level_of_need=level)


def test_rising_level_of_need_for_a_linked_child(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    _three_rising_levels(world, django_capture_on_commit_callbacks)
    alert = PatternAlert.objects.get(kind=PatternKind.RISING_SEVERITY)
    assert "1 → 2 → 3" in alert.summary


def _decision_queries(client: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/concerns/queue/")
    return page.content.decode(), sum('FROM "concerns_triage"' in q["sql"] for q in ctx)


def test_the_queue_reads_decisions_only_for_a_rising_level_alert(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    """Alerts about a person are worded from the concerns' people alone; a rising level of need
    from their decisions too, read in one query for all of them (never one per concern)."""
    client = client_for(world.users["lead"])
    for room in ("Hall", "Library", "Gym"):
        _submit(world, django_capture_on_commit_callbacks, location=room)
    content, decisions = _decision_queries(client)
    assert "3 concerns about Jamie Example-Child" in content and decisions == 0
    _three_rising_levels(world, django_capture_on_commit_callbacks)
    content, decisions = _decision_queries(client)
    assert "Level of need rising for Jamie Example-Child: 1 → 2 → 3" in content
    assert decisions == 1


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


# --- Only what the reader may see -------------------------------------------------------------


def make_lead_too(world: DemoWorld, persona: str = "deputy") -> None:
    """Make a persona a lead as well (a deputy may be), so a record can be restricted away
    from the other lead: e.g. an allegation against the lead."""
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    member_set_roles(
        actor=actor_for(world, "org_admin"),
        membership=membership,
        roles=[*membership.role_names(), Role.LEAD],
        version=membership.version,
    )


def restrict_to_deputy(world: DemoWorld, concern: Concern) -> None:
    """Close a concern to everyone but the deputy (made a lead by ``make_lead_too``)."""
    record_restrict(
        actor=actor_for(world, "deputy"),
        record=concern,
        named_people=[],
        reason="Allegation against the lead.",
    )


def _queue(world: DemoWorld, persona: str) -> str:
    return str(client_for(world.users[persona]).get("/concerns/queue/").content.decode())


def test_a_deputy_sees_an_alert_counted_from_the_concerns_they_may_see(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    """A place alert made of two concerns about children and a low-level concern about an adult
    (the lead's log alone): the deputy is told of two concerns, not three."""
    for _ in range(2):
        _submit(world, django_capture_on_commit_callbacks, location="Changing rooms")
    _submit(
        world,
        django_capture_on_commit_callbacks,
        kind="low_level_adult",
        people=[{"name": "Mr Staff Example", "role": "subject"}],
        location="Changing rooms",
    )
    alert = PatternAlert.objects.get(kind=PatternKind.RECURRING_LOCATION)
    assert alert.summary.startswith("3 concerns at")  # kept, as raised, for the audit trail
    (shown,) = selectors.open_alerts(actor_for(world, "deputy"))
    assert summary_for(shown, shown.visible_concerns) == (
        "2 concerns at “Changing rooms” in 30 days"
    )
    deputy = _queue(world, "deputy")
    assert "2 concerns at “Changing rooms” in 30 days" in deputy
    assert "3 concerns" not in deputy
    assert "3 concerns at “Changing rooms” in 30 days" in _queue(world, "lead")


def test_a_lead_restricted_out_of_some_concerns_sees_only_the_others_counted(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    make_lead_too(world)
    restrict_to_deputy(world, _submit(world, django_capture_on_commit_callbacks))
    for _ in range(2):
        _submit(world, django_capture_on_commit_callbacks)
    alert = PatternAlert.objects.get(kind=PatternKind.REPEATED_ABOUT_PERSON)
    assert alert.concerns.count() == 3
    lead = _queue(world, "lead")
    assert "2 concerns about Jamie Example-Child in 30 days" in lead
    assert "2 concerns at “Playground” in 30 days" in lead
    assert "3 concerns" not in lead
    assert "3 concerns about Jamie Example-Child in 30 days" in _queue(world, "deputy")
    # Both leads may open some of its concerns, so both were told.
    told = Notification.objects.filter(kind=NotificationKind.PATTERN_ALERT, target_id=alert.pk)
    assert {n.recipient for n in told} == {world.users["lead"], world.users["deputy"]}


def test_a_lead_restricted_out_of_every_concern_behind_an_alert_is_not_told_of_it(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    make_lead_too(world)
    for _ in range(3):
        # Restricted before its patterns are looked for (the task runs after the commit).
        with django_capture_on_commit_callbacks() as after_commit:
            concern = submitted_concern(world)
        restrict_to_deputy(world, concern)
        for callback in after_commit:
            callback()
    alerts = PatternAlert.objects.all()
    assert {a.kind for a in alerts} == {
        PatternKind.REPEATED_ABOUT_PERSON,
        PatternKind.RECURRING_LOCATION,
    }
    told = Notification.objects.filter(kind=NotificationKind.PATTERN_ALERT)
    assert sorted((n.recipient.email, n.target_id) for n in told) == sorted(
        (world.users["deputy"].email, a.pk) for a in alerts
    )
    assert selectors.open_alerts(actor_for(world, "lead")) == []
    lead = _queue(world, "lead")
    assert "Patterns to look at" not in lead and "Jamie" not in lead
    assert "3 concerns about Jamie Example-Child in 30 days" in _queue(world, "deputy")


def test_the_summary_shown_is_worded_from_the_visible_concerns(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    """Every kind of alert, counted from the concerns given, singular and plural."""
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
    concerns = list(alert.concerns.order_by("submitted_at"))
    assert summary_for(alert, concerns) == (
        "Coach Carl Example is named in concerns about 2 children"
    )
    assert summary_for(alert, concerns[:1]) == (
        "Coach Carl Example is named in a concern about 1 child"
    )
    _submit(world, django_capture_on_commit_callbacks)
    place = PatternAlert.objects.get(kind=PatternKind.RECURRING_LOCATION)
    concerns = list(place.concerns.order_by("submitted_at"))
    assert summary_for(place, concerns) == "3 concerns at “Playground” in 30 days"
    assert summary_for(place, concerns[-1:]) == "1 concern at “Playground” in 30 days"


def test_a_rising_level_of_need_shows_only_the_visible_levels(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    _three_rising_levels(world, django_capture_on_commit_callbacks)
    alert = PatternAlert.objects.get(kind=PatternKind.RISING_SEVERITY)
    concerns = list(alert.concerns.order_by("submitted_at"))
    assert summary_for(alert, concerns) == "Level of need rising for Jamie Example-Child: 1 → 2 → 3"
    assert summary_for(alert, concerns[1:]) == "Level of need rising for Jamie Example-Child: 2 → 3"
    assert summary_for(alert, concerns[:1]) == "Level of need for Jamie Example-Child: 1"
