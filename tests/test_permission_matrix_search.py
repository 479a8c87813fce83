"""The permission matrix for /search/, and search against each record's own page.

Every member may open the search page (org.view); what it finds is decided per record. The
second test holds search to the record pages: for every persona and record, the record shows in
the results exactly when its page opens (200) for that persona.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from tests.matrix import PERSONAS, Endpoint, run_matrix, signed_in_client

pytestmark = pytest.mark.django_db

EVERYONE = 200
ENDPOINTS = [
    Endpoint("search page", "GET", lambda w: "/search/", EVERYONE),
    Endpoint("search for a name", "GET", lambda w: "/search/?q=Matrixchild", EVERYONE),
    Endpoint("search for an NHS number", "GET", lambda w: "/search/?q=943+476+5919", EVERYONE),
    Endpoint("search too long", "GET", lambda w: "/search/?q=" + "x" * 101, EVERYONE),
    Endpoint(
        "search with engine syntax",
        "GET",
        lambda w: "/search/?q=%27%22%29%3B+DROP+TABLE+x%3B+NEAR%28+%2A+OR",
        EVERYONE,
    ),
]


def _actor(world: DemoWorld, persona: str, roles: frozenset[str] | None = None) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user)
    return Actor(
        user=user,
        organisation=membership.organisation,
        roles=roles or frozenset(membership.role_names()),
    )


def _records(world: DemoWorld) -> dict[str, tuple[str, Any]]:
    """Records all named "Matrixchild", each indexed as the actions will index them."""
    from safecase.access.actions import share_grant
    from safecase.concerns.actions import concern_save_draft, concern_submit
    from safecase.insight.search import index_concern, index_person
    from safecase.people.actions import person_create

    lead = _actor(world, "lead")
    records: dict[str, tuple[str, Any]] = {}
    people = {}
    for key, given, identifiers in (
        ("riverside child", "Ada", [("nhs", "943 476 5919")]),
        ("shared child", "Bea", []),
    ):
        person = person_create(
            actor=lead,
            kind="child",
            given_names=given,
            family_name="Matrixchild",
            identifiers=identifiers,
        )
        index_person(person)
        people[key] = person
        records[key] = ("people", person.pk)
    share_grant(
        actor=lead,
        record=people["shared child"],
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry.",
        lawful_basis="Children Act 1989 s.47",
    )
    for persona in ("reporter", "case_worker", "other_org"):
        author = _actor(world, persona)
        draft = concern_save_draft(
            actor=author,
            concern=None,
            version=None,
            people=[{"name": f"Cy Matrixchild ({persona})"}],
            category_codes=["neglect"],
            happened_at=timezone.now(),
            fact="Seen in the matrix.",
        )
        concern = concern_submit(actor=author, concern=draft, version=draft.version)
        index_concern(concern)
        records[f"{persona}'s concern"] = ("concerns", concern.pk)
    return records


def test_permission_matrix_holds_for_search(world: DemoWorld) -> None:
    _records(world)
    assert run_matrix(world, ENDPOINTS) == []


def test_search_finds_a_record_exactly_when_its_page_opens(world: DemoWorld) -> None:
    records = _records(world)
    mismatches = []
    for persona in PERSONAS:
        client = signed_in_client(world.users[persona])
        html = client.get("/search/", {"q": "Matrixchild"}).content.decode()
        for name, (prefix, pk) in records.items():
            url = f"/{prefix}/{pk}/"
            opens = client.get(url).status_code == 200
            found = f'href="{url}"' in html
            if opens != found:
                mismatches.append(f"{persona}: {name} page opens={opens}, found by search={found}")
    assert mismatches == []
    # The data must give both answers, or the comparison proves nothing.
    lead_html = signed_in_client(world.users["lead"]).get("/search/?q=Matrixchild").content
    for _, pk in (records["riverside child"], records["shared child"]):
        assert f'href="/people/{pk}/"'.encode() in lead_html
    westbrook = records["other_org's concern"][1]
    assert f'href="/concerns/{westbrook}/"'.encode() not in lead_html
