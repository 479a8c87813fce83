"""The hub's permission matrix: every page and endpoint for every persona, with the hub's own
personas (hub staff, the hub manager, the police approver). An organisation outside the
partnership (other_org) and a member not involved in the referral (primary_lead) get 404 for
every referral and request; a role without the permission gets 403; every refusal is audited."""

from __future__ import annotations

from typing import Any

import pytest

from safecase.partnerships.demo import build_demo_hub
from safecase.partnerships.models import HubReferral, InformationRequest
from tests.matrix import PERSONAS, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

HUB_PERSONAS = (*PERSONAS, "hub", "hub_manager", "police_approver")

STAFF = {"hub": 200, "hub_manager": 200}
REFERRERS = {"lead": 200, "deputy": 200, "primary_lead": 200, "other_org": 404}
ANSWERERS = {
    "lead": 200,
    "deputy": 200,
    "partner_with_share": 200,
    "partner_without": 200,
    "police_approver": 200,
    "primary_lead": 200,
    "other_org": 404,
}
# Who takes part in the demo referral: the hub, the referring school, police and health.
PARTIES = {
    **STAFF,
    "lead": 200,
    "deputy": 200,
    "partner_with_share": 200,
    "partner_without": 200,
    "police_approver": 200,
    "primary_lead": 404,
    "other_org": 404,
}
POLICE = {
    "partner_with_share": 200,
    "police_approver": 200,
    "lead": 404,
    "deputy": 404,
    "partner_without": 404,
    "primary_lead": 404,
    "other_org": 404,
}


def _referral(world: Any) -> str:
    return str(HubReferral.objects.get(subject_name="Jordan Demo-Hubchild").pk)


def _police(world: Any) -> str:
    return str(InformationRequest.objects.get(agency_organisation=world.organisations["police"]).pk)


PAGES = [
    Endpoint("queue", "GET", lambda w: "/hub/", 403, STAFF),
    Endpoint("decided", "GET", lambda w: "/hub/decided/", 403, STAFF),
    Endpoint("enter", "GET", lambda w: "/hub/new/", 403, STAFF),
    Endpoint("enter (post)", "POST", lambda w: "/hub/new/", 403, {"hub": 422, "hub_manager": 422}),
    Endpoint("refer", "GET", lambda w: "/hub/refer/", 403, REFERRERS),
    Endpoint(
        "refer (post)",
        "POST",
        lambda w: "/hub/refer/",
        403,
        {"lead": 422, "deputy": 422, "primary_lead": 422, "other_org": 404},
    ),
    Endpoint("our referrals", "GET", lambda w: "/hub/our-referrals/", 403, REFERRERS),
    Endpoint("referral", "GET", lambda w: f"/hub/referrals/{_referral(w)}/", 403, PARTIES),
    Endpoint("rate", "GET", lambda w: f"/hub/referrals/{_referral(w)}/rate/", 403, STAFF),
    Endpoint(
        "rate (post)",
        "POST",
        lambda w: f"/hub/referrals/{_referral(w)}/rate/",
        403,
        {"hub": 422, "hub_manager": 422},
    ),
    Endpoint("request", "GET", lambda w: f"/hub/referrals/{_referral(w)}/request/", 403, STAFF),
    Endpoint("decide", "GET", lambda w: f"/hub/referrals/{_referral(w)}/decide/", 403, STAFF),
    Endpoint(
        "audit", "GET", lambda w: f"/hub/referrals/{_referral(w)}/audit/", 403, {"hub_manager": 200}
    ),
    Endpoint("our requests", "GET", lambda w: "/hub/requests/", 403, ANSWERERS),
    Endpoint("answer", "GET", lambda w: f"/hub/requests/{_police(w)}/", 403, POLICE),
    Endpoint(
        "answer (post)",
        "POST",
        lambda w: f"/hub/requests/{_police(w)}/",
        403,
        {**POLICE, "partner_with_share": 422, "police_approver": 422},
    ),
    Endpoint(
        "release",
        "POST",
        lambda w: f"/hub/requests/{_police(w)}/release/",
        403,
        {"police_approver": 302, "lead": 404, "primary_lead": 404, "other_org": 404},
    ),
    Endpoint(
        "add file",
        "POST",
        lambda w: f"/hub/requests/{_police(w)}/files/",
        403,
        {**POLICE, "partner_with_share": 302, "police_approver": 302},
    ),
    Endpoint(
        "notification link",
        "GET",
        lambda w: f"/hub/requests/{_police(w)}/go/",
        403,
        {k: (302 if v == 200 else v) for k, v in PARTIES.items()},
    ),
    Endpoint(
        "share section",
        "POST",
        lambda w: f"/hub/requests/{_police(w)}/share/",
        403,
        {"hub": 302, "hub_manager": 302},
    ),
    Endpoint("settings", "GET", lambda w: "/hub/settings/", 403, {"hub_manager": 200}),
    Endpoint("settings (post)", "POST", lambda w: "/hub/settings/", 403, {"hub_manager": 422}),
    Endpoint("add agency", "POST", lambda w: "/hub/settings/agencies/", 403, {"hub_manager": 302}),
    Endpoint("timeliness", "GET", lambda w: "/hub/timeliness/", 403, {"hub_manager": 200}),
]

HUB_VIEWERS = {
    **dict.fromkeys(PARTIES, 200),
    "primary_lead": 200,
    "other_org": 200,
}  # lists: what each may see (empty for those not involved)
API = [
    Endpoint("api referrals", "GET", lambda w: "/api/v1/hub/referrals", 403, HUB_VIEWERS, api=True),
    Endpoint(
        "api refer",
        "POST",
        lambda w: "/api/v1/hub/referrals",
        403,
        {"lead": 400, "deputy": 400, "primary_lead": 400, "other_org": 400},
        api=True,
    ),
    Endpoint(
        "api intake",
        "POST",
        lambda w: "/api/v1/hub/intake",
        403,
        {"hub": 400, "hub_manager": 400},
        api=True,
    ),
    Endpoint("api agencies", "GET", lambda w: "/api/v1/hub/agencies", 403, STAFF, api=True),
    Endpoint(
        "api referral",
        "GET",
        lambda w: f"/api/v1/hub/referrals/{_referral(w)}",
        403,
        PARTIES,
        api=True,
    ),
    Endpoint(
        "api rating",
        "POST",
        lambda w: f"/api/v1/hub/referrals/{_referral(w)}/rating",
        403,
        {"hub": 428, "hub_manager": 428},
        api=True,
    ),
    Endpoint(
        "api decision",
        "POST",
        lambda w: f"/api/v1/hub/referrals/{_referral(w)}/decision",
        403,
        {"hub": 428, "hub_manager": 428},
        api=True,
    ),
    Endpoint(
        "api requests",
        "POST",
        lambda w: f"/api/v1/hub/referrals/{_referral(w)}/requests",
        403,
        {"hub": 400, "hub_manager": 400},
        api=True,
    ),
    Endpoint(
        "api share section",
        "POST",
        lambda w: f"/api/v1/hub/sections/{_police(w)}/share",
        403,
        {"hub": 428, "hub_manager": 428},
        api=True,
    ),
    Endpoint(
        "api our requests",
        "GET",
        lambda w: "/api/v1/hub/requests",
        403,
        {**ANSWERERS, "other_org": 200},
        api=True,
    ),
    Endpoint(
        "api request", "GET", lambda w: f"/api/v1/hub/requests/{_police(w)}", 403, POLICE, api=True
    ),
    Endpoint(
        "api answer",
        "POST",
        lambda w: f"/api/v1/hub/requests/{_police(w)}/answer",
        403,
        {**POLICE, "partner_with_share": 428, "police_approver": 428},
        api=True,
    ),
    Endpoint(
        "api release",
        "POST",
        lambda w: f"/api/v1/hub/requests/{_police(w)}/release",
        403,
        {"police_approver": 428, "lead": 404, "primary_lead": 404, "other_org": 404},
        api=True,
    ),
]


def test_hub_pages_matrix(world: Any) -> None:
    build_demo_hub(world)
    assert run_matrix(world, PAGES, personas=HUB_PERSONAS) == []


def test_hub_api_matrix(world: Any) -> None:
    build_demo_hub(world)
    assert run_matrix(world, API, personas=HUB_PERSONAS) == []
