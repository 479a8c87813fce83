"""The permission matrix for step-up re-authentication (security bar A5, Z2).

The step-up page is every signed-in user's own (``account.self``): each persona may open it,
and a wrong code is refused (422) for each, with no access denial. The chronology downloads are
run twice: by sessions that have not stepped up (whoever may read people is sent to the step-up
page, the others get their 403) and by sessions that stepped up a moment ago (the Riverside team
downloads, other readers get 404 for a child outside their scope, the others still 403). The
case bundle alike: only the owning organisation's case team downloads it once stepped up.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

import tests.matrix
from safecase.accounts.tests.stepping_up import stepped_up_client
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create
from safecase.people.models import Person
from tests.matrix import PERSONAS, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

PEOPLE_READERS = (
    "lead",
    "deputy",
    "case_worker",
    "partner_with_share",
    "partner_without",
    "other_org",
    "primary_lead",
)
RIVERSIDE_TEAM = {"lead": 200, "deputy": 200, "case_worker": 200}
# Whoever holds case.view; only Riverside's own case team may export Riverside's case (a
# partner reading it through a share exports nothing: 404, as for anyone else outside).
CASE_READERS = ("lead", "deputy", "case_worker", *PEOPLE_READERS[3:])


def _riverside_child(world: DemoWorld) -> str:
    person = Person.objects.filter(organisation=world.organisations["secondary"]).first()
    assert person is not None
    return str(person.pk)


def _csv(world: DemoWorld) -> str:
    return f"/people/{_riverside_child(world)}/chronology.csv"


def _pdf(world: DemoWorld) -> str:
    return f"/people/{_riverside_child(world)}/chronology.pdf"


def _bundle(world: DemoWorld) -> str:
    case = Case.objects.filter(organisation=world.organisations["secondary"]).first()
    assert case is not None
    return f"/cases/{case.pk}/bundle.pdf"


@pytest.fixture
def world_with_child(world: DemoWorld) -> DemoWorld:
    person_create(
        actor=Actor(
            user=world.users["lead"],
            organisation=world.organisations["secondary"],
            roles=frozenset({"lead"}),
        ),
        kind="child",
        given_names="Matrix",
        family_name="Child",
    )
    open_case(world)  # Riverside's case, for the case bundle
    return world


NOT_STEPPED_UP = [
    Endpoint("step-up page", "GET", lambda w: "/account/step-up/", 200),
    Endpoint(
        "step-up page for a download",
        "GET",
        lambda w: f"/account/step-up/?next={quote(_csv(w), safe='')}",
        200,
        # The MFA gate does not ask the reporter for a second factor, so neither does the
        # step-up: the page sends them straight on (where the download answers 403).
        {"reporter": 302},
    ),
    Endpoint(
        "step-up with a wrong code",
        "POST",
        lambda w: "/account/step-up/",
        422,
        data={"token": "not-a-code", "next": "/"},
    ),
    Endpoint(
        "chronology CSV before stepping up",
        "GET",
        _csv,
        403,
        dict.fromkeys(PEOPLE_READERS, 302),
    ),
    Endpoint(
        "chronology PDF before stepping up",
        "GET",
        _pdf,
        403,
        dict.fromkeys(PEOPLE_READERS, 302),
    ),
    Endpoint(
        "case bundle before stepping up",
        "GET",
        _bundle,
        403,
        dict.fromkeys(CASE_READERS, 302),
    ),
]

STEPPED_UP = [
    Endpoint(
        "chronology CSV once stepped up",
        "GET",
        _csv,
        403,
        {**dict.fromkeys(PEOPLE_READERS, 404), **RIVERSIDE_TEAM},
    ),
    Endpoint(
        "chronology PDF once stepped up",
        "GET",
        _pdf,
        403,
        {**dict.fromkeys(PEOPLE_READERS, 404), **RIVERSIDE_TEAM},
    ),
    Endpoint(
        "case bundle once stepped up",
        "GET",
        _bundle,
        403,
        {**dict.fromkeys(CASE_READERS, 404), **RIVERSIDE_TEAM},
    ),
    # Stepped up a moment ago: the page sends the user straight on to the download.
    Endpoint(
        "step-up page for a download, once stepped up",
        "GET",
        lambda w: f"/account/step-up/?next={quote(_csv(w), safe='')}",
        302,
    ),
]


def test_the_matrix_covers_every_persona() -> None:
    assert set(PEOPLE_READERS) < set(PERSONAS)


def test_step_up_matrix_before_stepping_up(world_with_child: DemoWorld) -> None:
    assert run_matrix(world_with_child, NOT_STEPPED_UP) == []


def test_step_up_matrix_once_stepped_up(
    world_with_child: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tests.matrix, "signed_in_client", stepped_up_client)
    assert run_matrix(world_with_child, STEPPED_UP) == []
