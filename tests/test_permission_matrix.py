"""The permission matrix for every endpoint so far (security bar Z2, Z5, Z7).

Reading: default is what any signed-in persona gets unless listed. Organisation pages answer
403 to a role without the permission; records outside the actor's scope answer 404.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from safecase.accounts import auth_actions
from safecase.accounts.models import ApiToken, Membership
from safecase.concerns.actions import concern_save_draft, concern_submit
from safecase.concerns.models import Concern
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create
from safecase.people.models import Person
from tests.matrix import Endpoint, run_matrix


def _membership_url(world: DemoWorld, persona: str, suffix: str = "") -> str:
    membership = Membership.objects.get(user=world.users[persona])
    return f"/organisation/members/{membership.pk}/{suffix}"


def _lead_token(world: DemoWorld) -> str:
    token = ApiToken.objects.filter(user=world.users["lead"]).first()
    assert token is not None
    return str(token.pk)


def _concern_by(world: DemoWorld, persona: str) -> str:
    concern = Concern.objects.filter(recorded_by=world.users[persona]).first()
    assert concern is not None
    return str(concern.pk)


def _riverside_child(world: DemoWorld) -> str:
    person = Person.objects.filter(organisation=world.organisations["secondary"]).first()
    assert person is not None
    return str(person.pk)


ADMINS = {"org_admin": 200, "primary_lead": 200}
# Who may see people: Riverside's safeguarding team, and other organisations' leads and
# practitioners (their own people only); the reporter, administrator and auditor may not.
PEOPLE_READERS = {
    "lead": 200,
    "deputy": 200,
    "case_worker": 200,
    "partner_with_share": 200,
    "partner_without": 200,
    "other_org": 200,
    "primary_lead": 200,
}
PEOPLE_MANAGERS = dict.fromkeys(("lead", "deputy", "case_worker", "other_org", "primary_lead"), 200)
RIVERSIDE_TEAM = {"lead": 200, "deputy": 200, "case_worker": 200}
RECORDERS = dict.fromkeys(
    (
        "reporter",
        "lead",
        "deputy",
        "case_worker",
        "partner_with_share",
        "partner_without",
        "other_org",
        "primary_lead",
    ),
    200,
)
OUTSIDERS_404 = dict.fromkeys(
    ("partner_with_share", "partner_without", "other_org", "primary_lead"), 404
)

ENDPOINTS = [
    Endpoint("home", "GET", lambda w: "/", 200),
    Endpoint("account", "GET", lambda w: "/account/", 200),
    Endpoint("api tokens page", "GET", lambda w: "/api-tokens/", 200),
    Endpoint("members", "GET", lambda w: "/organisation/members/", 403, ADMINS),
    Endpoint("invite form", "GET", lambda w: "/organisation/members/invite/", 403, ADMINS),
    Endpoint("settings", "GET", lambda w: "/organisation/settings/", 403, ADMINS),
    # Riverside's member, seen by Riverside's admin only; Oakfield's admin gets 404, not 403.
    Endpoint(
        "member detail (Riverside)",
        "GET",
        lambda w: _membership_url(w, "reporter"),
        403,
        {"org_admin": 200, "primary_lead": 404},
    ),
    Endpoint(
        "deactivate member (Riverside) without a reason",
        "POST",
        lambda w: _membership_url(w, "reporter", "deactivate/"),
        403,
        {"org_admin": 422, "primary_lead": 404},
    ),
    Endpoint(
        "sign a Riverside member out everywhere without a reason",
        "POST",
        lambda w: _membership_url(w, "reporter", "end-sessions/"),
        403,
        {"org_admin": 422, "primary_lead": 404},
    ),
    Endpoint(
        "reset a Riverside member's MFA without a reason",
        "POST",
        lambda w: _membership_url(w, "lead", "reset-mfa/"),
        403,
        {"org_admin": 422, "primary_lead": 404},
    ),
    Endpoint("audit trail", "GET", lambda w: "/audit/", 403, {"auditor": 200}),
    Endpoint(
        "revoke the lead's token (web)",
        "POST",
        lambda w: f"/api-tokens/{_lead_token(w)}/revoke/",
        404,
        {"lead": 302},
    ),
    Endpoint("people list", "GET", lambda w: "/people/", 403, PEOPLE_READERS),
    Endpoint("add person form", "GET", lambda w: "/people/new/", 403, PEOPLE_MANAGERS),
    Endpoint(
        "Riverside child",
        "GET",
        lambda w: f"/people/{_riverside_child(w)}/",
        403,
        {**dict.fromkeys(PEOPLE_READERS, 404), **RIVERSIDE_TEAM},
    ),
    Endpoint(
        "edit Riverside child",
        "GET",
        lambda w: f"/people/{_riverside_child(w)}/edit/",
        403,
        {**RIVERSIDE_TEAM, "other_org": 404, "primary_lead": 404},
    ),
    # Downloads ask for a step-up first (security bar A5): without one, whoever may read people
    # is sent to the step-up page (302). The same rows once stepped up (200 or 404) are in
    # tests/test_permission_matrix_step_up.py.
    Endpoint(
        "Riverside child's chronology as CSV",
        "GET",
        lambda w: f"/people/{_riverside_child(w)}/chronology.csv",
        403,
        dict.fromkeys(PEOPLE_READERS, 302),
    ),
    Endpoint(
        "Riverside child's chronology as PDF",
        "GET",
        lambda w: f"/people/{_riverside_child(w)}/chronology.pdf",
        403,
        dict.fromkeys(PEOPLE_READERS, 302),
    ),
    Endpoint("record a concern", "GET", lambda w: "/concerns/new/", 403, RECORDERS),
    Endpoint("my concerns", "GET", lambda w: "/concerns/mine/", 403, RECORDERS),
    Endpoint(
        "triage queue",
        "GET",
        lambda w: "/concerns/queue/",
        403,
        {"lead": 200, "deputy": 200, "other_org": 200, "primary_lead": 200},
    ),
    Endpoint(
        "the reporter's concern",
        "GET",
        lambda w: f"/concerns/{_concern_by(w, 'reporter')}/",
        403,
        {**OUTSIDERS_404, "reporter": 200, "lead": 200, "deputy": 200, "case_worker": 200},
    ),
    Endpoint(
        "the case worker's concern",
        "GET",
        lambda w: f"/concerns/{_concern_by(w, 'case_worker')}/",
        403,
        {**OUTSIDERS_404, "reporter": 404, "lead": 200, "deputy": 200, "case_worker": 200},
    ),
    Endpoint(
        "triage the reporter's concern",
        "GET",
        lambda w: f"/concerns/{_concern_by(w, 'reporter')}/triage/",
        403,
        {"lead": 200, "deputy": 200, "other_org": 404, "primary_lead": 404},
    ),
    Endpoint(
        "edit the reporter's submitted concern as a draft",
        "GET",
        lambda w: f"/concerns/{_concern_by(w, 'reporter')}/edit/",
        403,
        dict.fromkeys(RECORDERS, 404),
    ),
    Endpoint("api me", "GET", lambda w: "/api/v1/me", 200, api=True),
    Endpoint("api organisations", "GET", lambda w: "/api/v1/organisations", 200, api=True),
    Endpoint("api memberships", "GET", lambda w: "/api/v1/memberships", 403, ADMINS, api=True),
    Endpoint("api tokens", "GET", lambda w: "/api/v1/tokens", 200, api=True),
    Endpoint(
        "api revoke the lead's token",
        "POST",
        lambda w: f"/api/v1/tokens/{_lead_token(w)}/revoke",
        404,
        {"lead": 200},
        api=True,
    ),
    Endpoint("api schema", "GET", lambda w: "/api/v1/schema/", 200, api=True),
]


@pytest.mark.django_db
def test_permission_matrix_holds_for_every_persona(world: DemoWorld) -> None:
    lead = world.users["lead"]
    auth_actions.api_token_create(
        actor=Actor(
            user=lead, organisation=world.organisations["secondary"], roles=frozenset({"lead"})
        ),
        name="matrix",
        days=30,
        with_mfa=True,
    )
    person_create(
        actor=Actor(
            user=lead, organisation=world.organisations["secondary"], roles=frozenset({"lead"})
        ),
        kind="child",
        given_names="Matrix",
        family_name="Child",
    )
    for persona in ("reporter", "case_worker"):
        user = world.users[persona]
        membership = Membership.objects.get(user=user)
        author = Actor(
            user=user,
            organisation=membership.organisation,
            roles=frozenset(membership.role_names()),
        )
        draft = concern_save_draft(
            actor=author,
            concern=None,
            version=None,
            people=[{"name": "Matrix Child"}],
            category_codes=["neglect"],
            happened_at=timezone.now(),
            fact="Seen in the matrix.",
        )
        concern_submit(actor=author, concern=draft, version=draft.version)
    assert run_matrix(world, ENDPOINTS) == []
