"""Without a verified second factor, no authenticated endpoint answers (security bar A5)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import get_resolver

from safecase.demo.personas import DEMO_PASSWORD, DemoWorld
from tests.guard import iter_views

# Reachable before MFA by design: where one enrols or verifies, and signing out.
MFA_FLOW = {"mfa/enrol/", "mfa/verify/", "logout/"}


def _concrete(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(uuid.uuid4()), route)


@pytest.mark.django_db
def test_no_endpoint_is_reachable_before_mfa(world: DemoWorld) -> None:
    client = Client()
    lead = world.users["lead"]
    assert (
        client.post("/login/", {"email": lead.email, "password": DEMO_PASSWORD}).status_code == 302
    )
    reached = []
    checked = 0
    for route, view in iter_views(get_resolver().url_patterns):
        if getattr(view, "safecase_public", False) or route in MFA_FLOW:
            continue
        url = _concrete(route)
        for method in ("get", "post"):
            checked += 1
            response = getattr(client, method)(url)
            api = url.startswith("/api/")
            blocked = (
                response.status_code == 401
                if api
                else (response.status_code == 302 and response["Location"] == "/mfa/enrol/")
            )
            if not blocked:
                reached.append(f"{method.upper()} {url} -> {response.status_code}")
    assert checked > 30
    assert reached == []
