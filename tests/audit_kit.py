"""The kit for the audit reconciliation (tests/test_actions_audited.py): Riverside and helpers
that build what a scenario needs, and the Case row that says how to call one action. Shared so
that an app keeps its scenarios beside its code (``<app>/tests/audit_scenarios.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import actor_for
from safecase.access import actions as access_actions
from safecase.access.models import ShareGrant
from safecase.accounts import auth_actions
from safecase.accounts.models import ApiToken, Membership, Organisation
from safecase.audit.events import Outcome
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Attachment, Concern, ConcernAction, PatternAlert
from safecase.core.actors import Actor
from safecase.core.tests.test_files import png
from safecase.demo.personas import DemoWorld
from safecase.people import actions as people_actions
from safecase.people.models import Person

Call = Callable[[], Any]


@dataclass
class Kit:
    """Riverside (the demo's secondary school) and helpers that build what a scenario needs,
    through the real actions, before the call being checked."""

    world: DemoWorld
    _serial: list[int] = field(default_factory=lambda: [0])

    def actor(self, persona: str) -> Actor:
        return actor_for(self.world, persona)

    @property
    def org(self) -> Organisation:
        return self.world.organisations["secondary"]

    def system(self) -> Actor:
        return Actor.system("tests", organisation=self.org)

    @staticmethod
    def operator() -> Actor:
        """The installation's operator: a system actor acting for no one organisation."""
        return Actor.system("tests")

    @staticmethod
    def anonymous() -> Actor:
        return Actor(user=None, organisation=None)

    def serial(self) -> int:
        self._serial[0] += 1
        return self._serial[0]

    def membership(self, persona: str) -> Membership:
        return Membership.objects.get(user=self.world.users[persona], organisation=self.org)

    def person(self, given: str = "Jamie") -> Person:
        return people_actions.person_create(
            actor=self.actor("lead"),
            kind="child",
            given_names=f"{given}{self.serial()}",
            family_name="Example-Child",
            date_of_birth=date(2013, 3, 14),
        )

    def draft(self, persona: str = "reporter") -> Concern:
        return concern_actions.concern_save_draft(
            actor=self.actor(persona),
            concern=None,
            version=None,
            people=[{"name": "Jamie Example-Child", "details": "Year 8"}],
            category_codes=["neglect"],
            happened_at=timezone.now() - timedelta(days=1),
            location="Dining hall",
            fact="Jamie had no coat in the snow (synthetic).",
        )

    def concern(self, persona: str = "reporter") -> Concern:
        draft = self.draft(persona)
        return concern_actions.concern_submit(
            actor=self.actor(persona), concern=draft, version=draft.version
        )

    def action(self, owner: str = "reporter") -> ConcernAction:
        return concern_actions.action_create(
            actor=self.actor("lead"),
            concern=self.concern(),
            description="Phone the parent",
            owner=self.world.users[owner],
            due_on=timezone.localdate() + timedelta(days=3),
        )

    def alert(self) -> PatternAlert:
        child = self.person()
        concerns = [self.concern() for _ in range(3)]
        for concern in concerns:
            concern_actions.concern_link_person(
                actor=self.actor("lead"), concern_person=concern.people.get(), person=child
            )
        alerts = concern_actions.concern_evaluate_patterns(
            actor=self.system(), concern=concerns[-1]
        )
        assert alerts, "three concerns about one child should raise an alert"
        return alerts[0]

    def attachment(self) -> Attachment:
        return concern_actions.attachment_add(
            actor=self.actor("reporter"), concern=self.draft(), name="photo.png", data=png()
        )

    def grant(self) -> ShareGrant:
        return access_actions.share_grant(
            actor=self.actor("lead"),
            record=self.person(),
            to_organisation=self.world.organisations["police"],
            purpose="Joint enquiry (synthetic).",
            lawful_basis="Children Act 1989 s.47",
        )

    def token(self, persona: str = "lead") -> ApiToken:
        token, _ = auth_actions.api_token_create(
            actor=self.actor(persona), name="Laptop", days=30, with_mfa=True
        )
        return token

    def totp_device(self, persona: str) -> tuple[TOTPDevice, str]:
        key = auth_actions.new_totp_secret()
        device = TOTPDevice.objects.create(
            user=self.world.users[persona], name="Phone", key=key, confirmed=True
        )
        return device, f"{TOTP(bytes.fromhex(key)).token():06d}"


@dataclass(frozen=True)
class Case:
    """One action: what a successful call records, how to make one, and how to have the
    policy refuse one (or why the action has no policy check of its own)."""

    event: str
    success: Callable[[Kit], Call]
    refused: Callable[[Kit], Call] | None = None
    no_policy_check: str = ""
    outcome: str = Outcome.SUCCESS
