"""Granting and revoking shares, and restricting records, through actions with audit events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import actor_for as _actor
from safecase.access import actions
from safecase.access.models import ShareGrant
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Membership
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.errors import DomainError, NotPermitted
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db


def _record(world: DemoWorld) -> Membership:
    return Membership.objects.get(user=world.users["reporter"])


def test_a_lead_shares_a_record_with_a_partner_and_revokes_it(world: DemoWorld) -> None:
    record = _record(world)
    grant = actions.share_grant(
        actor=_actor(world, "lead"),
        record=record,
        to_organisation=world.organisations["police"],
        purpose="Strategy discussion on 3 December",
        lawful_basis="Children Act 1989 s47; UK GDPR Art. 6(1)(e)",
    )
    police = _actor(world, "partner_with_share")
    assert can(police, Permission.SHARED_VIEW, record)
    actions.share_revoke(actor=_actor(world, "lead"), grant=grant, reason="Discussion held")
    assert not can(police, Permission.SHARED_VIEW, record)
    actions_logged = list(
        AuditEvent.objects.filter(action__startswith="share.").values_list("action", flat=True)
    )
    assert actions_logged == [AuditAction.SHARE_GRANTED, AuditAction.SHARE_REVOKED]


@pytest.mark.parametrize(
    ("to", "purpose", "basis", "message"),
    [
        ("outside", "x", "y", "not in a current partnership"),
        ("police", "", "y", "purpose and the lawful basis"),
        ("police", "x", " ", "purpose and the lawful basis"),
        ("secondary", "x", "y", "own organisation"),
    ],
)
def test_bad_shares_are_refused_and_change_nothing(
    world: DemoWorld, to: str, purpose: str, basis: str, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        actions.share_grant(
            actor=_actor(world, "lead"),
            record=_record(world),
            to_organisation=world.organisations[to],
            purpose=purpose,
            lawful_basis=basis,
        )
    assert ShareGrant.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.SHARE_GRANTED).exists()


def test_an_expired_end_date_is_refused(world: DemoWorld) -> None:
    with pytest.raises(DomainError, match="future"):
        actions.share_grant(
            actor=_actor(world, "lead"),
            record=_record(world),
            to_organisation=world.organisations["police"],
            purpose="x",
            lawful_basis="y",
            expires_at=timezone.now() - timedelta(minutes=1),
        )


def test_only_roles_with_the_permission_may_share(world: DemoWorld) -> None:
    for persona in ("reporter", "org_admin", "auditor", "partner_with_share"):
        with pytest.raises(NotPermitted):
            actions.share_grant(
                actor=_actor(world, persona),
                record=_record(world),
                to_organisation=world.organisations["police"],
                purpose="x",
                lawful_basis="y",
            )


def test_restricting_names_the_actor_and_hides_the_record_from_the_lead(
    world: DemoWorld,
) -> None:
    record = _record(world)
    lead = _actor(world, "lead")
    restriction = actions.record_restrict(
        actor=lead,
        record=record,
        named_people=[world.users["case_worker"]],
        reason="Concerns the deputy",
    )
    assert set(restriction.named_people.all()) == {world.users["lead"], world.users["case_worker"]}
    assert not can(_actor(world, "deputy"), Permission.PERSON_VIEW, record)
    assert can(_actor(world, "case_worker"), Permission.PERSON_VIEW, record)


def test_only_members_can_be_named(world: DemoWorld) -> None:
    with pytest.raises(DomainError, match="Only active members"):
        actions.record_restrict(
            actor=_actor(world, "lead"),
            record=_record(world),
            named_people=[world.users["other_org"]],
            reason="x",
        )
