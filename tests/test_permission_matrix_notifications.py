"""The permission matrix for /notifications/ (security bar Z2, Z5, Z7).

Every member may open their own notifications (notification.view_own); a notification is only
ever its recipient's, and only while they act in its organisation: anyone else, and the
recipient acting in another organisation, gets 404 (recorded as a denial).
"""

from __future__ import annotations

import pytest

from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from safecase.notifications.actions import notify
from safecase.notifications.models import Notification, NotificationKind
from tests.matrix import Endpoint, run_matrix

pytestmark = pytest.mark.django_db

EVERYONE = 200


def _leads(world: DemoWorld, org: str) -> str:
    notification = Notification.objects.get(
        recipient=world.users["lead"], organisation=world.organisations[org]
    )
    return f"/notifications/{notification.pk}/read/"


ENDPOINTS = [
    Endpoint("notifications", "GET", lambda w: "/notifications/", EVERYONE),
    Endpoint("unread notifications", "GET", lambda w: "/notifications/?show=unread", EVERYONE),
    Endpoint(
        "notifications after a bad cursor", "GET", lambda w: "/notifications/?after=%27x", EVERYONE
    ),
    Endpoint(
        "mark the lead's Riverside notification read",
        "POST",
        lambda w: _leads(w, "secondary"),
        404,
        {"lead": 302},
    ),
    # The lead belongs to Westbrook too, but acts at Riverside (first by name): 404 even to them.
    Endpoint(
        "mark the lead's Westbrook notification read while at Riverside",
        "POST",
        lambda w: _leads(w, "outside"),
        404,
    ),
    Endpoint("mark all read", "POST", lambda w: "/notifications/read-all/", 302),
]


def test_permission_matrix_holds_for_notifications(world: DemoWorld) -> None:
    membership = Membership.objects.create(
        user=world.users["lead"], organisation=world.organisations["outside"]
    )
    MembershipRole.objects.create(membership=membership, role=Role.REPORTER)
    for org in ("secondary", "outside"):
        organisation = world.organisations[org]
        notify(
            actor=Actor.system("matrix", organisation=organisation),
            organisation_id=organisation.pk,
            recipients=[world.users["lead"]],
            kind=NotificationKind.URGENT_CONCERN,
            target_id=organisation.pk,
        )
    assert run_matrix(world, ENDPOINTS) == []
    westbrook = Notification.objects.get(organisation=world.organisations["outside"])
    assert westbrook.read_at is None
