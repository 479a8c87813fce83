"""The notifications page, marking read through the browser, and the header's count."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.demo.personas import DemoWorld
from safecase.notifications.models import Notification, NotificationKind
from safecase.notifications.selectors import PAGE_SIZE
from safecase.notifications.tests.test_actions import also_member, send

pytestmark = pytest.mark.django_db


def _denials() -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()


def test_the_list_shows_ones_notifications_newest_first_with_links(world: DemoWorld) -> None:
    send(world, "lead", kind=NotificationKind.PATTERN_ALERT)
    (urgent,) = send(world, "lead")
    send(world, "deputy", kind=NotificationKind.ACTION_ASSIGNED)
    response = client_for(world.users["lead"]).get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Urgent concern") < html.index("Pattern alert")
    assert f'href="/concerns/{urgent.target_id}/"' in html
    assert 'href="/concerns/queue/"' in html
    assert "Action set for you" not in html  # the deputy's
    assert "<script>" not in html and "style=" not in html


def test_unread_only_and_pages_of_older_ones(world: DemoWorld) -> None:
    for _ in range(PAGE_SIZE + 3):
        send(world, "lead")
    client = client_for(world.users["lead"])
    first = client.get("/notifications/")
    page = first.context["page"]
    assert len(page.items) == PAGE_SIZE and page.has_next
    assert b'rel="next"' in first.content
    older = client.get("/notifications/", {"after": page.next_cursor})
    assert len(older.context["page"].items) == 3
    assert client.get("/notifications/", {"after": "not-a-cursor"}).status_code == 200
    Notification.objects.filter(recipient=world.users["lead"]).exclude(pk=page.items[0].pk).update(
        read_at=page.items[0].created_at
    )
    unread = client.get("/notifications/", {"show": "unread"})
    assert [n.pk for n in unread.context["page"].items] == [page.items[0].pk]
    assert b"Mark all as read" in unread.content


def test_marking_one_read_by_post_and_twice_is_harmless(world: DemoWorld) -> None:
    (notification,) = send(world, "lead")
    client = client_for(world.users["lead"])
    url = f"/notifications/{notification.pk}/read/"
    assert client.get(url).status_code == 405
    response = client.post(url, {"show": "unread"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?show=unread"
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_READ).count() == 1
    assert b"Mark all as read" not in client.get("/notifications/").content


def test_unknown_and_other_peoples_notifications_answer_404(world: DemoWorld) -> None:
    also_member(world, "lead", "outside")
    (deputys,) = send(world, "deputy")
    (leads_elsewhere,) = send(world, "lead", org="outside")
    client = client_for(world.users["lead"])
    before = _denials()
    assert client.post(f"/notifications/{uuid.uuid4()}/read/").status_code == 404
    assert _denials() == before  # nothing there: nothing to record
    assert client.post("/notifications/not-a-uuid/read/").status_code == 404
    for notification in (deputys, leads_elsewhere):
        assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
    assert _denials() == before + 2
    assert Notification.objects.filter(read_at__isnull=False).count() == 0
    # Marking all read while acting at Riverside leaves Westbrook's unread.
    assert client.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.get(pk=leads_elsewhere.pk).read_at is None


def test_marking_read_needs_the_csrf_token(world: DemoWorld) -> None:
    (notification,) = send(world, "lead")
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client_for(world.users["lead"]).cookies
    assert strict.post(f"/notifications/{notification.pk}/read/").status_code == 403
    assert strict.post("/notifications/read-all/").status_code == 403
    assert Notification.objects.get(pk=notification.pk).read_at is None
    page = strict.get("/notifications/")
    assert b'name="csrfmiddlewaretoken"' in page.content


def test_mark_all_read_keeps_what_arrived_after_the_page_was_shown(world: DemoWorld) -> None:
    send(world, "lead")
    client = client_for(world.users["lead"])
    shown_at = client.get("/notifications/").context["shown_at"]
    (later,) = send(world, "lead")
    response = client.post("/notifications/read-all/", {"shown_at": shown_at})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert list(Notification.objects.filter(read_at__isnull=True)) == [later]
    client.post("/notifications/read-all/", {"shown_at": "yesterday-ish"})
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def _notification_queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    touching = [q for q in captured.captured_queries if "notifications_notification" in q["sql"]]
    # The first is the member's memberships, which carry the header's count: no query of its own.
    assert touching and 'FROM "accounts_membership"' in touching[0]["sql"], url
    return len(touching), response.content.decode()


def test_the_header_counts_unread_with_the_memberships_on_every_page(world: DemoWorld) -> None:
    client = client_for(world.users["lead"])
    client.get("/")
    count, html = _notification_queries(client, "/")
    assert count == 1
    assert "Notifications (0" in html and 'href="/notifications/"' in html
    for _ in range(3):
        send(world, "lead")
    send(world, "deputy")
    for url in ("/", "/concerns/queue/", "/account/"):
        count, html = _notification_queries(client, url)
        assert count == 1, url
        assert 'Notifications (3<span class="govuk-visually-hidden"> unread</span>)' in html
    Notification.objects.bulk_create(
        Notification(
            recipient=world.users["lead"],
            organisation=world.organisations["secondary"],
            kind=NotificationKind.URGENT_CONCERN,
            target_url_name="concerns:queue",
            text="x",
        )
        for _ in range(150)
    )
    count, html = _notification_queries(client, "/")
    assert count == 1 and "Notifications (99+" in html
    # The notifications page itself reuses the header's count for its "Mark all" button.
    count, _ = _notification_queries(client, "/notifications/")
    assert count == 2  # the memberships with the count, and the page of notifications


def test_the_header_count_costs_the_same_whatever_the_number(
    world: DemoWorld, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.users["deputy"])
    client.get("/")
    with django_assert_max_num_queries(20) as few:
        client.get("/")
    for _ in range(40):
        send(world, "deputy")
    with django_assert_max_num_queries(20) as many:
        client.get("/")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_signed_out_pages_show_no_count(world: DemoWorld) -> None:
    html = Client().get("/login/").content.decode()
    assert "Notifications (" not in html


def test_tampered_cursors_and_times_start_again_instead_of_failing(world: DemoWorld) -> None:
    """A cursor or a time that parses but cannot be a value of its column (a wrong type, year
    one in a zone east of UTC) starts from the beginning; nothing fails with a 500."""
    from safecase.core.pagination import _encode

    (mine,) = send(world, "lead")
    client = client_for(world.users["lead"])
    for cursor in (
        _encode(["not-a-time", "not-a-uuid"]),
        _encode(["0001-01-01T00:00:00+01:00", uuid.uuid4()]),
    ):
        response = client.get("/notifications/", {"after": cursor})
        assert response.status_code == 200
        assert [n.pk for n in response.context["page"].items] == [mine.pk]
    response = client.post("/notifications/read-all/", {"shown_at": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 302
    # An unreadable time is no time: everything is marked read, as for "yesterday-ish" above.
    assert not Notification.objects.filter(read_at__isnull=True).exists()
