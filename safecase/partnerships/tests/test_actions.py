"""The hub's actions: what they do, what they refuse (clear message, nothing saved)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.http import Http404

from conftest import actor_for
from safecase.access.models import Consent, ShareGrant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core import events
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.notifications.models import Notification, NotificationKind
from safecase.partnerships import actions, request_actions, selectors, settings_actions
from safecase.partnerships.choices import AgencyKind, Rating, ReferralStatus, RequestStatus
from safecase.partnerships.escalation import escalate_late_requests
from safecase.partnerships.models import (
    HubReferral,
    HubSettingsVersion,
    InformationRequest,
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


# --- sections ---------------------------------------------------------------------------------


def test_a_held_answer_is_hidden_from_the_hub_until_released(
    world: Any, published: list[events.DomainEvent]
) -> None:
    request = helpers.answered(world, hold=True)
    hub = actor_for(world, "hub")
    cap = selectors.capacity(hub, request.referral)
    assert request.status == RequestStatus.HELD
    assert not selectors.section_readable(hub, cap, request)
    assert not [e for e in published if e.event_type == events.INFORMATION_REQUEST_ANSWERED]
    with pytest.raises(NotPermitted):
        request_actions.request_release(
            actor=actor_for(world, "partner_with_share"), request=request, version=request.version
        )
    request_actions.request_release(
        actor=actor_for(world, "police_approver"), request=request, version=request.version
    )
    assert selectors.section_readable(hub, cap, request)
    assert [e for e in published if e.event_type == events.INFORMATION_REQUEST_ANSWERED]


def test_only_the_agency_asked_answers_and_never_twice(world: Any) -> None:
    request = helpers.requested(world)
    with pytest.raises(NotPermitted):
        request_actions.request_answer(
            actor=actor_for(world, "partner_without"),
            request=request,
            version=request.version,
            answer="Not ours.",
        )
    with pytest.raises(DomainError) as refused:
        request_actions.request_answer(
            actor=actor_for(world, "partner_with_share"),
            request=request,
            version=request.version,
            answer="  ",
        )
    assert refused.value.field == "answer"
    done = helpers.answered(world, hold=False)
    with pytest.raises(DomainError):
        request_actions.request_answer(
            actor=actor_for(world, "partner_with_share"),
            request=done,
            version=done.version,
            answer="Again.",
        )


def test_agencies_never_see_each_others_sections(world: Any) -> None:
    request = helpers.requested(world, kinds=(AgencyKind.POLICE, AgencyKind.HEALTH))
    health = actor_for(world, "partner_without")
    cap = selectors.capacity(health, request.referral)
    seen = selectors.sections_for(health, request.referral, cap)
    assert [s.agency_organisation_id for s in seen] == [world.organisations["health"].pk]
    police = InformationRequest.objects.get(
        referral=request.referral, agency_organisation=world.organisations["police"]
    )
    with pytest.raises(Http404):
        selectors.access_request(health, police.pk, selectors.Permission.HUB_ANSWER)


def test_a_referrer_sees_the_referral_but_no_section_and_bystanders_nothing(world: Any) -> None:
    request = helpers.answered(world, hold=False)
    lead = actor_for(world, "lead")
    referral = selectors.access_referral(lead, request.referral_id, selectors.Permission.HUB_VIEW)
    cap = selectors.capacity(lead, referral)
    assert cap.is_referrer and selectors.sections_for(lead, referral, cap) == []
    for persona in ("primary_lead", "other_org"):
        with pytest.raises(Http404):
            selectors.access_referral(
                actor_for(world, persona), request.referral_id, selectors.Permission.HUB_VIEW
            )


# --- escalation and decision ------------------------------------------------------------------


def test_late_requests_are_escalated_once(world: Any) -> None:
    with time_machine.travel(TUESDAY_10, tick=False):
        helpers.requested(world, kinds=(AgencyKind.POLICE, AgencyKind.HEALTH))
    with time_machine.travel(TUESDAY_10 + timedelta(days=1), tick=False):
        assert escalate_late_requests() == 2
        call_command("hub_escalate_late", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert escalate_late_requests() == 0
    told = Notification.objects.filter(kind=NotificationKind.HUB_REQUEST_LATE)
    recipients = set(told.values_list("recipient_id", flat=True))
    assert world.users["police_approver"].pk in recipients
    assert world.users["partner_without"].pk in recipients  # health has no approver
    assert world.users["hub"].pk in recipients
    assert AuditEvent.objects.filter(action=AuditAction.HUB_REQUEST_ESCALATED).count() == 2


def test_a_request_in_time_is_not_escalated(world: Any) -> None:
    request = helpers.requested(world)
    with pytest.raises(DomainError):
        request_actions.request_escalate(actor=selectors.Actor.system("tests"), request=request)


def test_the_decision_needs_a_rationale_and_closes_open_requests(
    world: Any, published: list[events.DomainEvent]
) -> None:
    request = helpers.requested(world)
    referral = request.referral
    hub = actor_for(world, "hub")
    with pytest.raises(DomainError) as refused:
        actions.referral_decide(
            actor=hub, referral=referral, version=referral.version, decision="nfa", rationale=""
        )
    assert refused.value.field == "rationale"
    with pytest.raises(DomainError):
        actions.referral_decide(
            actor=hub, referral=referral, version=referral.version, decision="x", rationale="y"
        )
    actions.referral_decide(
        actor=hub,
        referral=referral,
        version=referral.version,
        decision="early_help",
        rationale="Needs support, not statutory.",
    )
    assert HubReferral.objects.get(pk=referral.pk).status == ReferralStatus.DECIDED
    assert InformationRequest.objects.get(pk=request.pk).status == RequestStatus.WITHDRAWN
    decided = {e.organisation_id for e in published if e.event_type == events.REFERRAL_DECIDED}
    assert world.organisations["secondary"].pk in decided
    with pytest.raises(DomainError):
        actions.referral_decide(
            actor=hub, referral=referral, version=referral.version, decision="nfa", rationale="y"
        )


def test_an_unrated_referral_cannot_be_decided(world: Any) -> None:
    referral = helpers.referral(world)
    with pytest.raises(DomainError):
        actions.referral_decide(
            actor=actor_for(world, "hub"),
            referral=referral,
            version=referral.version,
            decision="nfa",
            rationale="y",
        )


def test_the_hub_shares_a_released_section_with_the_other_parties(world: Any) -> None:
    request = helpers.requested(world, kinds=(AgencyKind.POLICE, AgencyKind.HEALTH))
    police = InformationRequest.objects.get(
        referral=request.referral, agency_organisation=world.organisations["police"]
    )
    hub = actor_for(world, "hub")
    with pytest.raises(DomainError):
        request_actions.section_share(
            actor=hub, request=police, version=police.version, reason="Too soon."
        )
    request_actions.request_answer(
        actor=actor_for(world, "partner_with_share"),
        request=police,
        version=police.version,
        answer="Synthetic.",
    )
    health = actor_for(world, "partner_without")
    lead = actor_for(world, "lead")
    for actor in (health, lead):
        cap = selectors.capacity(actor, police.referral)
        assert police.pk not in {s.pk for s in selectors.sections_for(actor, police.referral, cap)}
    with pytest.raises(DomainError) as refused:
        request_actions.section_share(actor=hub, request=police, version=police.version, reason="")
    assert refused.value.field == "reason"
    with pytest.raises(NotPermitted):
        request_actions.section_share(
            actor=lead, request=police, version=police.version, reason="Mine."
        )
    request_actions.section_share(
        actor=hub, request=police, version=police.version, reason="For the strategy discussion."
    )
    for actor in (health, lead):
        cap = selectors.capacity(actor, police.referral)
        shown = selectors.sections_for(actor, police.referral, cap)
        police_row = next(s for s in shown if s.pk == police.pk)
        assert selectors.section_readable(actor, cap, police_row)
    other = actor_for(world, "primary_lead")
    with pytest.raises(Http404):
        selectors.access_referral(other, police.referral_id, selectors.Permission.HUB_VIEW)


def test_a_referral_sends_concerns_and_the_case_too(world: Any) -> None:
    from safecase.cases import actions as case_actions
    from safecase.cases.models import CaseType
    from tests.audit_kit import Kit

    helpers.hub(world)
    kit = Kit(world)
    concern = kit.concern()
    draft = kit.draft()
    case = case_actions.case_open(
        actor=actor_for(world, "lead"),
        case_type=CaseType.objects.get(organisation__isnull=True, code="allegation"),
        title="Synthetic case",
        reason="Synthetic.",
    )
    with pytest.raises(DomainError) as refused:
        actions.referral_make(
            actor=actor_for(world, "lead"),
            subject_name="Sam",
            summary="Synthetic.",
            disclosure=helpers.disclosure(),
            concern_ids=[draft.pk],
        )
    assert refused.value.field == "concerns"
    referral = actions.referral_make(
        actor=actor_for(world, "lead"),
        subject_name="Sam",
        summary="Synthetic.",
        disclosure=helpers.disclosure(),
        concern_ids=[concern.pk, concern.pk],
        case_id=case.pk,
    )
    kinds = sorted(ReferralItem.objects.filter(referral=referral).values_list("kind", flat=True))
    assert kinds == ["case", "concern"]
    hub = actor_for(world, "hub")
    assert ShareGrant.objects.filter(to_organisation=hub.organisation).count() == 2


def test_each_step_tells_the_people_it_waits_for(world: Any) -> None:
    def told(kind: str) -> set[Any]:
        return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))

    request = helpers.requested(world)
    users = world.users
    assert told(NotificationKind.HUB_REFERRAL_RECEIVED) == {
        users["hub"].pk,
        users["hub_manager"].pk,
    }
    assert told(NotificationKind.HUB_REQUEST_RECEIVED) == {
        users["partner_with_share"].pk,
        users["police_approver"].pk,
    }
    referral = request.referral
    actions.referral_decide(
        actor=actor_for(world, "hub"),
        referral=referral,
        version=referral.version,
        decision="nfa",
        rationale="Synthetic.",
    )
    assert told(NotificationKind.HUB_REFERRAL_DECIDED) == {users["lead"].pk, users["deputy"].pk}
    link = Notification.objects.filter(kind=NotificationKind.HUB_REFERRAL_DECIDED).first()
    assert link is not None and link.target_url == f"/hub/referrals/{referral.pk}/"
