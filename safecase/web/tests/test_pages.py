"""Pages: what each role sees first, bounded query counts, and errors without stack traces."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import path

from conftest import mark_otp_verified
from safecase.access.decorators import public
from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.post("/login/", {"email": user.email, "password": DEMO_PASSWORD})
    mark_otp_verified(client, user)
    return client


@pytest.mark.parametrize(
    ("persona", "sees", "does_not_see"),
    [
        ("lead", "Safeguarding lead", "Administration"),
        ("reporter", "Your concerns", "Safeguarding lead"),
        ("org_admin", "Administration", "Your concerns"),
        ("auditor", "Read the audit trail", "Administration"),
        ("partner_with_share", "Shared with your organisation", "Administration"),
    ],
)
def test_each_role_has_its_own_home(
    world: DemoWorld, persona: str, sees: str, does_not_see: str
) -> None:
    page = _client(world.users[persona]).get("/").content.decode()
    assert sees in page and does_not_see not in page
    assert world.users[persona].full_name in page


def test_navigation_shows_only_what_the_role_may_open(world: DemoWorld) -> None:
    reporter_page = _client(world.users["reporter"]).get("/").content.decode()
    assert (
        'href="/audit/"' not in reporter_page
        and 'href="/organisation/members/"' not in reporter_page
    )
    admin_page = _client(world.users["org_admin"]).get("/").content.decode()
    assert 'href="/organisation/members/"' in admin_page


def _add_members(world: DemoWorld, count: int) -> None:
    org = world.organisations["secondary"]
    for i in range(count):
        user = User.objects.create_user(email=f"member{i}@example.invalid", full_name=f"M {i}")
        membership = Membership.objects.create(user=user, organisation=org)
        MembershipRole.objects.create(membership=membership, role=Role.REPORTER)


def test_member_list_costs_the_same_queries_at_any_size(
    world: DemoWorld, django_assert_max_num_queries: Any
) -> None:
    client = _client(world.users["org_admin"])
    client.get("/organisation/members/")  # first request of a session also updates it
    with django_assert_max_num_queries(12) as small:
        client.get("/organisation/members/")
    _add_members(world, 80)
    with django_assert_max_num_queries(12) as large:
        response = client.get("/organisation/members/")
    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.content.count(b"/organisation/members/") >= 50
    assert b"Next page" in response.content
    second = client.get("/organisation/members/", {"after": response.context["page"].next_cursor})
    assert second.status_code == 200 and second.context["page"].items


def test_audit_list_costs_the_same_queries_at_any_size(
    world: DemoWorld, django_assert_max_num_queries: Any
) -> None:
    from django.db import transaction

    client = _client(world.users["auditor"])
    client.get("/audit/")  # first request of a session also updates it
    with django_assert_max_num_queries(12) as small:
        client.get("/audit/")
    actor = Actor.system("test", organisation=world.organisations["secondary"])
    for _ in range(120):
        with transaction.atomic():
            recorder.record(actor=actor, action=AuditAction.DEMO_LOADED)
    with django_assert_max_num_queries(12) as large:
        response = client.get("/audit/")
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(response.context["page"].items) == 50
    older = client.get("/audit/", {"before": response.context["page"].next_cursor})
    assert older.context["page"].items[0].seq < response.context["page"].items[-1].seq
    assert client.get("/audit/", {"before": "'; drop table"}).status_code == 200
    filtered = client.get("/audit/", {"action": "auth.login"})
    assert {e.action for e in filtered.context["page"].items} == {"auth.login"}


def test_the_auditor_sees_only_their_own_organisations_trail(world: DemoWorld) -> None:
    from django.db import transaction

    with transaction.atomic():
        recorder.record(
            actor=Actor.system("test", organisation=world.organisations["outside"]),
            action=AuditAction.DEMO_LOADED,
            reason="decoy-outside-event",
        )
    page = _client(world.users["auditor"]).get("/audit/")
    assert b"decoy-outside-event" not in page.content


def _boom(request: Any) -> Any:
    raise RuntimeError("secret detail that must not leak")


urlpatterns = [path("boom/", public(_boom))]


def test_a_server_error_shows_no_stack_trace(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"secret detail" not in response.content
    assert b"Traceback" not in response.content
