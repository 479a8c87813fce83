"""The permission matrix for the known-to pages and API, with the MASH personas.

Practitioners who may ask (leads, deputies, agency practitioners and approvers, hub staff,
Westbrook's lead, whose check simply reaches nobody) get the pages; the reporter, the case
worker, the supervisor, the auditor and the administrator get 403. A check's answer is its
asker's alone: 404 to everyone else who may ask. The contact page is the lead's or the
administrator's. POSTs carry bad input or a stale version, so every persona meets the same state.
"""

from __future__ import annotations

import pytest

from conftest import DemoWorld, actor_for
from safecase.partnerships.knownto import actions
from safecase.partnerships.knownto.models import KnownToCheck
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

PERSONAS = (*PERSONAS_WITH_SUPERVISOR, "hub", "hub_manager", "police_approver")
ASKERS = (
    "lead",
    "deputy",
    "partner_with_share",
    "partner_without",
    "other_org",
    "primary_lead",
    "hub",
    "hub_manager",
    "police_approver",
)
SETTERS = ("lead", "org_admin", "other_org", "primary_lead")
BAD_NHS = {"nhs": "943 476 5918", "purpose": "Screening a referral (synthetic)."}


def _mine(w: DemoWorld) -> str:
    return str(KnownToCheck.objects.get(asked_by=w.users["lead"]).pk)


def _only_the_asker(status: int) -> dict[str, int]:
    return {**dict.fromkeys(ASKERS, 404), "lead": status}


ENDPOINTS = [
    Endpoint("ask (form)", "GET", lambda w: "/known-to/", 403, dict.fromkeys(ASKERS, 200)),
    Endpoint(
        "ask with a malformed NHS number",
        "POST",
        lambda w: "/known-to/",
        403,
        dict.fromkeys(ASKERS, 422),
        data=BAD_NHS,
    ),
    Endpoint(
        "the lead's answer",
        "GET",
        lambda w: f"/known-to/checks/{_mine(w)}/",
        403,
        _only_the_asker(200),
    ),
    Endpoint(
        "contact (form)", "GET", lambda w: "/known-to/contact/", 403, dict.fromkeys(SETTERS, 200)
    ),
    Endpoint(
        "contact with a stale version",
        "POST",
        lambda w: "/known-to/contact/",
        403,
        dict.fromkeys(SETTERS, 409),
        data={"version": 7, "role": "DSL", "mailbox": "dsl@demo.safecase.invalid"},
    ),
    Endpoint(
        "API: ask with a malformed NHS number",
        "POST",
        lambda w: "/api/v1/known-to/checks",
        403,
        dict.fromkeys(ASKERS, 400),
        data={
            "purpose": "Screening (synthetic).",
            "identifiers": [{"scheme": "nhs", "value": "1"}],
        },
        api=True,
    ),
    Endpoint(
        "API: the lead's answer",
        "GET",
        lambda w: f"/api/v1/known-to/checks/{_mine(w)}",
        403,
        _only_the_asker(200),
        api=True,
    ),
]


def test_permission_matrix(world: DemoWorld) -> None:
    actions.known_to_check(
        actor=actor_for(world, "lead"),
        purpose="Screening a referral (synthetic).",
        identifiers=[("nhs", "9434765919")],
    )
    assert run_matrix(world, ENDPOINTS, personas=PERSONAS) == []
    # Nothing the matrix sent was recorded as a check.
    assert KnownToCheck.objects.count() == 1
