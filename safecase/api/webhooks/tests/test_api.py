"""The webhook API as an integrator uses it: create (the secret once), read, change with
If-Match (stale 412, missing 428), rotate, ping, the delivery log in keyset pages, redeliver;
bad input is a 400 naming the field, and nothing is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import DemoWorld, client_for
from safecase.api.webhooks import delivery
from safecase.api.webhooks.models import WebhookDelivery, WebhookEndpoint
from safecase.api.webhooks.tests.helpers import make_endpoint, publish_referral_created

pytestmark = pytest.mark.django_db

URL = "https://hooks.riverside.example.org/safecase"
BASE = "/api/v1/webhooks/endpoints"


@pytest.fixture
def admin(world: DemoWorld) -> Client:
    return client_for(world.users["org_admin"])


def _send(client: Client, method: str, path: str, data: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        path,
        data=json.dumps(data) if data is not None else "",
        content_type="application/json",
        headers=headers,
    )


def test_create_read_change_and_deactivate(admin: Client) -> None:
    created = _send(admin, "POST", BASE, {"url": URL, "event_types": ["referral.decided"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and created["ETag"] == '"1"'
    endpoint = WebhookEndpoint.objects.get()
    assert delivery.endpoint_secret(endpoint) == body["secret"]
    assert created["Location"] == f"{BASE}/{endpoint.pk}"
    read = admin.get(f"{BASE}/{endpoint.pk}")
    assert read.status_code == 200 and "secret" not in read.json()
    assert "whsec_" not in admin.get(BASE).content.decode()
    changed = _send(
        admin, "PATCH", f"{BASE}/{endpoint.pk}", {"description": "CMS"}, **{"If-Match": '"1"'}
    )
    assert changed.status_code == 200 and changed.json()["description"] == "CMS"
    assert changed["ETag"] == '"2"'
    stale = _send(
        admin, "PATCH", f"{BASE}/{endpoint.pk}", {"description": "Lost"}, **{"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert _send(admin, "PATCH", f"{BASE}/{endpoint.pk}", {"description": "x"}).status_code == 428
    gone = _send(admin, "DELETE", f"{BASE}/{endpoint.pk}", **{"If-Match": '"2"'})
    assert gone.status_code == 200 and gone.json()["is_active"] is False
    endpoint.refresh_from_db()
    assert endpoint.description == "CMS" and not endpoint.is_active


def test_rotate_answers_the_new_secret_once(world: DemoWorld, admin: Client) -> None:
    endpoint, old = make_endpoint(world, URL)
    rotated = _send(admin, "POST", f"{BASE}/{endpoint.pk}/rotate-secret", **{"If-Match": '"1"'})
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old and delivery.endpoint_secret(WebhookEndpoint.objects.get()) == new
    again = _send(admin, "POST", f"{BASE}/{endpoint.pk}/rotate-secret", **{"If-Match": '"1"'})
    assert again.status_code == 412


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "https://10.1.2.3/x", "event_types": ["referral.created"]}, "url"),
        ({"url": "http://example.org/x", "event_types": ["referral.created"]}, "url"),
        ({"url": URL, "event_types": ["referral.exploded"]}, "event_types"),
        ({"url": URL, "event_types": []}, "event_types"),
        ({"url": URL}, "event_types"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    admin: Client, data: dict[str, Any], field: str
) -> None:
    response = _send(admin, "POST", BASE, data)
    assert response.status_code == 400
    assert field in response.json()
    assert WebhookEndpoint.objects.count() == 0


def test_a_bad_change_is_refused_and_nothing_changes(world: DemoWorld, admin: Client) -> None:
    endpoint, _ = make_endpoint(world, URL)
    path = f"{BASE}/{endpoint.pk}"
    bad = _send(admin, "PATCH", path, {"url": "https://[::1]/"}, **{"If-Match": '"1"'})
    assert bad.status_code == 400 and "url" in bad.json()
    empty = _send(admin, "PATCH", path, {}, **{"If-Match": '"1"'})
    assert empty.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == URL and endpoint.version == 1


def test_ping_log_and_redeliver(world: DemoWorld, admin: Client) -> None:
    endpoint, _ = make_endpoint(world, URL)
    ping = _send(admin, "POST", f"{BASE}/{endpoint.pk}/ping")
    assert ping.status_code == 201 and ping.json()["event_type"] == "webhook.ping"
    for n in range(3):
        publish_referral_created(world.organisations["secondary"].pk, referral=f"r-{n}")
    first = admin.get(f"{BASE}/{endpoint.pk}/deliveries?page_size=2")
    assert first.status_code == 200
    page = first.json()
    assert len(page["results"]) == 2 and page["next"]
    rest = admin.get(page["next"]).json()
    assert len(rest["results"]) == 2 and rest["next"] is None
    ids = [r["id"] for r in page["results"] + rest["results"]]
    assert len(set(ids)) == 4
    # A cursor that is not one of ours starts from the first page (never a 500).
    assert admin.get(f"{BASE}/{endpoint.pk}/deliveries?cursor=garbage").status_code == 200
    ping_id = ping.json()["id"]
    again = _send(admin, "POST", f"/api/v1/webhooks/deliveries/{ping_id}/redeliver")
    assert again.status_code == 201
    assert again.json()["event_id"] == ping.json()["event_id"]
    assert again.json()["redelivery_of"] == ping_id
    assert WebhookDelivery.objects.count() == 5


def test_another_organisation_sees_nothing(world: DemoWorld) -> None:
    endpoint, _ = make_endpoint(world, URL)
    publish_referral_created(world.organisations["secondary"].pk)
    sent = WebhookDelivery.objects.get()
    priya = client_for(world.users["primary_lead"])
    assert priya.get(BASE).json()["results"] == []
    assert priya.get(f"{BASE}/{endpoint.pk}").status_code == 404
    assert priya.get(f"{BASE}/{endpoint.pk}/deliveries").status_code == 404
    redeliver = _send(priya, "POST", f"/api/v1/webhooks/deliveries/{sent.pk}/redeliver")
    assert redeliver.status_code == 404
    assert WebhookDelivery.objects.count() == 1


def test_a_deactivated_endpoint_cannot_be_pinged(world: DemoWorld, admin: Client) -> None:
    endpoint, _ = make_endpoint(world, URL)
    assert _send(admin, "DELETE", f"{BASE}/{endpoint.pk}", **{"If-Match": '"1"'}).status_code == 200
    ping = _send(admin, "POST", f"{BASE}/{endpoint.pk}/ping")
    assert ping.status_code == 400 and "Reactivate" in ping.json()["detail"]
    again = _send(admin, "DELETE", f"{BASE}/{endpoint.pk}", **{"If-Match": '"2"'})
    assert again.status_code == 400 and "already deactivated" in again.json()["detail"]
    assert WebhookDelivery.objects.count() == 0
