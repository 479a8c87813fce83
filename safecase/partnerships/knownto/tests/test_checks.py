"""The check as an action: audited on both sides without the identifiers, bad input refused
with a clear message and nothing recorded, the hourly limit, and the contact settings."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.audit.events import AuditAction, Outcome
from safecase.audit.models import AuditEvent
from safecase.audit.verify import verify_all
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.partnerships.knownto import actions
from safecase.partnerships.knownto.models import KnownToCheck, KnownToContact
from safecase.partnerships.knownto.tests.helpers import BORN, NHS, UPN, ask, known_to, person

pytestmark = pytest.mark.django_db


def _events(org_key: str, world: DemoWorld, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            chain=str(world.organisations[org_key].pk), action=action
        ).order_by("seq")
    )


def test_the_check_is_audited_on_both_sides_without_the_identifiers(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    child = person(world, org="primary", identifiers=[("upn", UPN)])
    check = ask(
        world,
        identifiers=[("nhs", "943 476 5919"), ("upn", UPN)],
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=BORN,
    )
    [asked] = _events("police", world, AuditAction.KNOWN_TO_CHECKED)
    assert asked.subject_id == str(check.pk)
    assert asked.reason == "Screening a MASH referral (synthetic)."
    assert asked.changes["digest_kinds"] == ["name_dob", "nhs", "upn"]
    assert asked.changes["matched"] == 2
    for org_key in ("secondary", "primary"):
        [told] = _events(org_key, world, AuditAction.KNOWN_TO_MATCHED)
        assert told.actor_id == str(world.users["partner_with_share"].pk)
        assert "Parveen Police" in told.actor_label
        assert told.changes["asked_by_organisation"] == str(world.organisations["police"].pk)
        assert told.changes["asked_by_organisation_name"] == "Northshire Police"
        assert told.subject_type == "known_to.check"
        # Not which record matched: no person anywhere in the event.
        assert str(child.pk) not in json.dumps(told.changes) + told.subject_id
        assert told.reason == ""
    # Organisations not matched are told nothing.
    assert _events("health", world, AuditAction.KNOWN_TO_MATCHED) == []
    for event in AuditEvent.objects.filter(action__startswith="known_to."):
        text = json.dumps(event.changes) + event.reason
        for value in (NHS, "943 476 5919", UPN, "Jamie", "Example", "2013-03-14"):
            assert value not in text
    assert verify_all().ok


def test_a_check_that_finds_nothing_is_audited_on_the_askers_side_only(world: DemoWorld) -> None:
    before = AuditEvent.objects.count()
    check = ask(world, identifiers=[("nhs", NHS)])
    assert known_to(check) == [] and check.matched == 0
    [event] = AuditEvent.objects.all().order_by("-occurred_at", "-seq")[:1]
    assert event.action == AuditAction.KNOWN_TO_CHECKED
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"identifiers": [("nhs", "943 476 5918")]}, "nhs", "not a valid NHS number"),
        ({"identifiers": [("nhs", "12345")]}, "nhs", "not a valid NHS number"),
        ({"identifiers": [("upn", "A801200100001")]}, "upn", "not a valid Unique Pupil Number"),
        ({"identifiers": [("passport", "X1")]}, "identifier", "Choose a kind of identifier"),
        ({"given_names": "Jamie", "family_name": "Example-Child"}, "date_of_birth", "together"),
        ({"family_name": "Example-Child", "date_of_birth": BORN}, "given_names", "together"),
        (
            {"given_names": "J", "family_name": "E", "date_of_birth": date(2099, 1, 1)},
            "date_of_birth",
            "future",
        ),
        (
            {"given_names": "!!", "family_name": "--", "date_of_birth": BORN},
            "family_name",
            "letters",
        ),
        ({}, None, "at least one identifier"),
        ({"identifiers": [("nhs", NHS)], "purpose": "  "}, "purpose", "Say why"),
        ({"identifiers": [("nhs", NHS)], "purpose": "x" * 1001}, "purpose", "under 1000"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_recorded(
    world: DemoWorld, kwargs: dict[str, object], field: str | None, message: str
) -> None:
    person(world, identifiers=[("nhs", NHS)])
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as raised:
        ask(world, **kwargs)  # type: ignore[arg-type]
    assert message in raised.value.message
    assert raised.value.field == field
    assert not KnownToCheck.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_hourly_limit_stops_enumeration(world: DemoWorld, settings: object) -> None:
    settings.SAFECASE_KNOWN_TO_CHECKS_PER_HOUR = 3  # type: ignore[attr-defined]
    for _ in range(3):
        ask(world, identifiers=[("nhs", NHS)])
    with pytest.raises(actions.RateLimited, match="3 known-to checks in the last hour"):
        ask(world, identifiers=[("nhs", NHS)])
    assert KnownToCheck.objects.count() == 3
    [refused] = _events("police", world, AuditAction.KNOWN_TO_RATE_LIMITED)
    assert refused.outcome == Outcome.DENIED
    assert refused.changes == {"digest_kinds": ["nhs"], "limit_per_hour": 3}
    # The limit is the user's: a colleague may still ask.
    ask(world, "police_approver", identifiers=[("nhs", NHS)])
    # An hour on, the user may ask again.
    KnownToCheck.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    ask(world, identifiers=[("nhs", NHS)])


def test_only_practitioners_with_the_permission_may_ask(world: DemoWorld) -> None:
    for persona in ("reporter", "auditor", "org_admin"):
        with pytest.raises(NotPermitted):
            ask(world, persona, identifiers=[("nhs", NHS)])
    for persona in ("lead", "deputy", "partner_without", "hub", "hub_manager", "primary_lead"):
        ask(world, persona, identifiers=[("nhs", NHS)])
    assert not KnownToCheck.objects.filter(asked_by=world.users["reporter"]).exists()


def test_the_answer_carries_the_contact_as_it_stood(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    actions.known_to_contact_save(
        actor=actor_for(world, "lead"),
        role="Designated safeguarding lead",
        mailbox="dsl.riverside@demo.safecase.invalid",
        version=0,
    )
    check = ask(world, identifiers=[("nhs", NHS)])
    [match] = check.matches.all()
    assert (match.organisation_name, match.contact_role, match.contact_mailbox) == (
        "Riverside Academy",
        "Designated safeguarding lead",
        "dsl.riverside@demo.safecase.invalid",
    )


def test_the_lead_or_the_administrator_sets_the_contact_under_a_version(
    world: DemoWorld,
) -> None:
    lead, admin = actor_for(world, "lead"), actor_for(world, "org_admin")
    contact = actions.known_to_contact_save(
        actor=lead, role="DSL", mailbox="dsl@demo.safecase.invalid", version=0
    )
    with pytest.raises(Conflict):
        actions.known_to_contact_save(
            actor=admin, role="DSL team", mailbox="dsl@demo.safecase.invalid", version=0
        )
    changed = actions.known_to_contact_save(
        actor=admin, role="DSL team", mailbox="dsl@demo.safecase.invalid", version=contact.version
    )
    assert (changed.role, changed.version) == ("DSL team", 2)
    [_first, second] = _events("secondary", world, AuditAction.KNOWN_TO_CONTACT_CHANGED)
    assert second.changes == {"role": ["DSL", "DSL team"]}
    for persona in ("deputy", "reporter", "partner_with_share", "auditor"):
        with pytest.raises(NotPermitted):
            actions.known_to_contact_save(
                actor=actor_for(world, persona), role="X", mailbox="x@example.org", version=2
            )
    for role, mailbox, field in (("", "a@example.org", "role"), ("DSL", "not-mail", "mailbox")):
        with pytest.raises(DomainError) as raised:
            actions.known_to_contact_save(actor=lead, role=role, mailbox=mailbox, version=2)
        assert raised.value.field == field
    assert KnownToContact.objects.get().version == 2


def test_a_system_actor_without_a_user_cannot_ask(world: DemoWorld) -> None:
    with pytest.raises(NotPermitted):
        actions.known_to_check(
            actor=Actor.system("tests", organisation=world.organisations["police"]),
            purpose="x",
            identifiers=[("nhs", NHS)],
        )
