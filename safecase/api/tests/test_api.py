"""The REST API: token authentication, organisation scope, validation, paging, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import mark_otp_verified
from safecase.access.roles import Role
from safecase.accounts import auth_actions
from safecase.accounts.models import ApiToken, Membership, MembershipRole
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld

pytestmark = pytest.mark.django_db


def _token_for(
    world: DemoWorld, persona: str, days: int = 30, with_mfa: bool = True
) -> tuple[ApiToken, str]:
    user = world.users[persona]
    membership = Membership.objects.get(user=user)
    actor = Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )
    return auth_actions.api_token_create(
        actor=actor, name="integration", days=days, with_mfa=with_mfa
    )


def _session(world: DemoWorld, persona: str) -> Client:
    client = Client()
    user = world.users[persona]
    client.post("/login/", {"email": user.email, "password": DEMO_PASSWORD})
    mark_otp_verified(client, user)
    return client


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_acts_in_its_organisation_with_current_roles(world: DemoWorld) -> None:
    _, secret = _token_for(world, "org_admin")
    client = Client()
    me = client.get("/api/v1/me", **_bearer(secret))
    assert me.status_code == 200
    assert me.json()["organisation_name"] == "Riverside Academy"
    assert me.json()["roles"] == ["org_admin"]
    members = client.get("/api/v1/memberships", **_bearer(secret))
    assert members.status_code == 200
    emails = {row["email"] for row in members.json()["results"]}
    assert world.users["lead"].email in emails
    assert world.users["partner_with_share"].email not in emails
    # Revoke the role: the same token loses the endpoint at the next request.
    MembershipRole.objects.filter(membership__user=world.users["org_admin"]).update(
        role=Role.REPORTER
    )
    assert client.get("/api/v1/memberships", **_bearer(secret)).status_code == 403


@pytest.mark.parametrize(
    "header",
    [
        "Bearer sc_nope_nope",
        "Bearer garbage",
        "Bearer sc_" + "a" * 12 + "_" + "b" * 43,
        "Bearer ",
    ],
)
def test_bad_tokens_are_refused_with_401(world: DemoWorld, header: str) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or expired token."}


def test_expired_revoked_and_deactivated_tokens_stop_working(world: DemoWorld) -> None:
    token, secret = _token_for(world, "lead")
    client = Client()
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 401
    token2, secret2 = _token_for(world, "lead")
    revoke = client.post(f"/api/v1/tokens/{token2.pk}/revoke", **_bearer(secret2))
    assert revoke.status_code == 200 and revoke.json()["revoked_at"]
    assert client.get("/api/v1/me", **_bearer(secret2)).status_code == 401
    _, secret3 = _token_for(world, "lead")
    Membership.objects.filter(user=world.users["lead"]).update(is_active=False)
    assert client.get("/api/v1/me", **_bearer(secret3)).status_code == 401


def test_tokens_are_hashed_at_rest_and_creation_is_audited(world: DemoWorld) -> None:
    token, secret = _token_for(world, "lead")
    assert secret.split("_", 2)[2] not in token.key_hash
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATED)
    assert event.subject_id == str(token.pk) and secret not in str(event.changes)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "", "days": 30}, "name"),
        ({"name": "x", "days": 0}, "days"),
        ({"name": "x", "days": "soon"}, "days"),
        ({"name": "x"}, "days"),
        ({"name": "x", "days": 400}, "days"),
    ],
)
def test_bad_token_requests_get_400_and_change_nothing(
    world: DemoWorld, payload: dict[str, Any], field: str
) -> None:
    client = _session(world, "lead")
    before = ApiToken.objects.count()
    response = client.post("/api/v1/tokens", payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert ApiToken.objects.count() == before


def test_extra_fields_cannot_set_owner_or_organisation(world: DemoWorld) -> None:
    response = _session(world, "lead").post(
        "/api/v1/tokens",
        {
            "name": "x",
            "days": 5,
            "user": str(world.users["other_org"].pk),
            "organisation": str(world.organisations["outside"].pk),
            "expires_at": "2099-01-01T00:00:00Z",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    created = ApiToken.objects.get(pk=response.json()["id"])
    assert created.user == world.users["lead"]
    assert created.organisation == world.organisations["secondary"]
    assert created.expires_at < timezone.now() + timedelta(days=6)


def test_session_api_needs_mfa_and_csrf(world: DemoWorld, settings: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    lead = world.users["lead"]
    client.get("/login/")
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.post(
        "/login/",
        {"email": lead.email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf},
    )
    assert client.get("/api/v1/me").status_code == 401
    mark_otp_verified(client, lead)
    assert client.get("/api/v1/me").status_code == 200
    body = {"name": "x", "days": 5}
    refused = client.post("/api/v1/tokens", body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    assert ApiToken.objects.count() == 0
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        "/api/v1/tokens", body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_token_list_is_paged_and_its_query_count_does_not_grow(
    world: DemoWorld, django_assert_max_num_queries: Any
) -> None:
    _, secret = _token_for(world, "lead")
    for _ in range(3):
        _token_for(world, "lead")
    client = Client()
    with django_assert_max_num_queries(8):
        few = client.get("/api/v1/tokens", **_bearer(secret))
    for _ in range(60):
        _token_for(world, "lead")
    with django_assert_max_num_queries(8):
        many = client.get("/api/v1/tokens", **_bearer(secret))
    assert len(few.json()["results"]) == 4
    assert len(many.json()["results"]) == 50 and many.json()["next"]


def test_the_schema_is_served_locally_to_signed_in_users(world: DemoWorld) -> None:
    _, secret = _token_for(world, "reporter")
    schema = Client().get("/api/v1/schema/", **_bearer(secret))
    assert schema.status_code == 200
    assert b"/api/v1/tokens" in schema.content
    assert Client().get("/api/v1/schema/").status_code == 401


def test_a_token_cannot_create_tokens(world: DemoWorld) -> None:
    _, secret = _token_for(world, "lead")
    response = Client().post(
        "/api/v1/tokens",
        {"name": "x", "days": 5},
        content_type="application/json",
        **_bearer(secret),
    )
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 1


def test_a_token_made_without_mfa_stops_when_mfa_becomes_required(world: DemoWorld) -> None:
    _, secret = _token_for(world, "reporter", with_mfa=False)
    client = Client()
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 200  # reporters: no MFA
    MembershipRole.objects.filter(membership__user=world.users["reporter"]).update(
        role=Role.CASE_WORKER
    )
    refused = client.get("/api/v1/me", **_bearer(secret))
    assert refused.status_code == 401 and "multi-factor" in refused.json()["detail"]
