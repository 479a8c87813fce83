"""Personas and helpers shared by every test.

The personas are the demo's (safecase.demo.personas): one user per way of relating to a record.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client

from safecase.accounts.models import Membership, User
from safecase.core.actors import Actor
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld, build_demo_world

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_report_header(config: pytest.Config) -> str:
    return f"safecase database: {settings.DATABASES['default']['ENGINE']}"


# The audit tables refuse TRUNCATE on PostgreSQL (safecase/audit/migrations/0004), and Django's
# flush after each transactional test is one TRUNCATE of every table.
AUDIT_TRUNCATE_GUARDS = (
    ("audit_auditevent", "audit_event_no_truncate"),
    ("audit_chainhead", "audit_chainhead_no_truncate"),
)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_truncate_guard() -> Iterator[None]:
    """Let the test database's flush truncate the audit tables, and only the flush.

    As the tables' owner, the flush disables the two guards, truncates and enables them again,
    all in the one transaction Django runs the flush in: no other statement or session ever sees
    the guards off, and a failed flush rolls the change back with it.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        if self.connection.vendor == "postgresql" and sql_list:
            sql_list = [
                *(f"ALTER TABLE {t} DISABLE TRIGGER {g}" for t, g in AUDIT_TRUNCATE_GUARDS),
                *sql_list,
                *(f"ALTER TABLE {t} ENABLE TRIGGER {g}" for t, g in AUDIT_TRUNCATE_GUARDS),
            ]
        original(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


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
