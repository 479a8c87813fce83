"""A reusable permission-matrix helper: every endpoint × every persona → expected status.

Later issues add rows (Endpoint) for their own endpoints; the personas are the demo's. Any
persona not listed in ``expect`` must get ``default``; anonymous web requests must be sent to
sign in, anonymous API requests refused with 401.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from conftest import mark_otp_verified
from safecase.accounts.models import User
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld

PERSONAS = (
    "reporter",
    "lead",
    "deputy",
    "case_worker",
    "partner_with_share",
    "partner_without",
    "org_admin",
    "auditor",
    "other_org",
    "primary_lead",
)

# The case parts (risk approvals, supervision) also need the supervisor; the older matrices
# predate that persona and keep the list above.
PERSONAS_WITH_SUPERVISOR = (*PERSONAS, "supervisor")


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[DemoWorld], str]
    default: int
    expect: dict[str, int] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    api: bool = False

    def expected_for(self, persona: str) -> int:
        return self.expect.get(persona, self.default)


def signed_in_client(user: User) -> Client:
    client = Client()
    response = client.post("/login/", {"email": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    mark_otp_verified(client, user)
    return client


def call(client: Client, endpoint: Endpoint, world: DemoWorld) -> int:
    url = endpoint.url(world)
    if endpoint.method == "GET":
        return client.get(url).status_code
    if endpoint.api:
        return client.generic(
            endpoint.method,
            url,
            data=json.dumps(endpoint.data),
            content_type="application/json",
        ).status_code
    return client.post(url, endpoint.data).status_code


def _denials() -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()


def run_matrix(
    world: DemoWorld, endpoints: list[Endpoint], personas: tuple[str, ...] = PERSONAS
) -> list[str]:
    """Every mismatch as a readable line; an empty list means the matrix holds."""
    mismatches = []
    clients = {p: signed_in_client(world.users[p]) for p in personas}
    anonymous = Client()
    for endpoint in endpoints:
        for persona in personas:
            denials_before = _denials()
            got = call(clients[persona], endpoint, world)
            want = endpoint.expected_for(persona)
            if got != want:
                mismatches.append(f"{endpoint.name} as {persona}: expected {want}, got {got}")
            # Every refusal leaves exactly one audit event; an allowed request leaves none (Z8).
            logged = _denials() - denials_before
            if logged != (1 if got in (403, 404) else 0):
                mismatches.append(f"{endpoint.name} as {persona}: {logged} denial events for {got}")
        got = call(anonymous, endpoint, world)
        want = 401 if endpoint.api else 302
        if got != want:
            mismatches.append(f"{endpoint.name} as anonymous: expected {want}, got {got}")
    return mismatches
