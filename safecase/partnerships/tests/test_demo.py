from __future__ import annotations

from typing import Any

from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.notifications.models import Notification, NotificationKind
from safecase.partnerships.choices import Decision, Rating, RequestStatus
from safecase.partnerships.demo import build_demo_hub
from safecase.partnerships.models import HubReferral


def test_the_demo_story_is_told_once(world: Any) -> None:
    referral = build_demo_hub(world)
    assert referral is not None
    assert build_demo_hub(world) == referral
    assert HubReferral.objects.count() == 1
    referral.refresh_from_db()
    assert referral.rating == Rating.RED
    assert referral.decision == Decision.STRATEGY_DISCUSSION
    by_org = {r.agency_organisation_id: r for r in referral.requests.all()}
    police = by_org[world.organisations["police"].pk]
    health = by_org[world.organisations["health"].pk]
    assert police.status == RequestStatus.RELEASED and not police.is_late_at(police.released_at)
    assert health.escalated_at is not None
    assert health.status == RequestStatus.WITHDRAWN
    late = Notification.objects.filter(kind=NotificationKind.HUB_REQUEST_LATE)
    assert set(late.values_list("recipient_id", flat=True)) == {
        world.users["partner_without"].pk,
        world.users["hub"].pk,
        world.users["hub_manager"].pk,
    }
    assert AuditEvent.objects.filter(action=AuditAction.HUB_REQUEST_ESCALATED).count() == 1
