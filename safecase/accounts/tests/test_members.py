"""The organisation administrator's work: invite, roles, deactivate, reset MFA, settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from conftest import client_for as _signed_in
from safecase.access.roles import Role
from safecase.accounts import actions
from safecase.accounts.models import Membership, Organisation, User
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld

pytestmark = pytest.mark.django_db


def _admin_actor(world: DemoWorld) -> Actor:
    return Actor(
        user=world.users["org_admin"],
        organisation=world.organisations["secondary"],
        roles=frozenset({Role.ORG_ADMIN}),
    )


def test_inviting_creates_the_account_membership_and_sends_a_link(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    admin = _signed_in(world.users["org_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/organisation/members/invite/",
            {
                "email": "New.Teacher@Example.invalid",
                "full_name": "Nina Teacher",
                "roles": ["reporter"],
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.teacher@example.invalid")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.role_names() == ["reporter"]
    assert len(mail.outbox) == 1 and "/password/reset/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_INVITED)
    assert event.chain == str(world.organisations["secondary"].pk)


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not-an-address", "full_name": "X", "roles": ["reporter"]},
        {"email": "ok@example.invalid", "full_name": "", "roles": ["reporter"]},
        {"email": "ok@example.invalid", "full_name": "Y", "roles": []},
        {"email": "ok@example.invalid", "full_name": "Y", "roles": ["superuser"]},
    ],
)
def test_a_bad_invitation_changes_nothing(world: DemoWorld, data: dict[str, object]) -> None:
    admin = _signed_in(world.users["org_admin"])
    users_before, events_before = User.objects.count(), AuditEvent.objects.count()
    response = admin.post("/organisation/members/invite/", data)
    assert response.status_code == 422
    assert b"There is a problem" in response.content
    assert User.objects.count() == users_before
    assert AuditEvent.objects.count() == events_before
    assert mail.outbox == []


def test_inviting_an_existing_member_is_refused_clearly(world: DemoWorld) -> None:
    with pytest.raises(DomainError, match="already a member"):
        actions.member_invite(
            actor=_admin_actor(world),
            email=world.users["lead"].email,
            full_name="Lena Lead",
            roles=["lead"],
            base_url="http://testserver/",
        )


def test_a_revoked_role_stops_working_at_the_next_request(world: DemoWorld) -> None:
    auditor = world.users["auditor"]
    client = _signed_in(auditor)
    assert client.get("/audit/").status_code == 200
    membership = Membership.objects.get(user=auditor)
    actions.member_set_roles(
        actor=_admin_actor(world), membership=membership, roles=["reporter"], version=1
    )
    assert client.get("/audit/").status_code == 403
    denial = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).last()
    assert denial is not None and denial.actor_id == str(auditor.pk)


def test_each_request_reads_its_user_together_with_their_memberships(world: DemoWorld) -> None:
    """One query for the session's user and their memberships and roles, on every request
    (the roles still fresh each time, above); an account deactivated since is refused at its
    very next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = world.users["lead"]
    client = _signed_in(lead)
    client.get("/")
    with CaptureQueriesContext(connection) as read:
        assert client.get("/").status_code == 200
    sql = [q["sql"] for q in read.captured_queries]
    assert not [q for q in sql if 'FROM "accounts_user"' in q], "the user has no query of its own"
    joined = [
        q for q in sql if 'FROM "accounts_membership"' in q and '"accounts_user"."password"' in q
    ]
    assert len(joined) == 1
    User.objects.filter(pk=lead.pk).update(is_active=False)
    assert client.get("/").status_code == 302  # signed out: back to sign-in


def test_a_stale_roles_form_is_refused_not_overwritten(world: DemoWorld) -> None:
    membership = Membership.objects.get(user=world.users["deputy"])
    actions.member_set_roles(
        actor=_admin_actor(world), membership=membership, roles=["case_worker"], version=1
    )
    with pytest.raises(Conflict):
        actions.member_set_roles(
            actor=_admin_actor(world), membership=membership, roles=["lead"], version=1
        )
    assert Membership.objects.get(pk=membership.pk).role_names() == ["case_worker"]


def test_the_last_administrator_cannot_be_removed(world: DemoWorld) -> None:
    membership = Membership.objects.get(user=world.users["org_admin"])
    operator = Actor.system("test", organisation=world.organisations["secondary"])
    with pytest.raises(DomainError, match="at least one administrator"):
        actions.member_set_roles(
            actor=operator, membership=membership, roles=["reporter"], version=1
        )
    assert Membership.objects.get(pk=membership.pk).role_names() == ["org_admin"]


def test_deactivating_a_member_ends_their_sessions_at_once(world: DemoWorld) -> None:
    lead = world.users["lead"]
    lead_client = _signed_in(lead)
    assert lead_client.get("/").status_code == 200
    admin = _signed_in(world.users["org_admin"])
    membership = Membership.objects.get(user=lead)
    refused = admin.post(f"/organisation/members/{membership.pk}/deactivate/", {"reason": ""})
    assert refused.status_code == 422
    assert Membership.objects.get(pk=membership.pk).is_active
    done = admin.post(
        f"/organisation/members/{membership.pk}/deactivate/", {"reason": "Left the school"}
    )
    assert done.status_code == 302
    assert lead_client.get("/").status_code == 302  # signed out: back to sign-in
    client = Client()
    client.post("/login/", {"email": lead.email, "password": DEMO_PASSWORD})
    assert b"not an active member" in client.get("/").content
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_DEACTIVATED)
    assert event.reason == "Left the school" and event.changes["sessions_ended"] >= 1


def test_an_administrator_cannot_deactivate_themselves(world: DemoWorld) -> None:
    membership = Membership.objects.get(user=world.users["org_admin"])
    with pytest.raises(DomainError, match="cannot deactivate yourself"):
        actions.member_deactivate(actor=_admin_actor(world), membership=membership, reason="x")


def test_reset_mfa_removes_devices_and_sessions(world: DemoWorld) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lead = world.users["lead"]
    lead_client = _signed_in(lead)
    assert TOTPDevice.objects.filter(user=lead).exists()
    actions.member_reset_mfa(
        actor=_admin_actor(world),
        membership=Membership.objects.get(user=lead),
        reason="Lost phone, identity checked in person",
    )
    assert not TOTPDevice.objects.filter(user=lead).exists()
    assert lead_client.get("/").status_code == 302  # the verified session is gone
    assert AuditEvent.objects.filter(action=AuditAction.MFA_RESET).count() == 1


def test_settings_change_is_versioned(world: DemoWorld) -> None:
    admin = _signed_in(world.users["org_admin"])
    org = world.organisations["secondary"]
    ok = admin.post(
        "/organisation/settings/",
        {"name": "Riverside Academy Trust", "mfa_required_for_reporters": "on", "version": 1},
    )
    assert ok.status_code == 302
    stale = admin.post("/organisation/settings/", {"name": "Something else", "version": 1})
    assert stale.status_code == 409
    org = Organisation.objects.get(pk=org.pk)
    assert (org.name, org.mfa_required_for_reporters, org.version) == (
        "Riverside Academy Trust",
        True,
        2,
    )
    event = AuditEvent.objects.get(action=AuditAction.ORG_SETTINGS_CHANGED)
    assert event.changes["mfa_required_for_reporters"] == [False, True]


def test_the_administrator_sees_no_case_content(world: DemoWorld) -> None:
    from safecase.access.permissions import Permission
    from safecase.access.roles import ROLE_PERMISSIONS

    case_content = {
        p for p in Permission if p.value.split(".")[0] in {"concern", "case", "person", "shared"}
    }
    assert not (ROLE_PERMISSIONS[Role.ORG_ADMIN] & case_content)
    assert not (ROLE_PERMISSIONS[Role.AUDITOR] & case_content)


def test_switching_organisation_changes_what_the_user_acts_as(world: DemoWorld) -> None:
    lead = world.users["lead"]
    primary = world.organisations["primary"]
    Membership.objects.create(user=lead, organisation=primary).roles.create(role=Role.AUDITOR)
    client = _signed_in(lead)
    secondary = world.organisations["secondary"]
    client.post("/organisation/switch/", {"organisation": str(secondary.pk)})
    assert client.get("/audit/").status_code == 403
    assert (
        client.post("/organisation/switch/", {"organisation": str(primary.pk)}).status_code == 302
    )
    assert client.get("/audit/").status_code == 200
    outside = world.organisations["outside"]
    client.post("/organisation/switch/", {"organisation": str(outside.pk)})
    assert client.get("/audit/").status_code == 200  # refused switch: still in Oakfield


def test_an_administrator_can_sign_a_member_out_everywhere(world: DemoWorld) -> None:
    reporter = world.users["reporter"]
    reporter_client = _signed_in(reporter)
    admin = _signed_in(world.users["org_admin"])
    membership = Membership.objects.get(user=reporter)
    page = admin.get(f"/organisation/members/{membership.pk}/")
    assert b"Signed in on 1 device" in page.content
    done = admin.post(
        f"/organisation/members/{membership.pk}/end-sessions/", {"reason": "Shared PC left on"}
    )
    assert done.status_code == 302
    assert reporter_client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_SESSIONS_ENDED).count() == 1


def test_an_administrator_cannot_reach_an_account_shared_with_another_organisation(
    world: DemoWorld,
) -> None:
    """Oakfield's admin adds Riverside's lead, then tries to strip their MFA: refused."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lead = world.users["lead"]
    lead_client = _signed_in(lead)
    oakfield_admin = Actor(
        user=world.users["primary_lead"],
        organisation=world.organisations["primary"],
        roles=frozenset({Role.ORG_ADMIN, Role.LEAD}),
    )
    membership = actions.member_invite(
        actor=oakfield_admin,
        email=lead.email,
        full_name="Lena Lead",
        roles=["reporter"],
        base_url="http://testserver/",
    )
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_INVITED)
    assert "new_account" not in event.changes
    for act in (actions.member_reset_mfa, actions.member_end_sessions):
        with pytest.raises(DomainError, match="also belongs to another organisation"):
            act(actor=oakfield_admin, membership=membership, reason="takeover attempt")
    assert TOTPDevice.objects.filter(user=lead).exists()
    assert lead_client.get("/").status_code == 200
    # Deactivating them at Oakfield removes Oakfield only; their Riverside session goes on.
    actions.member_deactivate(actor=oakfield_admin, membership=membership, reason="not staff")
    assert lead_client.get("/").status_code == 200


def test_an_administrator_cannot_change_their_own_roles(world: DemoWorld) -> None:
    membership = Membership.objects.get(user=world.users["org_admin"])
    with pytest.raises(DomainError, match="your own roles"):
        actions.member_set_roles(
            actor=_admin_actor(world),
            membership=membership,
            roles=["org_admin", "lead"],
            version=1,
        )
    assert Membership.objects.get(pk=membership.pk).role_names() == ["org_admin"]


def test_the_operator_resets_mfa_for_anyone(world: DemoWorld) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lead = world.users["lead"]
    _signed_in(lead)
    call_command(
        "user_reset_mfa", email=lead.email, reason="phone lost; ID checked", stdout=StringIO()
    )
    assert not TOTPDevice.objects.filter(user=lead).exists()


def test_a_users_memberships_come_with_their_roles_in_one_query(world: DemoWorld) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safecase.accounts.selectors import active_memberships_of

    user = world.users["lead"]
    with CaptureQueriesContext(connection) as read:
        memberships = active_memberships_of(user)
        roles = {m.organisation.name: m.role_names() for m in memberships}
    assert len(read.captured_queries) == 1
    assert roles == {
        m.organisation.name: sorted(m.roles.values_list("role", flat=True))
        for m in Membership.objects.filter(user=user, is_active=True)
    }
    # A chained query on the roles still asks the database, not the kept list.
    first = memberships[0]
    assert list(first.roles.filter(role=Role.LEAD).values_list("role", flat=True)) == [Role.LEAD]
