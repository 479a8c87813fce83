"""Reading notifications: one's own, in the organisation one is acting in, cheaply counted."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import actor_for
from safecase.accounts.models import Membership
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from safecase.notifications import selectors
from safecase.notifications.models import Notification, NotificationKind
from safecase.notifications.tests.test_actions import also_member, send

pytestmark = pytest.mark.django_db


def test_it_shows_only_ones_own_notifications_in_the_current_organisation(
    world: DemoWorld,
) -> None:
    also_member(world, "lead", "outside")
    (mine,) = send(world, "lead")
    send(world, "deputy")
    send(world, "lead", org="outside")
    send(world, "other_org", org="outside")
    lead = actor_for(world, "lead")  # acting at Riverside (first by name of their two)
    assert lead.organisation == world.organisations["secondary"]
    assert list(selectors.notifications_visible_to(lead)) == [mine]
    at_westbrook = Actor(
        user=world.users["lead"],
        organisation=world.organisations["outside"],
        roles=frozenset({"reporter"}),
    )
    assert [n.organisation_id for n in selectors.notifications_visible_to(at_westbrook)] == [
        world.organisations["outside"].pk
    ]
    nobody = Actor(user=world.users["lead"], organisation=None)
    assert not selectors.notifications_visible_to(nobody).exists()
    assert not selectors.notifications_visible_to(Actor.system("test")).exists()


def test_a_deactivated_member_sees_none(world: DemoWorld) -> None:
    send(world, "lead")
    lead = actor_for(world, "lead")
    Membership.objects.filter(user=world.users["lead"]).update(is_active=False)
    world.users["lead"].is_active = False
    assert not selectors.notifications_visible_to(lead).exists()


def test_the_unread_count_is_one_bounded_query(
    world: DemoWorld, django_assert_num_queries: Any
) -> None:
    lead = actor_for(world, "lead")
    with django_assert_num_queries(1):
        assert selectors.unread_count(lead) == 0
    Notification.objects.bulk_create(
        Notification(
            recipient=world.users["lead"],
            organisation=world.organisations["secondary"],
            kind=NotificationKind.URGENT_CONCERN,
            target_url_name="concerns:queue",
            text="An urgent concern was recorded at 14:02; open Safecase to read it.",
        )
        for _ in range(130)
    )
    with django_assert_num_queries(1) as captured:
        assert selectors.unread_count(lead) == selectors.UNREAD_COUNT_LIMIT + 1
    assert "LIMIT" in captured.captured_queries[0]["sql"].upper()


def test_a_count_read_earlier_stands_only_until_a_notification_is_written(
    world: DemoWorld, django_assert_num_queries: Any
) -> None:
    """The header reuses the count read with the memberships, unless this process wrote a
    notification since (a page rendered by the request that sent or read one), or the count is
    for another organisation than the one the actor acts in."""
    lead = actor_for(world, "lead")
    known = selectors.KnownUnread(
        organisation_id=lead.organisation_id, count=0, writes=selectors.writes_so_far()
    )
    with django_assert_num_queries(0):
        assert selectors.unread_count(lead, known) == 0
    elsewhere = selectors.KnownUnread(
        organisation_id=world.organisations["outside"].pk, count=7, writes=known.writes
    )
    with django_assert_num_queries(1):
        assert selectors.unread_count(lead, elsewhere) == 0
    send(world, "lead")
    with django_assert_num_queries(1):
        assert selectors.unread_count(lead, known) == 1


def test_pages_are_newest_first_and_a_bad_cursor_starts_again(world: DemoWorld) -> None:
    for _ in range(7):
        send(world, "lead")
    lead = actor_for(world, "lead")
    first = selectors.notification_page(lead, unread_only=False, cursor=None, size=5)
    assert first.has_next and len(first.items) == 5
    second = selectors.notification_page(lead, unread_only=False, cursor=first.next_cursor, size=5)
    assert len(second.items) == 2 and not second.has_next
    everything = first.items + second.items
    assert [n.created_at for n in everything] == sorted(
        (n.created_at for n in everything), reverse=True
    )
    assert len({n.pk for n in everything}) == 7
    bad = selectors.notification_page(lead, unread_only=False, cursor="'; drop", size=5)
    assert bad.items == first.items
