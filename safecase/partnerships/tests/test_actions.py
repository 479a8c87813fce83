"""The hub's actions: what they do, what they refuse (clear message, nothing saved)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from conftest import actor_for
from safecase.access.models import Consent, ShareGrant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core import events
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.partnerships import actions, request_actions, selectors, settings_actions
from safecase.partnerships.choices import AgencyKind, Rating
from safecase.partnerships.models import (
    HubReferral,
    HubSettingsVersion,
    RatingChange,
    ReferralItem,
)
from safecase.partnerships.tests import helpers

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026, 10:00 GMT; Friday 13 March 16:00 GMT; Saturday 14 March 12:00.
TUESDAY_10 = datetime(2026, 3, 10, 10, tzinfo=UTC)
FRIDAY_16 = datetime(2026, 3, 13, 16, tzinfo=UTC)
SATURDAY = datetime(2026, 3, 14, 12, tzinfo=UTC)


@pytest.fixture
def published() -> Iterator[list[events.DomainEvent]]:
    seen: list[events.DomainEvent] = []
    events.subscribe(seen.append)
    yield seen
    events._subscribers.remove(seen.append)


# --- settings ---------------------------------------------------------------------------------


def test_settings_are_versioned_and_audited(world: Any) -> None:
    hub = helpers.hub(world)
    assert (hub.red_working_hours, hub.amber_working_hours, hub.green_hours) == (4, 24, 72)
    changed = settings_actions.hub_settings_save(
        actor=actor_for(world, "hub_manager"),
        partnership=world.partnership,
        hub_organisation=world.organisations["childrens_services"],
        version=hub.version,
        reason="Winter hours",
        closes_at=time(18, 0),
        red_working_hours=3,
    )
    assert changed.version == hub.version + 1
    assert HubSettingsVersion.objects.filter(hub=hub).count() == 2
    event = AuditEvent.objects.filter(action=AuditAction.HUB_SETTINGS_CHANGED).last()
    assert event is not None and event.changes["red_working_hours"] == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"opens_at": time(17), "closes_at": time(9)}, "closes_at"),
        ({"weekdays": ""}, "weekdays"),
        ({"weekdays": "79"}, "weekdays"),
        ({"red_working_hours": 30, "amber_working_hours": 24}, "red_working_hours"),
        ({"green_hours": 0}, "green_hours"),
        ({"amber_working_hours": None}, "amber_working_hours"),
    ],
)
def test_bad_settings_are_refused(world: Any, kwargs: dict[str, Any], field: str) -> None:
    hub = helpers.hub(world)
    with pytest.raises(DomainError) as refused:
        settings_actions.hub_settings_save(
            actor=actor_for(world, "hub_manager"),
            partnership=world.partnership,
            hub_organisation=world.organisations["childrens_services"],
            version=hub.version,
            **kwargs,
        )
    assert refused.value.field == field
    assert HubSettingsVersion.objects.filter(hub=hub).count() == 1


def test_stale_settings_conflict(world: Any) -> None:
    hub = helpers.hub(world)
    with pytest.raises(Conflict):
        settings_actions.hub_settings_save(
            actor=actor_for(world, "hub_manager"),
            partnership=world.partnership,
            hub_organisation=world.organisations["childrens_services"],
            version=hub.version - 1,
        )


def test_only_partnership_members_are_agencies(world: Any) -> None:
    hub = helpers.hub(world)
    with pytest.raises(DomainError):
        settings_actions.hub_agency_save(
            actor=actor_for(world, "hub_manager"),
            hub=hub,
            agency_organisation=world.organisations["outside"],
            kind=AgencyKind.OTHER,
        )
    with pytest.raises(DomainError):
        settings_actions.hub_agency_save(
            actor=actor_for(world, "hub_manager"),
            hub=hub,
            agency_organisation=world.organisations["primary"],
            kind="wizards",
        )


# --- referrals --------------------------------------------------------------------------------


def test_a_school_refers_and_the_chosen_items_are_shared_with_the_hub(
    world: Any, published: list[events.DomainEvent]
) -> None:
    helpers.hub(world)
    child = helpers.child(world)
    referral = actions.referral_make(
        actor=actor_for(world, "lead"),
        subject_name="Sam",
        summary="Synthetic.",
        disclosure=helpers.disclosure(Consent.NOT_SOUGHT, "It would put the child at risk."),
        person_id=child.pk,
    )
    assert referral.organisation == world.organisations["childrens_services"]
    item = ReferralItem.objects.get(referral=referral)
    grant = ShareGrant.objects.get(pk=item.share_id)
    assert grant.to_organisation == world.organisations["childrens_services"]
    assert grant.consent == Consent.NOT_SOUGHT
    assert grant.consent_override_reason == "It would put the child at risk."
    orgs = {e.organisation_id for e in published if e.event_type == events.REFERRAL_CREATED}
    assert orgs == {
        world.organisations["childrens_services"].pk,
        world.organisations["secondary"].pk,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject_name": " "}, "subject_name"),
        ({"summary": ""}, "summary"),
        ({"disclosure": helpers.disclosure(Consent.REFUSED)}, "consent_override_reason"),
        ({"disclosure": helpers.disclosure("maybe")}, "consent"),
        ({"person_id": None}, "concerns"),
    ],
)
def test_bad_referrals_save_nothing(world: Any, change: dict[str, Any], field: str) -> None:
    helpers.hub(world)
    child = helpers.child(world)
    kwargs: dict[str, Any] = {
        "subject_name": "Sam",
        "summary": "Synthetic.",
        "disclosure": helpers.disclosure(),
        "person_id": child.pk,
        **change,
    }
    with pytest.raises(DomainError) as refused:
        actions.referral_make(actor=actor_for(world, "lead"), **kwargs)
    assert refused.value.field == field
    assert not HubReferral.objects.exists() and not ShareGrant.objects.exists()


def test_another_organisations_records_cannot_be_sent(world: Any) -> None:
    helpers.hub(world)
    theirs = helpers.child(world, "primary_lead")
    with pytest.raises(DomainError):
        actions.referral_make(
            actor=actor_for(world, "lead"),
            subject_name="Sam",
            summary="Synthetic.",
            disclosure=helpers.disclosure(),
            person_id=theirs.pk,
        )


def test_an_organisation_outside_the_partnership_cannot_refer(world: Any) -> None:
    helpers.hub(world)
    with pytest.raises(DomainError):
        actions.referral_make(
            actor=actor_for(world, "other_org"),
            subject_name="Sam",
            summary="Synthetic.",
            disclosure=helpers.disclosure(),
        )
    with pytest.raises(NotPermitted):
        actions.referral_make(
            actor=actor_for(world, "reporter"),
            subject_name="Sam",
            summary="Synthetic.",
            disclosure=helpers.disclosure(),
        )


def test_hub_staff_enter_a_call(world: Any) -> None:
    helpers.hub(world)
    referral = actions.referral_enter(
        actor=actor_for(world, "hub"),
        source="phone",
        caller="A neighbour",
        subject_name="Sam",
        summary="Shouting heard.",
    )
    assert referral.referring_organisation is None and referral.source == "phone"
    with pytest.raises(DomainError) as refused:
        actions.referral_enter(
            actor=actor_for(world, "hub"),
            source="pigeon",
            caller="A neighbour",
            subject_name="Sam",
            summary="Shouting heard.",
        )
    assert refused.value.field == "source"


# --- rating and clocks ------------------------------------------------------------------------


def test_red_on_a_friday_afternoon_is_due_on_monday(world: Any) -> None:
    with time_machine.travel(FRIDAY_16, tick=False):
        request = helpers.requested(world, Rating.RED)
    assert request.due_at == datetime(2026, 3, 16, 12, tzinfo=UTC)


def test_green_counts_plain_hours_and_blue_has_no_target(world: Any) -> None:
    with time_machine.travel(FRIDAY_16, tick=False):
        green = helpers.requested(world, Rating.GREEN)
        blue = helpers.requested(world, Rating.BLUE)
    assert green.due_at == FRIDAY_16 + timedelta(hours=72)
    assert blue.due_at is None


def test_red_out_of_hours_is_worked_at_once_with_the_clock_from_the_next_opening(
    world: Any,
) -> None:
    with time_machine.travel(SATURDAY, tick=False):
        request = helpers.requested(world, Rating.RED)
    assert request.referral.work_at_once
    assert request.due_at == datetime(2026, 3, 16, 13, tzinfo=UTC)


def test_re_rating_keeps_history_and_moves_the_due_time(world: Any) -> None:
    with time_machine.travel(TUESDAY_10, tick=False):
        request = helpers.requested(world, Rating.AMBER)
        assert request.due_at == datetime(2026, 3, 13, 10, tzinfo=UTC)
        referral = request.referral
        actions.referral_rate(
            actor=actor_for(world, "hub"),
            referral=referral,
            version=referral.version,
            rating=Rating.RED,
            rationale="The police know the partner.",
        )
    request.refresh_from_db()
    assert request.due_at == datetime(2026, 3, 10, 14, tzinfo=UTC)
    history = list(
        RatingChange.objects.filter(referral=referral).values_list("to_rating", flat=True)
    )
    assert history == [Rating.AMBER, Rating.RED]
    assert AuditEvent.objects.filter(action=AuditAction.HUB_REQUEST_DUE_CHANGED).count() == 1


def test_a_rating_needs_a_rationale_and_a_fresh_version(world: Any) -> None:
    referral = helpers.referral(world)
    hub = actor_for(world, "hub")
    with pytest.raises(DomainError) as refused:
        actions.referral_rate(
            actor=hub, referral=referral, version=referral.version, rating="red", rationale=" "
        )
    assert refused.value.field == "rationale"
    with pytest.raises(DomainError):
        actions.referral_rate(
            actor=hub, referral=referral, version=referral.version, rating="pink", rationale="x"
        )
    with pytest.raises(Conflict):
        actions.referral_rate(
            actor=hub, referral=referral, version=referral.version + 5, rating="red", rationale="x"
        )
    with pytest.raises(NotPermitted):
        actions.referral_rate(
            actor=actor_for(world, "lead"),
            referral=referral,
            version=referral.version,
            rating="red",
            rationale="x",
        )
    assert not RatingChange.objects.exists()


def test_requests_need_a_rating_and_go_once_per_agency(world: Any) -> None:
    referral = helpers.referral(world)
    hub = actor_for(world, "hub")
    agencies = selectors.hub_agencies(referral.hub)
    with pytest.raises(DomainError):
        request_actions.request_send(actor=hub, referral=referral, agencies=agencies)
    request = helpers.requested(world)
    with pytest.raises(DomainError):
        request_actions.request_send(
            actor=hub, referral=request.referral, agencies=[request.agency]
        )
    with pytest.raises(DomainError):
        request_actions.request_send(actor=hub, referral=request.referral, agencies=[])


def test_requests_publish_due_events_to_the_agency(
    world: Any, published: list[events.DomainEvent]
) -> None:
    helpers.requested(world)
    due = [e for e in published if e.event_type == events.INFORMATION_REQUEST_DUE]
    assert {e.organisation_id for e in due} >= {world.organisations["police"].pk}
    assert all("answer" not in e.payload for e in due)
