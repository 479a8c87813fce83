"""The policy's object rules: own organisation, share grants across a partnership, restrictions.

Memberships stand in for "a tenant-owned record" here because they are the first such model;
the rules are generic (any model with an ``organisation``), and later issues run the same tests
on concerns, cases and notes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone

from conftest import actor_for as _actor
from safecase.access.lookups import access_object
from safecase.access.models import RecordRestriction, ShareGrant
from safecase.access.permissions import Permission
from safecase.access.policy import can, object_key, require
from safecase.access.scoping import restrict
from safecase.accounts.models import Membership, User
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db

VIEW = Permission.SHARED_VIEW


def _record(world: DemoWorld) -> Membership:
    """A Riverside record (the reporter's membership)."""
    return Membership.objects.get(user=world.users["reporter"])


def _share(world: DemoWorld, record: Membership, to: str, **extra: object) -> ShareGrant:
    return ShareGrant.objects.create(
        owner_organisation=world.organisations["secondary"],
        to_organisation=world.organisations[to],
        partnership=world.partnership,
        content_type=ContentType.objects.get_for_model(record),
        object_id=object_key(record),
        purpose="Strategy discussion",
        lawful_basis="Art. 6(1)(e)",
        granted_by=world.users["lead"],
        **extra,
    )


def _visible(world: DemoWorld, persona: str) -> set[object]:
    return set(
        restrict(Membership.objects.all(), _actor(world, persona), VIEW).values_list(
            "pk", flat=True
        )
    )


def test_own_organisation_sees_its_records_others_do_not(world: DemoWorld) -> None:
    record = _record(world)
    assert can(_actor(world, "lead"), VIEW, record)
    assert not can(_actor(world, "partner_with_share"), VIEW, record)
    assert not can(_actor(world, "other_org"), VIEW, record)
    assert record.pk in _visible(world, "lead")
    assert record.pk not in _visible(world, "partner_with_share")


def test_a_role_without_the_permission_sees_nothing(world: DemoWorld) -> None:
    assert not can(_actor(world, "org_admin"), VIEW, _record(world))
    assert _visible(world, "org_admin") == set()
    with pytest.raises(NotPermitted):
        require(_actor(world, "reporter"), VIEW, _record(world))


def test_a_share_grant_opens_exactly_that_record_to_that_organisation(world: DemoWorld) -> None:
    record = _record(world)
    _share(world, record, "police")
    assert can(_actor(world, "partner_with_share"), VIEW, record)
    assert _visible(world, "partner_with_share") - {
        m.pk for m in Membership.objects.filter(organisation=world.organisations["police"])
    } == {record.pk}
    assert not can(_actor(world, "partner_without"), VIEW, record)
    assert record.pk not in _visible(world, "partner_without")
    # A share lets the partner read, never change the owner's record.
    assert not can(_actor(world, "partner_with_share"), Permission.CASE_MANAGE, record)


def test_revoked_and_expired_shares_close_at_once(world: DemoWorld) -> None:
    record = _record(world)
    grant = _share(world, record, "police")
    grant.revoked_at = timezone.now()
    grant.save()
    assert not can(_actor(world, "partner_with_share"), VIEW, record)
    _share(world, record, "health", expires_at=timezone.now() - timedelta(seconds=1))
    assert not can(_actor(world, "partner_without"), VIEW, record)
    assert record.pk not in _visible(world, "partner_without")


def test_a_restricted_record_is_seen_only_by_the_named_people(world: DemoWorld) -> None:
    record = _record(world)
    restriction = RecordRestriction.objects.create(
        organisation=world.organisations["secondary"],
        content_type=ContentType.objects.get_for_model(record),
        object_id=object_key(record),
        reason="Allegation against the lead",
        restricted_by=world.users["deputy"],
    )
    restriction.named_people.add(world.users["deputy"])
    assert can(_actor(world, "deputy"), VIEW, record)
    assert not can(_actor(world, "lead"), VIEW, record)
    assert record.pk not in _visible(world, "lead")
    assert record.pk in _visible(world, "deputy")
    # Not even a share reveals it to a partner who is not named.
    _share(world, record, "police")
    assert record.pk not in _visible(world, "partner_with_share")


def test_lookup_answers_404_for_missing_and_forbidden_alike(world: DemoWorld) -> None:
    record = _record(world)
    outsider = _actor(world, "partner_without")
    scoped = restrict(Membership.objects.all(), outsider, VIEW)
    with pytest.raises(Http404):
        access_object(outsider, scoped, record.pk, VIEW)
    with pytest.raises(Http404):
        access_object(outsider, scoped, "00000000-0000-0000-0000-000000000000", VIEW)
    with pytest.raises(Http404):
        access_object(outsider, scoped, "not-a-uuid", VIEW)
    denials = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED)
    # Exactly one denial is recorded: for the record that exists (Z8).
    assert [(d.subject_id, d.outcome) for d in denials] == [(str(record.pk), "denied")]


def test_sensitive_reads_are_logged(world: DemoWorld) -> None:
    lead = _actor(world, "lead")
    record = _record(world)
    found = access_object(
        lead, restrict(Membership.objects.all(), lead, VIEW), record.pk, VIEW, log_view=True
    )
    assert found == record
    event = AuditEvent.objects.get(action=AuditAction.RECORD_VIEWED)
    assert event.subject_id == str(record.pk) and event.actor_id == str(lead.user.pk)


def test_inactive_users_and_anonymous_actors_can_do_nothing(world: DemoWorld) -> None:
    lead = _actor(world, "lead")
    User.objects.filter(pk=lead.user.pk).update(is_active=False)
    lead.user.refresh_from_db()
    assert not can(lead, Permission.ACCOUNT_SELF)
    assert not can(Actor(user=None, organisation=None), Permission.ACCOUNT_SELF)


def test_a_share_ends_with_the_partnership_or_when_an_organisation_leaves(
    world: DemoWorld,
) -> None:
    from datetime import date

    from safecase.accounts.models import PartnershipMember

    record = _record(world)
    _share(world, record, "police")

    # Each check as the partner's next request (a fresh actor): these changes are made here
    # directly in the database, not through an action that tells the process's actors.
    def police() -> Actor:
        return _actor(world, "partner_with_share")

    assert can(police(), VIEW, record)
    PartnershipMember.objects.filter(organisation=world.organisations["police"]).update(
        left_on=date(2000, 1, 1)
    )
    assert not can(police(), VIEW, record)
    assert record.pk not in _visible(world, "partner_with_share")
    PartnershipMember.objects.update(left_on=None)
    assert can(police(), VIEW, record)
    world.partnership.ends_on = date(2000, 1, 2)
    world.partnership.save()
    assert not can(police(), VIEW, record)


def test_past_the_listed_limit_shares_apply_as_a_subquery_never_read_in_python(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safecase.access import scoping

    monkeypatch.setattr(scoping, "MAX_SHARED_IDS", 0)
    record = _record(world)
    _share(world, record, "police")
    police = _actor(world, "partner_with_share")
    with CaptureQueriesContext(connection) as building:
        visible = restrict(Membership.objects.all(), police, VIEW)
    # Building the queryset reads the actor's shares and restrictions (two small queries,
    # both past the limit); it never reads the whole subquery's rows.
    assert len(building.captured_queries) == 2
    with CaptureQueriesContext(connection) as reading:
        seen = {m.pk for m in visible}
    assert len(reading.captured_queries) == 1
    own = set(
        Membership.objects.filter(organisation=world.organisations["police"]).values_list(
            "pk", flat=True
        )
    )
    assert seen == own | {record.pk}
