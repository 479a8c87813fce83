"""The webhook pages as Riverside's administrator uses them: add an endpoint and see its secret
once, change it, rotate the secret, deactivate, ping, read the delivery log and send one again;
bad input answers with a clear message and saves nothing; the log page's queries stay bounded."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import DemoWorld, actor_for, client_for
from safecase.api.webhooks import actions, delivery
from safecase.api.webhooks.models import WebhookDelivery, WebhookEndpoint
from safecase.api.webhooks.tests.helpers import make_endpoint, publish_referral_created
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "https://hooks.riverside.example.org/safecase"


@pytest.fixture
def admin(world: DemoWorld) -> Client:
    return client_for(world.users["org_admin"])


def test_adding_an_endpoint_shows_its_secret_once(world: DemoWorld, admin: Client) -> None:
    response = admin.post(
        "/webhooks/new/",
        {"url": URL, "description": "Case system", "event_types": ["referral.created"]},
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    secret = delivery.endpoint_secret(endpoint)
    assert secret in response.content.decode()
    assert endpoint.event_types == ["referral.created"] and endpoint.created_by is not None
    page = admin.get(f"/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    assert secret not in page.content.decode() and "whsec_" not in page.content.decode()
    listing = admin.get("/webhooks/").content.decode()
    assert URL in listing and secret not in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "ftp://example.org/x"}, "Enter a valid URL"),
        ({"url": "http://hooks.example.org/"}, "must start with https://"),
        ({"url": "https://192.168.1.20/hook"}, "private, loopback or reserved"),
        ({"url": "https://localhost/hook"}, "this machine"),
        ({"url": "https://user:pw@example.org/"}, "user names and passwords"),
        ({"event_types": ["referral.exploded"]}, "Select a valid choice"),
        ({"event_types": []}, "Choose at least one event"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    admin: Client, data: dict[str, object], message: str
) -> None:
    posted = {"url": URL, "event_types": ["referral.created"], **data}
    response = admin.post("/webhooks/new/", posted)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.WEBHOOK_CREATED).exists()


def test_the_action_refuses_an_unknown_event_type(world: DemoWorld) -> None:
    from safecase.core.errors import DomainError

    with pytest.raises(DomainError, match=r"Unknown event type: referral\.exploded"):
        make_endpoint(world, URL, event_types=("referral.exploded",))
    assert WebhookEndpoint.objects.count() == 0


def test_changing_an_endpoint_and_a_stale_form(world: DemoWorld, admin: Client) -> None:
    endpoint, _ = make_endpoint(world, URL)
    form = {
        "url": URL + "/v2",
        "description": "New path",
        "event_types": ["referral.created", "referral.decided"],
        "is_active": "on",
        "version": str(endpoint.version),
    }
    assert admin.post(f"/webhooks/{endpoint.pk}/", form).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == URL + "/v2" and endpoint.version == 2
    assert endpoint.event_types == ["referral.created", "referral.decided"]
    event = AuditEvent.objects.filter(action=AuditAction.WEBHOOK_CHANGED).get()
    assert event.changes["url"] == [URL, URL + "/v2"]
    stale = admin.post(f"/webhooks/{endpoint.pk}/", {**form, "description": "Lost?"})
    assert stale.status_code == 409
    assert "Someone else changed this endpoint" in stale.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.description == "New path"


def test_unticking_active_deactivates_and_ticking_reactivates(
    world: DemoWorld, admin: Client
) -> None:
    endpoint, _ = make_endpoint(world, URL)
    form = {"url": URL, "event_types": ["referral.created"], "version": "1"}
    assert admin.post(f"/webhooks/{endpoint.pk}/", form).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.deactivated_at is not None
    form.update(version="2", is_active="on")
    assert admin.post(f"/webhooks/{endpoint.pk}/", form).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.deactivated_at is None


def test_rotating_shows_the_new_secret_once(world: DemoWorld, admin: Client) -> None:
    endpoint, old = make_endpoint(world, URL)
    response = admin.post(f"/webhooks/{endpoint.pk}/rotate-secret/", {"version": "1"})
    assert response.status_code == 200
    new = delivery.endpoint_secret(WebhookEndpoint.objects.get())
    assert new != old and new in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.WEBHOOK_SECRET_ROTATED)
    assert event.changes == {"secret": "[changed]"}


def test_deactivate_ping_and_redeliver_from_the_pages(world: DemoWorld, admin: Client) -> None:
    endpoint, _ = make_endpoint(world, URL)
    assert admin.post(f"/webhooks/{endpoint.pk}/ping/").status_code == 302
    ping = WebhookDelivery.objects.get()
    assert ping.event_type == "webhook.ping" and ping.requested_by == world.users["org_admin"]
    page = admin.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "webhook.ping" in page and str(ping.event_id) in page
    assert admin.post(f"/webhooks/deliveries/{ping.pk}/redeliver/").status_code == 302
    assert WebhookDelivery.objects.filter(event_id=ping.event_id).count() == 2
    assert admin.post(f"/webhooks/{endpoint.pk}/deactivate/", {"version": "1"}).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    refused = admin.post(f"/webhooks/{endpoint.pk}/ping/")
    assert refused.status_code == 422 and "Reactivate this endpoint" in refused.content.decode()
    again = admin.post(f"/webhooks/deliveries/{ping.pk}/redeliver/")
    assert again.status_code == 422
    assert WebhookDelivery.objects.count() == 2
    twice = admin.post(f"/webhooks/{endpoint.pk}/deactivate/", {"version": "2"})
    assert twice.status_code == 422 and "already deactivated" in twice.content.decode()


def test_a_missing_version_is_refused_without_a_500(world: DemoWorld, admin: Client) -> None:
    endpoint, _ = make_endpoint(world, URL)
    for path in ("rotate-secret/", "deactivate/"):
        assert admin.post(f"/webhooks/{endpoint.pk}/{path}", {"version": "x"}).status_code == 422
    bad = admin.post(f"/webhooks/{endpoint.pk}/", {"url": URL, "event_types": ["referral.created"]})
    assert bad.status_code == 422
    endpoint.refresh_from_db()
    assert endpoint.version == 1 and endpoint.is_active


def test_another_organisations_endpoint_is_404(world: DemoWorld) -> None:
    endpoint, _ = make_endpoint(world, URL)
    priya = client_for(world.users["primary_lead"])
    assert priya.get(f"/webhooks/{endpoint.pk}/").status_code == 404
    assert URL not in priya.get("/webhooks/").content.decode()
    assert priya.post(f"/webhooks/{endpoint.pk}/ping/").status_code == 404
    assert WebhookDelivery.objects.count() == 0


def test_the_delivery_log_pages_with_bounded_queries(
    world: DemoWorld, admin: Client, django_assert_max_num_queries: object
) -> None:
    endpoint, _ = make_endpoint(world, URL)
    for n in range(30):
        publish_referral_created(world.organisations["secondary"].pk, referral=f"r-{n}")
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        page = admin.get(f"/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("referral.created</code>") == 25 and "Older deliveries" in body
    cursor = page.context["log"].next_cursor
    older = admin.get(f"/webhooks/{endpoint.pk}/?after={cursor}")
    assert older.content.decode().count("referral.created</code>") == 5
    assert admin.get(f"/webhooks/{endpoint.pk}/?after=garbage").status_code == 200
    # The same bound with twice the deliveries: the page does not grow with the log.
    for n in range(30):
        publish_referral_created(world.organisations["secondary"].pk, referral=f"s-{n}")
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        assert admin.get(f"/webhooks/{endpoint.pk}/").status_code == 200
    actions.webhook_endpoint_ping(actor=actor_for(world, "org_admin"), endpoint=endpoint)
