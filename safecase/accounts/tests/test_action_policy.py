"""The account actions check the policy themselves, whoever calls them: organisations and
partnerships are the operator's; a password is its owner's; a switch needs a membership."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import actor_for
from safecase.accounts import actions, auth_actions
from safecase.accounts.models import (
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    User,
    UserSession,
)
from safecase.audit.events import AuditAction, Outcome
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld, build_demo_world

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-synthetic-passphrase-for-tests"


def _successes(action: str) -> int:
    return AuditEvent.objects.filter(action=action, outcome=Outcome.SUCCESS).count()


def _not_the_operator(world: DemoWorld, who: str) -> Actor:
    if who == "system_of_an_organisation":  # e.g. a task acting for one organisation
        return Actor.system("tests", organisation=world.organisations["secondary"])
    if who == "anonymous":
        return Actor(user=None, organisation=None)
    return actor_for(world, who)


NOT_THE_OPERATOR = ["org_admin", "primary_lead", "lead", "system_of_an_organisation", "anonymous"]


# --- organisations and partnerships: the operator's --------------------------------------------


@pytest.mark.parametrize("who", NOT_THE_OPERATOR)
def test_only_the_operator_creates_an_organisation(world: DemoWorld, who: str) -> None:
    before = Organisation.objects.count()
    with pytest.raises(NotPermitted):
        actions.organisation_create(
            actor=_not_the_operator(world, who), name="Rogue Academy", org_type="school"
        )
    assert Organisation.objects.count() == before
    assert not Organisation.objects.filter(name="Rogue Academy").exists()


@pytest.mark.parametrize("who", NOT_THE_OPERATOR)
def test_only_the_operator_creates_a_partnership(world: DemoWorld, who: str) -> None:
    before = Partnership.objects.count()
    events = _successes(AuditAction.PARTNERSHIP_CREATED)
    with pytest.raises(NotPermitted):
        actions.partnership_create(
            actor=_not_the_operator(world, who),
            name="Rogue Partnership",
            purpose="Reading other organisations' records.",
            lawful_basis="None.",
            starts_on=date(2026, 1, 1),
        )
    assert Partnership.objects.count() == before
    assert _successes(AuditAction.PARTNERSHIP_CREATED) == events


@pytest.mark.parametrize("who", [*NOT_THE_OPERATOR, "other_org"])
def test_only_the_operator_adds_an_organisation_to_a_partnership(
    world: DemoWorld, who: str
) -> None:
    """Westbrook is outside the partnership; neither its own lead nor anyone else's
    administrator can bring it in."""
    outside = world.organisations["outside"]
    events = _successes(AuditAction.PARTNERSHIP_MEMBER_ADDED)
    with pytest.raises(NotPermitted):
        actions.partnership_add_member(
            actor=_not_the_operator(world, who), partnership=world.partnership, organisation=outside
        )
    assert not PartnershipMember.objects.filter(organisation=outside).exists()
    assert _successes(AuditAction.PARTNERSHIP_MEMBER_ADDED) == events


def test_the_operator_still_creates_organisations_and_partnerships(world: DemoWorld) -> None:
    operator = Actor.system("tests")
    organisation = actions.organisation_create(
        actor=operator, name="Brookside Rugby Club", org_type="sport"
    )
    partnership = actions.partnership_create(
        actor=operator,
        name="Eastshire Partnership",
        purpose="Synthetic.",
        lawful_basis="Public task.",
        starts_on=date(2026, 1, 1),
    )
    actions.partnership_add_member(
        actor=operator, partnership=partnership, organisation=organisation
    )
    assert list(partnership.organisations.all()) == [organisation]
    # The demo loader acts as the operator too, and building again changes nothing.
    again = build_demo_world(is_demo=False)
    assert again.organisations == world.organisations


# --- a password is its owner's -----------------------------------------------------------------


def _session_of(user: User) -> UserSession:
    return UserSession.objects.create(session_key=f"{user.pk.hex[:24]}sessionkey", user=user)


@pytest.mark.parametrize(
    ("who", "reset"),
    [
        ("org_admin", False),  # the reporter's own administrator
        ("lead", False),
        ("other_org", False),
        ("lead", True),  # shaped like the reset flow, but for someone else
        ("system", False),
        ("anonymous", True),
    ],
)
def test_nobody_sets_another_persons_password(world: DemoWorld, who: str, reset: bool) -> None:
    reporter = world.users["reporter"]
    session = _session_of(reporter)
    if who == "system":
        actor = Actor.system("tests")
    elif who == "anonymous":
        actor = Actor(user=None, organisation=None)
    elif reset:  # the reset view acts as the link's user, in no organisation
        actor = Actor(user=world.users[who], organisation=None)
    else:
        actor = actor_for(world, who)
    with pytest.raises(NotPermitted):
        auth_actions.auth_password_set(
            actor=actor,
            user=reporter,
            new_password=NEW_PASSWORD,
            keep_session_key=None,
            reset=reset,
        )
    reporter.refresh_from_db()
    assert reporter.check_password(DEMO_PASSWORD)
    assert UserSession.objects.filter(pk=session.pk).exists()
    assert _successes(AuditAction.AUTH_PASSWORD_CHANGED) == 0
    assert _successes(AuditAction.AUTH_PASSWORD_RESET) == 0


def test_a_deactivated_account_cannot_set_its_password(world: DemoWorld) -> None:
    reporter = world.users["reporter"]
    User.objects.filter(pk=reporter.pk).update(is_active=False)
    reporter.refresh_from_db()
    with pytest.raises(NotPermitted):
        auth_actions.auth_password_set(
            actor=Actor(user=reporter, organisation=None),
            user=reporter,
            new_password=NEW_PASSWORD,
            keep_session_key=None,
            reset=True,
        )
    reporter.refresh_from_db()
    assert reporter.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize("reset", [False, True])
def test_a_user_sets_their_own_password(world: DemoWorld, reset: bool) -> None:
    """Changing it signed in (an actor in an organisation), or through the reset link (the
    reset view's actor: the link's user, in no organisation)."""
    reporter = world.users["reporter"]
    _session_of(reporter)
    actor = Actor(user=reporter, organisation=None) if reset else actor_for(world, "reporter")
    auth_actions.auth_password_set(
        actor=actor, user=reporter, new_password=NEW_PASSWORD, keep_session_key=None, reset=reset
    )
    reporter.refresh_from_db()
    assert reporter.check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=reporter).exists()
    event = AuditAction.AUTH_PASSWORD_RESET if reset else AuditAction.AUTH_PASSWORD_CHANGED
    assert _successes(event) == 1


# --- switching organisation needs an active membership -----------------------------------------


def _switch_refused(actor: Actor, organisation: Organisation) -> None:
    with pytest.raises(NotPermitted):
        auth_actions.organisation_switch(actor=actor, organisation=organisation)
    assert _successes(AuditAction.ORG_SWITCHED) == 0


def test_a_user_cannot_switch_into_an_organisation_they_do_not_belong_to(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    _switch_refused(lead, world.organisations["outside"])
    _switch_refused(Actor.system("tests"), world.organisations["outside"])
    _switch_refused(Actor(user=None, organisation=None), world.organisations["secondary"])


def test_a_deactivated_membership_or_organisation_refuses_the_switch(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    primary = world.organisations["primary"]
    membership = Membership.objects.create(
        user=world.users["lead"], organisation=primary, is_active=False
    )
    _switch_refused(lead, primary)
    Membership.objects.filter(pk=membership.pk).update(is_active=True)
    Organisation.objects.filter(pk=primary.pk).update(is_active=False)
    _switch_refused(lead, primary)


def test_a_member_switches_and_it_is_recorded(world: DemoWorld) -> None:
    primary = world.organisations["primary"]
    Membership.objects.create(user=world.users["lead"], organisation=primary)
    auth_actions.organisation_switch(actor=actor_for(world, "lead"), organisation=primary)
    event = AuditEvent.objects.get(action=AuditAction.ORG_SWITCHED)
    assert event.chain == str(primary.pk)
