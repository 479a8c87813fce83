"""The people and concerns API: scope, optimistic locking, validation, mass assignment, audit,
paging and query counts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import actor_for
from safecase.access.actions import share_grant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Addendum, Concern, ConcernAction, ConcernPerson, Triage
from safecase.demo.personas import DemoWorld
from safecase.people import actions as people_actions
from safecase.people.models import Person, PersonIdentifier

pytestmark = pytest.mark.django_db

# Synthetic identifiers with valid check digits (not real people).
VALID_NHS = "943 476 5919"
VALID_UPN = "B801200005001"
FUTURE = (timezone.localdate() + timedelta(days=14)).isoformat()


def send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        url,
        data=json_body(body),
        content_type="application/json",
        headers=headers,
    )


def json_body(body: Any) -> str:
    return json.dumps(body if body is not None else {})


def events(action: AuditAction) -> int:
    return AuditEvent.objects.filter(action=action).count()


def make_person(world: DemoWorld, persona: str = "lead", **extra: Any) -> Person:
    fields: dict[str, Any] = {
        "kind": "child",
        "given_names": "Amira Joy",
        "family_name": "Testwell",
        "date_of_birth": date(2014, 5, 17),
        **extra,
    }
    return people_actions.person_create(actor=actor_for(world, persona), **fields)


DRAFT: dict[str, Any] = {
    "people": [{"name": "Jamie Example-Child", "details": "Year 8", "role": "subject"}],
    "category_codes": ["physical"],
    "location": "Playground",
    "fact": "A purple bruise, about 3 cm, on the left forearm.",
    "own_words": "My step-dad grabbed me.",
    "opinion": "I think Jamie was frightened.",
}


def make_draft(world: DemoWorld, persona: str = "reporter", **extra: Any) -> Concern:
    fields: dict[str, Any] = {
        **DRAFT,
        "happened_at": timezone.now() - timedelta(hours=2),
        **extra,
    }
    return concern_actions.concern_save_draft(
        actor=actor_for(world, persona), concern=None, version=None, **fields
    )


def make_submitted(world: DemoWorld, persona: str = "reporter", **extra: Any) -> Concern:
    draft = make_draft(world, persona, **extra)
    return concern_actions.concern_submit(
        actor=actor_for(world, persona), concern=draft, version=draft.version
    )


TRIAGE: dict[str, Any] = {
    "level_of_need": 3,
    "rag": "amber",
    "initial_risk": "Possible physical harm at home.",
    "decision": "refer",
    "rationale": "Disclosure of physical harm by a parent: refer to children's social care.",
}


# --- People ---------------------------------------------------------------------------------


def test_people_search_is_scoped_and_paged(world: DemoWorld, api: Any) -> None:
    mine = make_person(world)
    make_person(world, given_names="Bea", family_name="Other")
    decoy = make_person(world, "other_org")  # same name, another organisation
    response = api("lead").get("/api/v1/people?q=testwell")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [str(mine.pk)] and str(decoy.pk) not in ids
    row = response.json()["results"][0]
    assert row["display_name"] == "Amira Joy Testwell" and row["version"] == 1
    paged = api("lead").get("/api/v1/people?page_size=1")
    assert len(paged.json()["results"]) == 1 and paged.json()["next"]
    rest = api("lead").get(paged.json()["next"])
    assert len(rest.json()["results"]) == 1 and rest.json()["next"] is None
    assert {r["id"] for r in paged.json()["results"] + rest.json()["results"]} == {
        str(mine.pk),
        str(Person.objects.get(given_names="Bea").pk),
    }


def test_a_cursor_or_page_size_we_cannot_use_answers_4xx_not_500(
    world: DemoWorld, api: Any
) -> None:
    make_person(world)
    # Base64 of ["x", "y", "not-a-uuid"]: well formed, wrong types.
    response = api("lead").get("/api/v1/people?cursor=WyJ4IiwgInkiLCAibm90LWEtdXVpZCJd")
    assert response.status_code == 404
    assert api("lead").get("/api/v1/people?cursor=%%%").status_code == 200
    for size in ("0", "201", "ten", "-1"):
        refused = api("lead").get(f"/api/v1/people?page_size={size}")
        assert refused.status_code == 400 and "page_size" in refused.json()


def test_creating_a_person_returns_etag_location_and_is_audited(world: DemoWorld, api: Any) -> None:
    body = {
        "kind": "child",
        "given_names": "Amira  Joy",
        "family_name": "Testwell",
        "date_of_birth": "2014-05-17",
        "flags": ["send"],
        "identifiers": [{"scheme": "nhs", "value": VALID_NHS}],
    }
    response = send(api("lead"), "POST", "/api/v1/people", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["ETag"] == '"1"'
    assert response["Location"] == f"/api/v1/people/{data['id']}"
    assert data["given_names"] == "Amira Joy"
    assert data["identifiers"] == [{"scheme": "nhs", "value": "9434765919"}]
    person = Person.objects.get(pk=data["id"])
    assert person.organisation == world.organisations["secondary"]
    event = AuditEvent.objects.get(action=AuditAction.PERSON_CREATED)
    assert event.channel == "api" and event.subject_id == str(person.pk)
    assert "Testwell" not in str(event.changes)  # names never go into the trail


def test_creating_a_possible_duplicate_needs_confirmation(world: DemoWorld, api: Any) -> None:
    existing = make_person(world)
    body = {"given_names": "Amira", "family_name": "Testwell", "date_of_birth": "2014-05-17"}
    refused = send(api("lead"), "POST", "/api/v1/people", body)
    assert refused.status_code == 409
    assert [d["id"] for d in refused.json()["possible_duplicates"]] == [str(existing.pk)]
    assert Person.objects.count() == 1
    confirmed = send(api("lead"), "POST", "/api/v1/people", {**body, "not_a_duplicate": True})
    assert confirmed.status_code == 201
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"identifiers": [{"scheme": "nhs", "value": "9434765918"}]}, "identifiers"),
        ({"identifiers": [{"scheme": "passport", "value": "X1"}]}, "identifiers"),
        ({"date_of_birth": "17/05/2014"}, "date_of_birth"),
        ({"date_of_birth": "2014-02-30"}, "date_of_birth"),
        ({"date_of_birth": FUTURE}, "date_of_birth"),
        ({"flags": ["astrology"]}, "flags"),
        ({"family_name": ""}, "family_name"),
        ({"kind": "alien"}, "kind"),
        ({"given_names": None}, "given_names"),
    ],
)
def test_bad_person_input_is_refused_by_field_and_nothing_saved(
    world: DemoWorld, api: Any, change: dict[str, Any], field: str
) -> None:
    body = {"given_names": "Amira", "family_name": "Testwell", **change}
    response = send(api("lead"), "POST", "/api/v1/people", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Person.objects.exists() and not PersonIdentifier.objects.exists()
    assert events(AuditAction.PERSON_CREATED) == 0


def test_mass_assignment_cannot_set_organisation_creator_or_version(
    world: DemoWorld, api: Any
) -> None:
    body = {
        "given_names": "Amira",
        "family_name": "Testwell",
        "organisation": str(world.organisations["outside"].pk),
        "organisation_id": str(world.organisations["outside"].pk),
        "created_by": str(world.users["other_org"].pk),
        "version": 99,
        "merged_into": str(make_person(world, "other_org").pk),
    }
    response = send(api("lead"), "POST", "/api/v1/people", body)
    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["id"])
    assert person.organisation == world.organisations["secondary"]
    assert person.created_by == world.users["lead"]
    assert person.version == 1 and person.merged_into is None

    patch = send(
        api("lead"),
        "PATCH",
        f"/api/v1/people/{person.pk}",
        {
            "preferred_name": "Mira",
            "organisation": str(world.organisations["outside"].pk),
            "version": 50,
            "created_by": str(world.users["other_org"].pk),
        },
        if_match='"1"',
    )
    assert patch.status_code == 200
    person.refresh_from_db()
    assert person.preferred_name == "Mira" and person.version == 2
    assert person.organisation == world.organisations["secondary"]
    assert person.created_by == world.users["lead"]


def test_reading_a_person_gives_etag_and_is_audited(world: DemoWorld, api: Any) -> None:
    person = make_person(world, identifiers=[("upn", VALID_UPN)])
    response = api("lead").get(f"/api/v1/people/{person.pk}")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["identifiers"] == [{"scheme": "upn", "value": VALID_UPN}]
    viewed = AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED)
    assert viewed.filter(subject_id=str(person.pk)).count() == 1


def test_changing_a_person_needs_a_current_if_match(world: DemoWorld, api: Any) -> None:
    person = make_person(world)
    url = f"/api/v1/people/{person.pk}"
    body = {"preferred_name": "Mira"}
    missing = send(api("lead"), "PATCH", url, body)
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    star = send(api("lead"), "PATCH", url, body, if_match="*")
    assert star.status_code == 428
    stale = send(api("lead"), "PATCH", url, body, if_match='"7"')
    assert stale.status_code == 412 and "changed" in stale.json()["detail"]
    for unusable in ('W/"1"', '"1', '"x"', '"2", "3"'):
        assert send(api("lead"), "PATCH", url, body, if_match=unusable).status_code == 412
    person.refresh_from_db()
    assert person.preferred_name == "" and person.version == 1
    assert events(AuditAction.PERSON_UPDATED) == 0

    ok = send(api("lead"), "PATCH", url, body, if_match='"0", "1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    assert ok.json()["preferred_name"] == "Mira" and ok.json()["family_name"] == "Testwell"
    assert events(AuditAction.PERSON_UPDATED) == 1
    again = send(api("lead"), "PATCH", url, {"preferred_name": "Amy"}, if_match='"1"')
    assert again.status_code == 412
    person.refresh_from_db()
    assert person.preferred_name == "Mira"


def test_a_change_that_lands_between_check_and_write_is_refused(
    world: DemoWorld, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If-Match passes, then someone else saves first: the action's own check answers 412."""
    person = make_person(world)
    original = people_actions.person_update

    def someone_else_first(**kwargs: Any) -> Person:
        original(actor=actor_for(world, "deputy"), person=person, version=1, given_names="Zed")
        return original(**kwargs)

    monkeypatch.setattr(people_actions, "person_update", someone_else_first)
    response = send(
        api("lead"), "PATCH", f"/api/v1/people/{person.pk}", {"family_name": "X"}, if_match='"1"'
    )
    assert response.status_code == 412
    person.refresh_from_db()
    assert (person.given_names, person.family_name, person.version) == ("Zed", "Testwell", 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"given_names": ""}, "given_names"),
        ({"gender": "x"}, "gender"),
        ({}, "detail"),
    ],
)
def test_bad_changes_are_refused_and_the_person_unchanged(
    world: DemoWorld, api: Any, body: dict[str, Any], field: str
) -> None:
    person = make_person(world)
    response = send(api("lead"), "PATCH", f"/api/v1/people/{person.pk}", body, if_match='"1"')
    assert response.status_code == 400 and field in response.json()
    person.refresh_from_db()
    assert person.version == 1 and person.given_names == "Amira Joy"


def test_other_organisations_get_404_and_a_share_allows_reading_only(
    world: DemoWorld, api: Any
) -> None:
    person = make_person(world)
    url = f"/api/v1/people/{person.pk}"
    for persona in ("other_org", "primary_lead", "partner_with_share"):
        assert api(persona).get(url).status_code == 404
        assert api(persona).get(f"{url}/chronology").status_code == 404
    assert (
        send(api("other_org"), "PATCH", url, {"given_names": "X"}, if_match='"1"').status_code
        == 404
    )
    share_grant(
        actor=actor_for(world, "lead"),
        record=person,
        to_organisation=world.organisations["police"],
        purpose="Joint strategy discussion",
        lawful_basis="Children Act 1989 s47",
    )
    assert api("partner_with_share").get(url).status_code == 200
    assert api("partner_with_share").get(f"{url}/chronology").json()["entries"] == []
    assert api("partner_without").get(url).status_code == 404
    refused = send(api("partner_with_share"), "PATCH", url, {"given_names": "X"}, if_match='"1"')
    assert refused.status_code == 403
    person.refresh_from_db()
    assert person.given_names == "Amira Joy"


def test_adding_an_identifier(world: DemoWorld, api: Any) -> None:
    person = make_person(world)
    other = make_person(world, given_names="Bea", identifiers=[("nhs", VALID_NHS)])
    url = f"/api/v1/people/{person.pk}/identifiers"
    ok = send(api("lead"), "POST", url, {"scheme": "upn", "value": VALID_UPN.lower()})
    assert ok.status_code == 201
    assert ok.json()["identifiers"] == [{"scheme": "upn", "value": VALID_UPN}]
    assert events(AuditAction.PERSON_IDENTIFIER_ADDED) == 1
    bad = send(api("lead"), "POST", url, {"scheme": "nhs", "value": "9434765918"})
    assert bad.status_code == 400 and "value" in bad.json()
    taken = send(api("lead"), "POST", url, {"scheme": "nhs", "value": VALID_NHS})
    assert taken.status_code == 400 and "already has" in taken.json()["value"][0]
    assert list(person.identifiers.values_list("scheme", flat=True)) == ["upn"]
    assert other.identifiers.count() == 1
    assert events(AuditAction.PERSON_IDENTIFIER_ADDED) == 1


def test_chronology_lists_what_the_actor_may_see(world: DemoWorld, api: Any) -> None:
    person = make_person(world)
    concern = make_submitted(world)
    named = concern.people.get()
    concern_actions.concern_link_person(
        actor=actor_for(world, "lead"), concern_person=named, person=person
    )
    make_submitted(world, kind="low_level_adult")  # not linked: never appears
    response = api("case_worker").get(f"/api/v1/people/{person.pk}/chronology")
    assert response.status_code == 200
    entries = response.json()["entries"]
    assert [(e["kind"], e["concern_id"]) for e in entries] == [("Concern", str(concern.pk))]
    assert set(entries[0]) == {
        "when",
        "kind",
        "title",
        "summary",
        "concern_id",
        "approximate",
        "significant",
    }
    assert response.json()["total"] == 1
    assert response.json()["older"] is None and response.json()["newer"] is None
    assert entries[0]["summary"].startswith("A purple bruise")
    assert api("reporter").get(f"/api/v1/people/{person.pk}/chronology").status_code == 403
    assert api("other_org").get(f"/api/v1/people/{person.pk}/chronology").status_code == 404


def test_chronology_comes_a_page_at_a_time_both_ways(world: DemoWorld, api: Any) -> None:
    person = make_person(world)
    for _ in range(5):
        concern_actions.concern_link_person(
            actor=actor_for(world, "lead"),
            concern_person=make_submitted(world).people.get(),
            person=person,
        )
    client = api("lead")
    url = f"/api/v1/people/{person.pk}/chronology"
    everything = client.get(url).json()
    assert everything["total"] == 5 and len(everything["entries"]) == 5
    first = client.get(url, {"page_size": "2"}).json()
    assert first["newer"] is None and first["total"] == 5
    second = client.get(first["older"]).json()
    third = client.get(second["older"]).json()
    assert third["older"] is None
    walked = [e["concern_id"] for page in (first, second, third) for e in page["entries"]]
    assert walked == [e["concern_id"] for e in everything["entries"]]
    back = client.get(third["newer"]).json()
    assert back["entries"] == second["entries"]
    for bad in ("0", "201", "x", "²", "-1"):
        response = client.get(url, {"page_size": bad})
        assert response.status_code == 400 and "page_size" in response.json()
    junk = client.get(url, {"older": "not-a-cursor"}).json()
    assert junk["entries"] == everything["entries"]


# --- Concerns: recording --------------------------------------------------------------------


def test_recording_a_draft_then_submitting_it(world: DemoWorld, api: Any) -> None:
    reporter = api("reporter")
    body = {
        **DRAFT,
        "is_urgent": True,
        "happened_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "body_marks": [{"side": "front", "region": "left_forearm", "description": "3 cm bruise"}],
    }
    made = send(reporter, "POST", "/api/v1/concerns", body)
    assert made.status_code == 201, made.json()
    data = made.json()
    assert made["ETag"] == '"1"' and made["Location"] == f"/api/v1/concerns/{data['id']}"
    assert data["status"] == "draft" and data["opinion"] == "I think Jamie was frightened."
    assert [c["code"] for c in data["categories"]] == ["physical"]
    assert data["people"][0]["name"] == "Jamie Example-Child"
    assert data["body_map"][0]["region"] == "left_forearm"
    assert events(AuditAction.CONCERN_DRAFT_SAVED) == 1
    url = f"/api/v1/concerns/{data['id']}"
    assert reporter.get(url).status_code == 200
    assert api("lead").get(url).status_code == 404  # a draft is its author's alone

    missing = send(reporter, "POST", f"{url}/submit")
    assert missing.status_code == 428
    stale = send(reporter, "POST", f"{url}/submit", if_match='"3"')
    assert stale.status_code == 412
    assert Concern.objects.get(pk=data["id"]).status == "draft"
    submitted = send(reporter, "POST", f"{url}/submit", if_match='"1"')
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted" and submitted["ETag"] == '"2"'
    assert events(AuditAction.CONCERN_SUBMITTED) == 1
    assert api("lead").get(url).status_code == 200
    # Submitted: never changed again; PATCH finds no draft.
    assert send(reporter, "PATCH", url, {"fact": "x"}, if_match='"2"').status_code == 404


def test_submitting_an_incomplete_draft_says_what_is_missing(world: DemoWorld, api: Any) -> None:
    draft = make_draft(world, people=[], happened_at=None)
    response = send(api("reporter"), "POST", f"/api/v1/concerns/{draft.pk}/submit", if_match='"1"')
    assert response.status_code == 400
    assert "name at least one person" in response.json()["detail"]
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.version == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"happened_at": "yesterday at noon"}, "happened_at"),
        ({"happened_at": "2024-13-40T10:00:00Z"}, "happened_at"),
        ({"happened_at": (timezone.now() + timedelta(days=2)).isoformat()}, "happened_at"),
        ({"category_codes": ["astrology"]}, "category_codes"),
        ({"category_codes": "physical"}, "category_codes"),
        ({"people": [{"name": "Jo", "role": "bystander"}]}, "people"),
        ({"people": [{"details": "no name"}]}, "people"),
        ({"body_marks": [{"side": "front", "region": "tail", "description": "x"}]}, "body_marks"),
        ({"body_marks": [{"side": "front", "region": "face"}]}, "body_marks"),
        ({"kind": "gossip"}, "kind"),
        ({"is_urgent": "perhaps"}, "is_urgent"),
        ({"location": "x" * 201}, "location"),
    ],
)
def test_bad_concern_input_is_refused_by_field_and_nothing_saved(
    world: DemoWorld, api: Any, change: dict[str, Any], field: str
) -> None:
    response = send(api("reporter"), "POST", "/api/v1/concerns", {**DRAFT, **change})
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Concern.objects.exists() and not ConcernPerson.objects.exists()
    assert events(AuditAction.CONCERN_DRAFT_SAVED) == 0


def test_mass_assignment_cannot_submit_or_reassign_a_concern(world: DemoWorld, api: Any) -> None:
    body = {
        **DRAFT,
        "organisation": str(world.organisations["outside"].pk),
        "recorded_by": str(world.users["lead"].pk),
        "status": "submitted",
        "version": 42,
        "submitted_at": "2020-01-01T00:00:00Z",
        "triaged_at": "2020-01-01T00:00:00Z",
        "id": "00000000-0000-0000-0000-000000000001",
    }
    made = send(api("reporter"), "POST", "/api/v1/concerns", body)
    assert made.status_code == 201
    concern = Concern.objects.get(pk=made.json()["id"])
    assert concern.organisation == world.organisations["secondary"]
    assert concern.recorded_by == world.users["reporter"]
    assert (concern.status, concern.version, concern.submitted_at) == ("draft", 1, None)
    assert concern.triaged_at is None
    patched = send(
        api("reporter"),
        "PATCH",
        f"/api/v1/concerns/{concern.pk}",
        {"status": "submitted", "version": 9, "recorded_by": str(world.users["lead"].pk)},
        if_match='"1"',
    )
    assert patched.status_code == 200
    concern.refresh_from_db()
    assert (concern.status, concern.version) == ("draft", 2)
    assert concern.recorded_by == world.users["reporter"]


def test_changing_a_draft_needs_a_current_if_match_and_keeps_what_is_not_sent(
    world: DemoWorld, api: Any
) -> None:
    draft = make_draft(world)
    url = f"/api/v1/concerns/{draft.pk}"
    reporter = api("reporter")
    etag = reporter.get(url)["ETag"]
    assert etag == '"1"'
    assert send(reporter, "PATCH", url, {"location": "Car park"}).status_code == 428
    assert send(reporter, "PATCH", url, {"location": "Car park"}, if_match='"5"').status_code == 412
    draft.refresh_from_db()
    assert (draft.location, draft.version) == ("Playground", 1)
    assert events(AuditAction.CONCERN_DRAFT_SAVED) == 1

    ok = send(reporter, "PATCH", url, {"location": "Car park"}, if_match=etag)
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    data = ok.json()
    assert data["location"] == "Car park"
    assert data["people"][0]["name"] == "Jamie Example-Child"
    assert [c["code"] for c in data["categories"]] == ["physical"]
    assert data["own_words"] == "My step-dad grabbed me."
    assert events(AuditAction.CONCERN_DRAFT_SAVED) == 2

    bad = send(reporter, "PATCH", url, {"category_codes": ["astrology"]}, if_match='"2"')
    assert bad.status_code == 400 and "category_codes" in bad.json()
    draft.refresh_from_db()
    assert draft.version == 2 and list(draft.categories.values_list("code", flat=True)) == [
        "physical"
    ]
    # Nobody else can change it, whatever they send.
    assert send(api("lead"), "PATCH", url, {"fact": "x"}, if_match='"2"').status_code == 404


def test_reading_concerns_follows_visibility(world: DemoWorld, api: Any) -> None:
    own = make_submitted(world, "reporter")
    colleague = make_submitted(world, "case_worker")
    low_level = make_submitted(world, "reporter", kind="low_level_adult")
    reporter, lead = api("reporter"), api("lead")

    mine = reporter.get(f"/api/v1/concerns/{own.pk}")
    assert mine.status_code == 200 and mine["ETag"] == f'"{own.version}"'
    assert mine.json()["opinion"] == "I think Jamie was frightened."
    assert mine.json()["fact"].startswith("A purple bruise")
    assert reporter.get(f"/api/v1/concerns/{colleague.pk}").status_code == 404
    assert lead.get(f"/api/v1/concerns/{colleague.pk}").status_code == 200
    assert api("deputy").get(f"/api/v1/concerns/{low_level.pk}").status_code == 404
    assert lead.get(f"/api/v1/concerns/{low_level.pk}").status_code == 200
    for persona in ("other_org", "primary_lead", "partner_with_share"):
        assert api(persona).get(f"/api/v1/concerns/{own.pk}").status_code == 404
    assert api("auditor").get(f"/api/v1/concerns/{own.pk}").status_code == 403
    viewed = AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED, subject_id=str(own.pk))
    assert viewed.count() == 1
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, subject_id=str(own.pk))
    assert denied.count() == 3


def test_my_concerns_lists_my_drafts_and_submissions_only(world: DemoWorld, api: Any) -> None:
    draft = make_draft(world)
    submitted = make_submitted(world)
    make_submitted(world, "case_worker")
    response = api("reporter").get("/api/v1/concerns/mine")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [str(submitted.pk), str(draft.pk)]
    assert {r["status"] for r in rows} == {"draft", "submitted"}
    assert "opinion" not in rows[0]


def test_adding_an_addendum(world: DemoWorld, api: Any) -> None:
    concern = make_submitted(world)
    colleague = make_submitted(world, "case_worker")
    url = f"/api/v1/concerns/{concern.pk}/addenda"
    ok = send(api("reporter"), "POST", url, {"reason": "Forgot the time", "text": "It was 10:15."})
    assert ok.status_code == 201 and ok.json()["reason"] == "Forgot the time"
    assert events(AuditAction.CONCERN_ADDENDUM_ADDED) == 1
    missing = send(api("reporter"), "POST", url, {"text": "It was 10:15."})
    assert missing.status_code == 400 and "reason" in missing.json()
    blank = send(api("reporter"), "POST", url, {"reason": "   ", "text": "It was 10:15."})
    assert blank.status_code == 400
    other = send(
        api("reporter"),
        "POST",
        f"/api/v1/concerns/{colleague.pk}/addenda",
        {"reason": "x", "text": "y"},
    )
    assert other.status_code == 404
    assert Addendum.objects.count() == 1
    assert events(AuditAction.CONCERN_ADDENDUM_ADDED) == 1
    concern.refresh_from_db()
    assert concern.fact.startswith("A purple bruise")


# --- Concerns: triage -----------------------------------------------------------------------


def test_the_queue_is_for_leads_urgent_first(world: DemoWorld, api: Any) -> None:
    first = make_submitted(world)
    urgent = make_submitted(world, "case_worker", is_urgent=True)
    make_draft(world)  # drafts never reach the queue
    decoy = make_submitted(world, "other_org")
    response = api("lead").get("/api/v1/concerns/queue")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [str(urgent.pk), str(first.pk)]
    assert rows[0]["recorded_by"]["full_name"] == "Cass Worker"
    assert rows[0]["overdue"] is False
    assert str(decoy.pk) not in {r["id"] for r in rows}
    assert api("reporter").get("/api/v1/concerns/queue").status_code == 403
    assert api("case_worker").get("/api/v1/concerns/queue").status_code == 403
    paged = api("lead").get("/api/v1/concerns/queue?page_size=1")
    assert [r["id"] for r in paged.json()["results"]] == [str(urgent.pk)]
    second = api("lead").get(paged.json()["next"])
    assert [r["id"] for r in second.json()["results"]] == [str(first.pk)]


def test_triage_needs_if_match_and_a_rationale(world: DemoWorld, api: Any) -> None:
    concern = make_submitted(world)
    url = f"/api/v1/concerns/{concern.pk}/triage"
    lead = api("lead")
    assert send(lead, "POST", url, TRIAGE).status_code == 428
    assert send(lead, "POST", url, TRIAGE, if_match='"1"').status_code == 412
    no_rationale = {k: v for k, v in TRIAGE.items() if k != "rationale"}
    missing = send(lead, "POST", url, no_rationale, if_match='"2"')
    assert missing.status_code == 400 and "rationale" in missing.json()
    short = send(lead, "POST", url, {**TRIAGE, "rationale": "ok"}, if_match='"2"')
    assert short.status_code == 400 and "rationale" in short.json()
    nfa = send(
        lead,
        "POST",
        url,
        {**TRIAGE, "decision": "nfa", "threshold_considered": "Level 2"},
        if_match='"2"',
    )
    assert nfa.status_code == 400 and "review_on" in nfa.json()
    bad_date = send(lead, "POST", url, {**TRIAGE, "review_on": "next week"}, if_match='"2"')
    assert bad_date.status_code == 400 and "review_on" in bad_date.json()
    assert not Triage.objects.exists() and events(AuditAction.CONCERN_TRIAGED) == 0
    concern.refresh_from_db()
    assert concern.triaged_at is None and concern.version == 2

    ok = send(lead, "POST", url, {**TRIAGE, "version": 99, "triaged_by": "x"}, if_match='"2"')
    assert ok.status_code == 201, ok.json()
    assert ok.json()["concern_version"] == 3 and ok.json()["decision"] == "refer"
    assert ok.json()["triaged_by"]["full_name"] == "Lena Lead"
    assert events(AuditAction.CONCERN_TRIAGED) == 1
    assert lead.get("/api/v1/concerns/queue").json()["results"] == []
    detail = lead.get(f"/api/v1/concerns/{concern.pk}").json()
    assert detail["triages"][0]["rationale"] == TRIAGE["rationale"]
    assert send(api("case_worker"), "POST", url, TRIAGE, if_match='"3"').status_code == 403
    assert send(api("other_org"), "POST", url, TRIAGE, if_match='"3"').status_code == 404


def test_linking_a_named_person_to_a_record(world: DemoWorld, api: Any) -> None:
    concern = make_submitted(world)
    named = concern.people.get()
    person = make_person(world)
    outsider = make_person(world, "other_org")
    url = f"/api/v1/concerns/{concern.pk}/people/{named.pk}/link"
    ok = send(api("lead"), "POST", url, {"person": str(person.pk)})
    assert ok.status_code == 200 and ok.json()["person_id"] == str(person.pk)
    assert events(AuditAction.CONCERN_PERSON_LINKED) == 1
    foreign = send(api("lead"), "POST", url, {"person": str(outsider.pk)})
    assert foreign.status_code == 400 and "person" in foreign.json()
    assert send(api("lead"), "POST", url, {"person": "nope"}).status_code == 400
    named.refresh_from_db()
    assert named.person == person
    unlinked = send(api("lead"), "POST", url, {"person": None})
    assert unlinked.status_code == 200 and unlinked.json()["person_id"] is None
    assert events(AuditAction.CONCERN_PERSON_LINKED) == 2
    other = make_submitted(world)
    wrong_concern = f"/api/v1/concerns/{other.pk}/people/{named.pk}/link"
    assert send(api("lead"), "POST", wrong_concern, {"person": None}).status_code == 404
    assert send(api("other_org"), "POST", url, {"person": None}).status_code == 404


def test_actions_are_set_listed_and_completed(world: DemoWorld, api: Any) -> None:
    concern = make_submitted(world)
    url = f"/api/v1/concerns/{concern.pk}/actions"
    body = {"description": "Speak to Jamie's form tutor", "due_on": FUTURE}
    worker = str(world.users["case_worker"].pk)
    made = send(api("lead"), "POST", url, {**body, "owner": worker, "status": "done"})
    assert made.status_code == 201, made.json()
    assert made.json()["owner"]["full_name"] == "Cass Worker"
    assert made.json()["status"] == "open"
    assert events(AuditAction.ACTION_CREATED) == 1
    for change, field in (
        ({"owner": str(world.users["other_org"].pk)}, "owner"),
        ({"owner": worker, "due_on": "2020-01-01"}, "due_on"),
        ({"owner": worker, "due_on": "soon"}, "due_on"),
        ({"owner": worker, "description": ""}, "description"),
    ):
        refused = send(api("lead"), "POST", url, {**body, **change})
        assert refused.status_code == 400 and field in refused.json(), change
    assert ConcernAction.objects.count() == 1 and events(AuditAction.ACTION_CREATED) == 1

    listed = api("case_worker").get("/api/v1/actions/mine")
    assert [a["id"] for a in listed.json()["results"]] == [made.json()["id"]]
    assert api("lead").get("/api/v1/actions/mine").json()["results"] == []
    complete = f"/api/v1/actions/{made.json()['id']}/complete"
    assert send(api("reporter"), "POST", complete).status_code == 404
    assert send(api("other_org"), "POST", complete).status_code == 404
    done = send(api("case_worker"), "POST", complete, {"note": "Spoke to her today."})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert events(AuditAction.ACTION_COMPLETED) == 1
    assert api("case_worker").get("/api/v1/actions/mine").json()["results"] == []


def test_categories_are_listed_for_recorders(world: DemoWorld, api: Any) -> None:
    response = api("reporter").get("/api/v1/categories?page_size=200")
    assert response.status_code == 200
    codes = [c["code"] for c in response.json()["results"]]
    assert codes[0] == "physical" and "neglect" in codes
    assert api("auditor").get("/api/v1/categories").status_code == 403


def test_a_share_never_lets_a_partner_change_the_concern(world: DemoWorld, api: Any) -> None:
    """The actions alone would allow it (see the report): the API checks the object first."""
    concern = make_submitted(world)
    person = make_person(world)
    for record in (concern, person):
        share_grant(
            actor=actor_for(world, "lead"),
            record=record,
            to_organisation=world.organisations["primary"],
            purpose="Joint strategy discussion",
            lawful_basis="Children Act 1989 s47",
        )
    partner = api("primary_lead")
    named = concern.people.get()
    base = f"/api/v1/concerns/{concern.pk}"
    attempts = [
        (f"{base}/addenda", {"reason": "Mine now", "text": "Changed by a partner."}),
        (f"{base}/people/{named.pk}/link", {"person": str(person.pk)}),
        (
            f"{base}/actions",
            {"description": "x", "owner": str(world.users["primary_lead"].pk), "due_on": FUTURE},
        ),
    ]
    for url, body in attempts:
        assert send(partner, "POST", url, body).status_code == 404, url
    assert send(partner, "POST", f"{base}/triage", TRIAGE, if_match='"2"').status_code == 404
    assert not Addendum.objects.exists() and not ConcernAction.objects.exists()
    assert not Triage.objects.exists()
    named.refresh_from_db()
    assert named.person is None


# --- Query counts ---------------------------------------------------------------------------


def _more_data(world: DemoWorld, rounds: int) -> None:
    lead = actor_for(world, "lead")
    for i in range(rounds):
        person = make_person(
            world, given_names=f"Child {i}", identifiers=[("other", f"REF-{i}-{rounds}")]
        )
        concern = make_submitted(world, "reporter", is_urgent=i % 2 == 0)
        make_draft(world)
        make_submitted(world, "case_worker")
        concern_actions.concern_link_person(
            actor=lead, concern_person=concern.people.get(), person=person
        )
        concern_actions.action_create(
            actor=lead,
            concern=concern,
            description=f"Follow up {i}",
            owner=world.users["case_worker"],
            due_on=timezone.localdate() + timedelta(days=i + 1),
        )


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("lead", "/api/v1/people"),
        ("lead", "/api/v1/people?q=child"),
        ("reporter", "/api/v1/concerns/mine"),
        ("lead", "/api/v1/concerns/queue"),
        ("case_worker", "/api/v1/actions/mine"),
        ("reporter", "/api/v1/categories"),
    ],
)
def test_list_query_counts_do_not_grow_with_the_data(
    world: DemoWorld,
    api: Any,
    django_assert_max_num_queries: Any,
    persona: str,
    url: str,
) -> None:
    client = api(persona)
    _more_data(world, 2)
    with django_assert_max_num_queries(10) as small:
        few = client.get(url)
    assert few.status_code == 200 and few.json()["results"]
    _more_data(world, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        many = client.get(url)
    assert many.status_code == 200
    assert len(many.json()["results"]) > len(few.json()["results"]) or url.endswith("categories")


def test_the_schema_describes_the_new_endpoints(world: DemoWorld, api: Any) -> None:
    schema = api("reporter").get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/people/{person_id}/chronology",
        "/api/v1/concerns/{concern_id}/triage",
        "/api/v1/concerns/{concern_id}/people/{concern_person_id}/link",
        "/api/v1/actions/{action_id}/complete",
        "/api/v1/categories",
    ):
        assert path in text
    assert "OPINION, not fact" in text


MALFORMED: list[Any] = [
    [],
    "text",
    None,
    {"people": ["x"], "identifiers": [1], "body_marks": [None]},
    {"people": "x", "identifiers": "x", "body_marks": {"a": 1}, "category_codes": [[1]]},
    {"level_of_need": 10**30, "rag": [], "decision": {}, "person": 5, "owner": []},
    {"fact": "a\x00b", "given_names": "a\x00b", "reason": "\x00", "text": "\x00"},
    {"happened_at": "0001-01-01T00:00:00+14:00", "date_of_birth": "0001-01-01"},
    {"due_on": "9999-12-31", "review_on": "0000-00-00", "happened_at": "9999-12-31T23:59:59-12:00"},
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_input_never_answers_5xx(world: DemoWorld, api: Any, body: Any) -> None:
    person = make_person(world)
    draft = make_draft(world, "lead")
    concern = make_submitted(world, "lead")
    action = concern_actions.action_create(
        actor=actor_for(world, "lead"),
        concern=concern,
        description="Follow up",
        owner=world.users["lead"],
        due_on=timezone.localdate(),
    )
    named = concern.people.get()
    lead = api("lead")
    targets = [
        ("POST", "/api/v1/people"),
        ("PATCH", f"/api/v1/people/{person.pk}"),
        ("POST", f"/api/v1/people/{person.pk}/identifiers"),
        ("POST", "/api/v1/concerns"),
        ("PATCH", f"/api/v1/concerns/{draft.pk}"),
        ("POST", f"/api/v1/concerns/{concern.pk}/addenda"),
        ("POST", f"/api/v1/concerns/{concern.pk}/triage"),
        ("POST", f"/api/v1/concerns/{concern.pk}/people/{named.pk}/link"),
        ("POST", f"/api/v1/concerns/{concern.pk}/actions"),
        ("POST", f"/api/v1/actions/{action.pk}/complete"),
    ]
    for method, url in targets:
        response = lead.generic(
            method,
            url,
            data=json.dumps(body),
            content_type="application/json",
            headers={"if-match": '"1"'},
        )
        assert response.status_code < 500, (method, url, response.content[:300])
    garbled = lead.generic("POST", "/api/v1/concerns", "{not json", "application/json")
    assert garbled.status_code == 400


def test_a_chronology_cursor_with_an_impossible_time_starts_from_the_newest(
    world: DemoWorld, api: Any
) -> None:
    import base64
    import uuid

    person = make_person(world)
    concern = make_submitted(world)
    concern_actions.concern_link_person(
        actor=actor_for(world, "lead"), concern_person=concern.people.get(), person=person
    )
    impossible = f"0001-01-01T00:00:00+01:00|4|{uuid.uuid4()}"
    cursor = base64.urlsafe_b64encode(impossible.encode()).decode().rstrip("=")
    url = f"/api/v1/people/{person.pk}/chronology"
    response = api("case_worker").get(url, {"older": cursor})
    assert response.status_code == 200
    assert response.json() == api("case_worker").get(url).json()
