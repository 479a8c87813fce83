"""Personas and helpers shared by every test.

The personas are the demo's (safecase.demo.personas): one user per way of relating to a record.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from safecase.accounts.models import Membership, User
from safecase.core.actors import Actor
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld, build_demo_world

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_report_header(config: pytest.Config) -> str:
    return f"safecase database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture
def world(db: None) -> DemoWorld:
    # Ordinary accounts (not demo ones), so tests see what production users see: MFA required.
    return build_demo_world(is_demo=False)


@pytest.fixture
def personas(world: DemoWorld) -> dict[str, User]:
    return world.users


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    """Sign a persona in through the real sign-in form, with MFA marked done where required."""

    def sign_in(user: User, *, verified: bool = True) -> Client:
        response = client.post(
            "/login/", {"email": user.email, "password": DEMO_PASSWORD}, secure=True
        )
        assert response.status_code == 302, response.content[:500]
        if verified:
            mark_otp_verified(client, user)
        return client

    return sign_in


def mark_otp_verified(client: Client, user: User) -> None:
    """Give the session a confirmed TOTP device, as if the user had entered a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def actor_for(world: DemoWorld, persona: str) -> Actor:
    """The Actor a persona is when acting in their (first) organisation."""
    user = world.users[persona]
    membership = Membership.objects.filter(user=user).order_by("organisation__name").first()
    assert membership is not None
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def client_for(user: User) -> Client:
    """A test client signed in as ``user`` through the real form, with MFA marked done."""
    client = Client()
    response = client.post("/login/", {"email": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:300]
    mark_otp_verified(client, user)
    return client
