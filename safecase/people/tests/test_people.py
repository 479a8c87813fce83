"""Person records: validation, identifiers, duplicates, optimistic locking, audited reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import actor_for as _actor
from conftest import client_for as _client
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.demo.personas import DemoWorld
from safecase.people import actions, selectors
from safecase.people.identifiers import InvalidIdentifier, normalise_identifier
from safecase.people.models import Person

pytestmark = pytest.mark.django_db

# Synthetic identifiers with valid check digits (not real people).
VALID_NHS = "943 476 5919"
VALID_UPN = "B801200005001"


def _child(world: DemoWorld, **extra: Any) -> Person:
    fields: dict[str, Any] = {
        "kind": "child",
        "given_names": "Amira Joy",
        "family_name": "Testwell",
        "date_of_birth": date(2014, 5, 17),
        **extra,
    }
    return actions.person_create(actor=_actor(world, "lead"), **fields)


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        ("nhs", VALID_NHS, "9434765919"),
        ("nhs", "9434765918", None),
        ("nhs", "12345", None),
        ("upn", VALID_UPN.lower(), VALID_UPN),
        ("upn", "A801200005001", None),
        ("other", "  ref  42 ", "REF 42"),
        ("other", "   ", None),
    ],
)
def test_identifiers_are_validated_and_normalised(
    scheme: str, value: str, expected: str | None
) -> None:
    if expected is None:
        with pytest.raises(InvalidIdentifier):
            normalise_identifier(scheme, value)
    else:
        assert normalise_identifier(scheme, value) == expected


def test_creating_a_person_records_identifiers_and_an_audit_event(world: DemoWorld) -> None:
    person = _child(world, identifiers=[("nhs", VALID_NHS), ("upn", VALID_UPN)], flags=["send"])
    assert {(i.scheme, i.value) for i in person.identifiers.all()} == {
        ("nhs", "9434765919"),
        ("upn", VALID_UPN),
    }
    event = AuditEvent.objects.get(action=AuditAction.PERSON_CREATED)
    assert event.subject_id == str(person.pk)
    assert "Testwell" not in str(event.changes)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"identifiers": [("nhs", "9434765918")]}, "not a valid NHS number"),
        ({"date_of_birth": date(2999, 1, 1)}, "future"),
        ({"family_name": "  "}, "in full"),
        ({"flags": ["royalty"]}, "Unknown flag"),
    ],
)
def test_bad_person_details_change_nothing(
    world: DemoWorld, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        _child(world, **extra)
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PERSON_CREATED).exists()


def test_an_identifier_cannot_belong_to_two_people_in_one_organisation(world: DemoWorld) -> None:
    _child(world, identifiers=[("nhs", VALID_NHS)])
    with pytest.raises(DomainError, match="already has this identifier"):
        _child(world, given_names="Other", identifiers=[("nhs", VALID_NHS)])
    assert Person.objects.count() == 1


def test_possible_duplicates_are_found_by_identifier_name_and_birth_date(
    world: DemoWorld,
) -> None:
    person = _child(world, identifiers=[("upn", VALID_UPN)])
    lead = _actor(world, "lead")

    def find(**kwargs: Any) -> list[Person]:
        base: dict[str, Any] = {
            "given_names": "X",
            "family_name": "Nobody",
            "date_of_birth": None,
            "identifiers": [],
        }
        return selectors.possible_duplicates(lead, **{**base, **kwargs})

    assert find(identifiers=[("upn", VALID_UPN)]) == [person]
    assert find(family_name="testwell", date_of_birth=date(2014, 5, 17)) == [person]
    assert find(given_names="Amy", family_name="Testwell") == [person]
    assert find(given_names="Amira", date_of_birth=date(2014, 5, 17)) == [person]
    assert find(given_names="Zed", family_name="Testwell", date_of_birth=date(2010, 1, 1)) == []
    # Another organisation's lead learns nothing about Riverside's children.
    other = _actor(world, "other_org")
    assert (
        selectors.possible_duplicates(
            other, given_names="Amira", family_name="Testwell", date_of_birth=None, identifiers=[]
        )
        == []
    )


def test_merge_candidates_are_only_the_organisations_own_people(world: DemoWorld) -> None:
    # A person shared with the police is one the police may see, but never one they could
    # merge a record of theirs with: the person page asks for its own organisation's only.
    from safecase.access import actions as access_actions

    person = _child(world)
    access_actions.share_grant(
        actor=_actor(world, "lead"),
        record=person,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    police = _actor(world, "partner_with_share")
    match: dict[str, Any] = {
        "given_names": "Amira",
        "family_name": "Testwell",
        "date_of_birth": date(2014, 5, 17),
        "identifiers": [],
    }
    assert selectors.possible_duplicates(police, **match) == [person]
    own = world.organisations["police"].pk
    assert selectors.possible_duplicates(police, **match, organisation_id=own) == []
    lead = _actor(world, "lead")
    riverside = person.organisation_id
    assert selectors.possible_duplicates(lead, **match, organisation_id=riverside) == [person]


def test_reporters_and_administrators_cannot_create_people(world: DemoWorld) -> None:
    for persona in ("reporter", "org_admin", "auditor"):
        with pytest.raises(NotPermitted):
            actions.person_create(
                actor=_actor(world, persona), kind="child", given_names="A", family_name="B"
            )


def test_a_stale_edit_is_refused_and_the_first_kept(world: DemoWorld) -> None:
    person = _child(world)
    lead = _actor(world, "lead")
    actions.person_update(actor=lead, person=person, version=1, preferred_name="Amy")
    with pytest.raises(Conflict):
        actions.person_update(actor=lead, person=person, version=1, preferred_name="Mira")
    person.refresh_from_db()
    assert (person.preferred_name, person.version) == ("Amy", 2)
    event = AuditEvent.objects.get(action=AuditAction.PERSON_UPDATED)
    assert event.changes == {"preferred_name": "[changed]"}


def test_the_create_page_warns_about_duplicates_before_saving(world: DemoWorld) -> None:
    _child(world)
    client = _client(world.users["lead"])
    data = {
        "kind": "child",
        "given_names": "Amira",
        "family_name": "Testwell",
        "date_of_birth": "2014-05-17",
        "gender": "not_known",
    }
    warned = client.post("/people/new/", data)
    assert warned.status_code == 422 and b"Possible matches" in warned.content
    assert Person.objects.count() == 1
    confirmed = client.post("/people/new/", {**data, "not_a_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "child", "given_names": "A", "family_name": "B", "date_of_birth": "17th of May"},
        {"kind": "child", "given_names": "A", "family_name": "B", "date_of_birth": "2014-02-30"},
        {"kind": "alien", "given_names": "A", "family_name": "B"},
        {"kind": "child", "given_names": "", "family_name": "B"},
        {"kind": "child", "given_names": "A", "family_name": "B", "identifier_value": "943"},
        {
            "kind": "child",
            "given_names": "A",
            "family_name": "B",
            "identifier_scheme": "nhs",
            "identifier_value": "9434765918",
        },
    ],
)
def test_bad_form_input_gets_a_clear_message_and_saves_nothing(
    world: DemoWorld, data: dict[str, str]
) -> None:
    client = _client(world.users["lead"])
    response = client.post("/people/new/", {"gender": "not_known", **data})
    assert response.status_code == 422
    assert b"There is a problem" in response.content
    assert not Person.objects.exists()


def test_viewing_a_person_is_audited_and_other_organisations_get_404(world: DemoWorld) -> None:
    person = _child(world)
    assert _client(world.users["lead"]).get(f"/people/{person.pk}/").status_code == 200
    viewed = AuditEvent.objects.get(action=AuditAction.RECORD_VIEWED)
    assert viewed.subject_id == str(person.pk)
    assert _client(world.users["other_org"]).get(f"/people/{person.pk}/").status_code == 404
    assert _client(world.users["primary_lead"]).get(f"/people/{person.pk}/").status_code == 404
    assert _client(world.users["reporter"]).get(f"/people/{person.pk}/").status_code == 403


def test_people_list_is_scoped_searchable_and_bounded(
    world: DemoWorld, django_assert_max_num_queries: Any
) -> None:
    _child(world, identifiers=[("upn", VALID_UPN)])
    client = _client(world.users["lead"])
    client.get("/people/")
    with django_assert_max_num_queries(12) as small:
        client.get("/people/")
    lead = _actor(world, "lead")
    for i in range(60):
        actions.person_create(
            actor=lead, kind="child", given_names=f"Kid{i:02d}", family_name="Zed"
        )
    with django_assert_max_num_queries(12) as large:
        page = client.get("/people/")
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(page.context["page"].items) == 50
    more = client.get("/people/", {"after": page.context["page"].next_cursor})
    assert len(more.context["page"].items) == 11
    assert [
        p.family_name for p in client.get("/people/", {"q": VALID_UPN}).context["page"].items
    ] == ["Testwell"]
    assert (
        client.get("/people/", {"q": "testwell"}).context["page"].items[0].given_names
        == "Amira Joy"
    )
    other = _client(world.users["other_org"]).get("/people/", {"q": "Testwell"})
    assert other.context["page"].items == []


def test_merging_moves_everything_to_the_survivor_and_keeps_the_duplicate(
    world: DemoWorld,
) -> None:
    from safecase.concerns.actions import concern_link_person
    from safecase.concerns.tests.test_concerns import submitted_concern

    lead = _actor(world, "lead")
    survivor = _child(world, identifiers=[("nhs", VALID_NHS)])
    duplicate = _child(world, given_names="Amira", identifiers=[("upn", VALID_UPN)], flags=["eal"])
    concern = submitted_concern(world)
    concern_link_person(actor=lead, concern_person=concern.people.get(), person=duplicate)
    client = _client(world.users["lead"])
    page = client.get(f"/people/{survivor.pk}/")
    assert b"This may be the same person" in page.content
    refused = client.post(
        f"/people/{survivor.pk}/merge/", {"duplicate": duplicate.pk, "reason": ""}
    )
    assert refused.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    client.post(
        f"/people/{survivor.pk}/merge/",
        {"duplicate": duplicate.pk, "reason": "Same NHS record; school admission error"},
    )
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    assert concern.people.get().person_id == survivor.pk
    assert {i.scheme for i in survivor.identifiers.all()} == {"nhs", "upn"}
    assert survivor.flags == ["eal"]
    assert duplicate not in selectors.people_visible_to(lead)
    event = AuditEvent.objects.get(action=AuditAction.PERSON_MERGED)
    assert event.changes["concern_names_moved"] == 1
    other = _client(world.users["other_org"]).post(
        f"/people/{survivor.pk}/merge/", {"duplicate": duplicate.pk, "reason": "x"}
    )
    assert other.status_code == 404
