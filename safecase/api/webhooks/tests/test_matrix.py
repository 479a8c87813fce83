"""The permission matrix for the webhook pages and API: Riverside's administrator manages
Riverside's endpoints; Priya (administrator of Oakfield Primary) manages her own and gets 404
for Riverside's; every other persona, hub and agency staff included, is refused (403). POSTs
carry stale versions or bad input where they change something, so every persona meets the same
state."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import DemoWorld
from safecase.api.webhooks.models import WebhookDelivery, WebhookEndpoint
from safecase.api.webhooks.tests.helpers import make_endpoint
from tests.matrix import PERSONAS, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

PERSONAS_HERE = (*PERSONAS, "hub", "hub_manager", "police_approver")
URL = "https://hooks.riverside.example.org/safecase"
STALE = {"version": "999"}
ADMINS = {"org_admin": 200, "primary_lead": 200}
Url = Callable[[DemoWorld], str]


def _endpoint(w: DemoWorld) -> WebhookEndpoint:
    return WebhookEndpoint.objects.get(organisation=w.organisations["secondary"], url=URL)


def _page(suffix: str = "") -> Url:
    return lambda w: f"/webhooks/{_endpoint(w).pk}/{suffix}"


def _redeliver_page(w: DemoWorld) -> str:
    delivery = WebhookDelivery.objects.filter(endpoint=_endpoint(w)).earliest("created_at")
    return f"/webhooks/deliveries/{delivery.pk}/redeliver/"


def _api(suffix: str = "") -> Url:
    return lambda w: f"/api/v1/webhooks/endpoints/{_endpoint(w).pk}{suffix}"


def _redeliver_api(w: DemoWorld) -> str:
    delivery = WebhookDelivery.objects.filter(endpoint=_endpoint(w)).earliest("created_at")
    return f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver"


def _own(status: int) -> dict[str, int]:
    return {"org_admin": status, "primary_lead": 404}


BAD = {"url": "ftp://nowhere", "event_types": ["referral.created"]}

ENDPOINTS = [
    Endpoint("webhook list", "GET", lambda w: "/webhooks/", 403, ADMINS),
    Endpoint("add endpoint (form)", "GET", lambda w: "/webhooks/new/", 403, ADMINS),
    Endpoint(
        "add endpoint with a bad URL",
        "POST",
        lambda w: "/webhooks/new/",
        403,
        {"org_admin": 422, "primary_lead": 422},
        BAD,
    ),
    Endpoint("endpoint page", "GET", _page(), 403, _own(200)),
    Endpoint(
        "save endpoint, stale",
        "POST",
        _page(),
        403,
        _own(409),
        {**BAD, "url": URL, **STALE},
    ),
    Endpoint("rotate secret, stale", "POST", _page("rotate-secret/"), 403, _own(409), STALE),
    Endpoint("deactivate, stale", "POST", _page("deactivate/"), 403, _own(409), STALE),
    Endpoint("send a test event", "POST", _page("ping/"), 403, _own(302)),
    Endpoint("send a delivery again", "POST", _redeliver_page, 403, _own(302)),
    # The API
    Endpoint("API endpoints", "GET", lambda w: "/api/v1/webhooks/endpoints", 403, ADMINS, api=True),
    Endpoint(
        "API add endpoint, bad URL",
        "POST",
        lambda w: "/api/v1/webhooks/endpoints",
        403,
        {"org_admin": 400, "primary_lead": 400},
        BAD,
        api=True,
    ),
    Endpoint("API endpoint", "GET", _api(), 403, _own(200), api=True),
    Endpoint(
        "API change, no If-Match", "PATCH", _api(), 403, _own(428), {"description": "x"}, True
    ),
    Endpoint("API deactivate, no If-Match", "DELETE", _api(), 403, _own(428), api=True),
    Endpoint("API rotate, no If-Match", "POST", _api("/rotate-secret"), 403, _own(428), api=True),
    Endpoint("API ping", "POST", _api("/ping"), 403, _own(201), api=True),
    Endpoint("API delivery log", "GET", _api("/deliveries"), 403, _own(200), api=True),
    Endpoint("API redeliver", "POST", _redeliver_api, 403, _own(201), api=True),
]


def test_webhook_permission_matrix(world: DemoWorld) -> None:
    endpoint, _ = make_endpoint(world, URL)
    from conftest import actor_for
    from safecase.api.webhooks import actions

    actions.webhook_endpoint_ping(actor=actor_for(world, "org_admin"), endpoint=endpoint)
    before = WebhookEndpoint.objects.count()
    assert run_matrix(world, ENDPOINTS, personas=PERSONAS_HERE) == []
    assert WebhookEndpoint.objects.count() == before  # the bad input saved nothing
    assert _endpoint(world).version == endpoint.version  # nothing stale was applied
