"""The agencies' sections, escalation, the decision, sharing and notifications: what the
actions do and what they refuse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.http import Http404

from conftest import actor_for
from safecase.access.models import ShareGrant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core import events
from safecase.core.errors import DomainError, NotPermitted
from safecase.notifications.models import Notification, NotificationKind
from safecase.partnerships import actions, request_actions, selectors
from safecase.partnerships.choices import AgencyKind, ReferralStatus, RequestStatus
from safecase.partnerships.escalation import escalate_late_requests
from safecase.partnerships.models import (
    HubReferral,
    InformationRequest,
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
