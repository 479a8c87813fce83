"""Matching: on each identifier kind and on name + date of birth with normalisation variants;
never across a partnership boundary, never the asker's own organisation, never a restricted
person or one known only through restricted records; the index kept current by the people
actions and rebuilt in bulk."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import DemoWorld, actor_for
from safecase.access import actions as access_actions
from safecase.accounts.models import PartnershipMember
from safecase.cases import actions as case_actions
from safecase.cases.tests.helpers import open_case, restricted_case, second_lead
from safecase.concerns import actions as concern_actions
from safecase.partnerships.knownto import digests, index
from safecase.partnerships.knownto.models import KnownToDigest
from safecase.partnerships.knownto.tests.helpers import (
    BORN,
    NHS,
    OTHER_NHS,
    UPN,
    ask,
    known_to,
    person,
)
from safecase.people import actions as people_actions

pytestmark = pytest.mark.django_db

RIVERSIDE = "Riverside Academy"
OAKFIELD = "Oakfield Primary School"


@pytest.mark.parametrize(
    ("scheme", "stored", "asked"),
    [
        ("nhs", "943 476 5919", "943-476-5919"),
        ("nhs", "9434765919", " 943 476 5919 "),
        ("upn", UPN, UPN.lower()),
        ("upn", UPN, f"{UPN[:4]} {UPN[4:8]}-{UPN[8:]}"),
        ("la_child_id", "NS-12 345", "ns12345"),
        ("other", "ref 778-a", "REF778A"),
    ],
)
def test_it_matches_on_each_identifier_kind(
    world: DemoWorld, scheme: str, stored: str, asked: str
) -> None:
    person(world, identifiers=[(scheme, stored)])
    check = ask(world, identifiers=[(scheme, asked)])
    assert known_to(check) == [RIVERSIDE]
    assert check.digest_kinds == [scheme]


def test_a_kind_never_matches_another_kind_with_the_same_characters(world: DemoWorld) -> None:
    person(world, identifiers=[("other", NHS)])
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == []


@pytest.mark.parametrize(
    ("given", "family", "asked_given", "asked_family"),
    [
        ("Zoë", "O'Brien-Smith", "ZOE", "obrien smith"),
        ("Zoë", "O'Brien-Smith", "zoe", "O’Brien-Smith"),
        ("Zoë Anne", "O'Brien-Smith", "Zoe", "O'Brien Smith"),
        ("Zoë", "O'Brien-Smith", "Zoë  Anne", "OBRIENSMITH"),
        ("  Zoë ", "O'Brien - Smith", "zoë", "o'brien-smith."),
    ],
)
def test_it_matches_on_name_and_date_of_birth_whatever_the_spelling_details(
    world: DemoWorld, given: str, family: str, asked_given: str, asked_family: str
) -> None:
    person(world, given=given, family=family)
    check = ask(world, given_names=asked_given, family_name=asked_family, date_of_birth=BORN)
    assert known_to(check) == [RIVERSIDE]
    assert check.digest_kinds == ["name_dob"]


def test_it_matches_a_preferred_name(world: DemoWorld) -> None:
    person(world, given="Alexander", family="Demo-Student", preferred_name="Sasha")
    check = ask(world, given_names="Sasha", family_name="Demo Student", date_of_birth=BORN)
    assert known_to(check) == [RIVERSIDE]


def test_name_without_the_same_date_of_birth_does_not_match(world: DemoWorld) -> None:
    person(world)
    check = ask(
        world, given_names="Jamie", family_name="Example-Child", date_of_birth=date(2013, 3, 15)
    )
    assert known_to(check) == []
    person(world, org="primary", given="Jamie", family="Example-Child", born=None)
    assert known_to(
        ask(world, given_names="Jamie", family_name="Example-Child", date_of_birth=BORN)
    ) == [RIVERSIDE]


def test_it_lists_each_partner_once_whatever_the_number_of_records(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    person(world, given="James", identifiers=[("upn", UPN)])
    person(world, org="primary", identifiers=[("nhs", NHS)])
    check = ask(
        world,
        identifiers=[("nhs", NHS), ("upn", UPN)],
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=BORN,
    )
    assert known_to(check) == [OAKFIELD, RIVERSIDE]
    assert check.matched == 2
    assert check.digest_kinds == ["name_dob", "nhs", "upn"]


def test_it_never_matches_across_the_partnership_boundary(world: DemoWorld) -> None:
    """Westbrook Swimming Club is not in the partnership: its record is never found by a
    member, and a Westbrook lead finds nothing, not even Riverside's record."""
    person(world, org="outside", identifiers=[("nhs", NHS)])
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == []
    person(world, identifiers=[("nhs", NHS)])
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == [RIVERSIDE]
    assert known_to(ask(world, "other_org", identifiers=[("nhs", NHS)])) == []


def test_an_organisation_that_left_the_partnership_is_not_matched(world: DemoWorld) -> None:
    person(world, org="primary", identifiers=[("nhs", NHS)])
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == [OAKFIELD]
    PartnershipMember.objects.filter(organisation=world.organisations["primary"]).update(
        left_on=date(2026, 1, 2)
    )
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == []
    # ...and, having left, it reaches nobody either.
    person(world, identifiers=[("nhs", NHS)])
    assert known_to(ask(world, "primary_lead", identifiers=[("nhs", NHS)])) == []


def test_the_askers_own_organisation_is_never_listed(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    assert known_to(ask(world, "lead", identifiers=[("nhs", NHS)])) == []
    person(world, org="primary", identifiers=[("nhs", NHS)])
    assert known_to(ask(world, "lead", identifiers=[("nhs", NHS)])) == [OAKFIELD]


def test_a_person_restricted_to_named_people_is_never_matched(world: DemoWorld) -> None:
    child = person(world, identifiers=[("nhs", NHS)])
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == [RIVERSIDE]
    access_actions.record_restrict(
        actor=actor_for(world, "lead"),
        record=child,
        named_people=[],
        reason="A sensitive matter (synthetic).",
    )
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == []
    assert (
        known_to(ask(world, given_names="Jamie", family_name="Example-Child", date_of_birth=BORN))
        == []
    )


def test_a_person_known_only_through_a_restricted_case_is_never_matched(
    world: DemoWorld,
) -> None:
    adult = person(world, given="Terry", family="Coach-Adult", identifiers=[("other", "ST-77")])
    case = restricted_case(world, "case_worker")
    case_actions.case_add_subject(
        actor=second_lead(world),
        case=case,
        version=case.version,
        person=adult,
        role="adult_concerned",
    )
    assert known_to(ask(world, identifiers=[("other", "ST-77")])) == []
    # Known through an open case as well: the match says nothing of the restricted one.
    open_one = open_case(world, code="allegation", title="Another allegation (synthetic)")
    case_actions.case_add_subject(
        actor=actor_for(world, "lead"),
        case=open_one,
        version=open_one.version,
        person=adult,
        role="adult_concerned",
    )
    assert known_to(ask(world, identifiers=[("other", "ST-77")])) == [RIVERSIDE]


def test_the_index_follows_changes_to_the_person(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    child = person(world)
    people_actions.person_update(
        actor=lead, person=child, version=child.version, family_name="New-Name"
    )
    by_old = ask(world, given_names="Jamie", family_name="Example-Child", date_of_birth=BORN)
    by_new = ask(world, given_names="Jamie", family_name="New Name", date_of_birth=BORN)
    assert (known_to(by_old), known_to(by_new)) == ([], [RIVERSIDE])
    people_actions.person_add_identifier(actor=lead, person=child, scheme="nhs", value=NHS)
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == [RIVERSIDE]


def test_a_merged_duplicate_keeps_no_rows_and_the_survivor_is_found(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    survivor = person(world)
    duplicate = person(world, given="Jamie-Lee", identifiers=[("nhs", OTHER_NHS)])
    people_actions.person_merge(
        actor=lead, survivor=survivor, duplicate=duplicate, reason="Same child (synthetic)."
    )
    assert not KnownToDigest.objects.filter(person=duplicate).exists()
    assert known_to(ask(world, identifiers=[("nhs", OTHER_NHS)])) == [RIVERSIDE]


def test_the_index_holds_digests_only(world: DemoWorld) -> None:
    child = person(world, identifiers=[("nhs", NHS)])
    rows = list(KnownToDigest.objects.filter(person=child).values())
    assert {r["digest_kind"] for r in rows} == {"nhs", "name_dob"}
    text = repr(rows).lower()
    for value in (NHS, "jamie", "example", "2013"):
        assert value not in text


def test_a_rebuild_writes_what_the_actions_wrote(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS), ("upn", UPN)])
    person(world, org="primary", given="Riley", family="Sample-Pupil", preferred_name="Ri")
    kept = sorted(KnownToDigest.objects.values_list("person_id", "digest_kind", "digest"))
    KnownToDigest.objects.all().delete()
    assert index.rebuild() == len(kept)
    assert sorted(KnownToDigest.objects.values_list("person_id", "digest_kind", "digest")) == kept
    index.rebuild(organisation_id=world.organisations["primary"].pk)
    assert sorted(KnownToDigest.objects.values_list("person_id", "digest_kind", "digest")) == kept


def test_the_digests_depend_on_the_key(world: DemoWorld, settings: object) -> None:
    before = digests.identifier_digest("nhs", NHS)
    settings.SAFECASE_KNOWN_TO_KEY = "k" * 40  # type: ignore[attr-defined]
    assert digests.identifier_digest("nhs", NHS) != before
    settings.SAFECASE_KNOWN_TO_KEY = "too short"  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="at least 32"):
        digests.key()


def test_a_person_known_only_through_the_low_level_log_is_never_matched(
    world: DemoWorld,
) -> None:
    from safecase.concerns.tests.test_concerns import submitted_concern

    lead = actor_for(world, "lead")
    adult = person(world, given="Sam", family="Staff-Example", identifiers=[("other", "ST-9")])
    low = submitted_concern(
        world,
        persona="lead",
        kind="low_level_adult",
        people=[{"name": "Sam Staff-Example", "role": "subject"}],
    )
    concern_actions.concern_link_person(actor=lead, concern_person=low.people.get(), person=adult)
    assert known_to(ask(world, identifiers=[("other", "ST-9")])) == []
    child_concern = submitted_concern(
        world, people=[{"name": "Sam Staff-Example", "role": "subject"}]
    )
    concern_actions.concern_link_person(
        actor=lead, concern_person=child_concern.people.get(), person=adult
    )
    assert known_to(ask(world, identifiers=[("other", "ST-9")])) == [RIVERSIDE]


def test_the_rebuild_command(world: DemoWorld) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    person(world, identifiers=[("nhs", NHS)])
    KnownToDigest.objects.all().delete()
    out = StringIO()
    call_command("known_to_rebuild", stdout=out)
    assert "Known-to index rebuilt for every organisation: 2 digests" in out.getvalue()
    call_command(
        "known_to_rebuild", organisation=str(world.organisations["secondary"].pk), stdout=out
    )
    assert "rebuilt for Riverside Academy: 2 digests" in out.getvalue()
    assert known_to(ask(world, identifiers=[("nhs", NHS)])) == [RIVERSIDE]
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(CommandError):
            call_command("known_to_rebuild", organisation=bad, stdout=out)
