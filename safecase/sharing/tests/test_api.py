"""The Model 2 read API (M5) and the sharing endpoints: an external system with the token of a
member of the receiving organisation lists exactly what was shared, pages it, and asks what
changed since; a lead shares and revokes through the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.access import actions as access_actions
from safecase.access.models import ShareGrant
from safecase.accounts import auth_actions
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.sharing.tests.helpers import SECRET_FACT, SHARED_FACT, Scene, build_scene, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world: DemoWorld) -> Scene:
    return build_scene(world)


def _client(world: DemoWorld, persona: str) -> Client:
    _, secret = auth_actions.api_token_create(
        actor=actor_for(world, persona), name="linked view", days=30, with_mfa=True
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_police_system_lists_exactly_what_was_shared(world: DemoWorld, scene: Scene) -> None:
    note = share(world, scene.note, "case_note")
    extract = share(world, scene.extract, "chronology_extract")
    person = share(world, scene.person, "person")
    share(world, scene.concern, "concern", to="primary")
    police = _client(world, "partner_with_share")
    body = police.get("/api/v1/sharing/shared").json()
    assert {row["id"] for row in body["results"]} == {str(note.pk), str(extract.pk), str(person.pk)}
    text = json.dumps(body)
    assert SHARED_FACT in text
    assert SECRET_FACT not in text
    rows = {row["kind"]: row for row in body["results"]}
    assert rows["case_note"]["owner_organisation"]["name"] == "Riverside Academy"
    assert rows["chronology_extract"]["lines"]
    assert rows["person"]["api_url"] == f"/api/v1/people/{scene.person.pk}"
    assert police.get(rows["person"]["api_url"]).status_code == 200
    # The person's chronology holds nothing unshared: the concern and case are not shared.
    chronology = police.get(f"/api/v1/people/{scene.person.pk}/chronology").json()
    assert SECRET_FACT not in json.dumps(chronology)
    # Nobody else sees any of it.
    for persona in ("partner_without", "other_org"):
        assert _client(world, persona).get("/api/v1/sharing/shared").json()["results"] == []


def test_pages_and_updated_since(world: DemoWorld, scene: Scene) -> None:
    grants = [share(world, scene.item(k), k) for k in ("case_note", "person", "risk_version")]
    police = _client(world, "partner_with_share")
    first = police.get("/api/v1/sharing/shared?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = police.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert police.get("/api/v1/sharing/shared?cursor=garbage!").status_code in (200, 404)
    later = timezone.now() + timedelta(seconds=1)
    since = police.get("/api/v1/sharing/shared", {"updated_since": later.isoformat()}).json()
    assert since["results"] == []
    ShareGrant.objects.filter(pk=grants[0].pk).update(updated_at=later + timedelta(seconds=1))
    since = police.get("/api/v1/sharing/shared", {"updated_since": later.isoformat()}).json()
    assert [row["id"] for row in since["results"]] == [str(grants[0].pk)]
    assert police.get("/api/v1/sharing/shared?updated_since=yesterday").status_code == 400


def test_opening_one_shared_item_is_audited_and_a_revoked_one_is_gone(
    world: DemoWorld, scene: Scene
) -> None:
    grant = share(world, scene.note, "case_note")
    police = _client(world, "partner_with_share")
    assert police.get(f"/api/v1/sharing/shared/{grant.pk}").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORD_VIEWED, subject_id=str(scene.note.pk)
    ).exists()
    access_actions.share_revoke(actor=actor_for(world, "lead"), grant=grant, reason="Done.")
    assert police.get(f"/api/v1/sharing/shared/{grant.pk}").status_code == 404
    assert police.get("/api/v1/sharing/shared").json()["results"] == []


def test_a_lead_shares_and_revokes_through_the_api(world: DemoWorld, scene: Scene) -> None:
    lead = _client(world, "lead")
    body = {
        "kind": "case_note",
        "item_id": str(scene.note.pk),
        "to_organisation": str(world.organisations["police"].pk),
        "purpose": "Strategy discussion (synthetic).",
        "lawful_basis": "Children Act 1989 s.47",
        "consent": "not_sought",
        "consent_override_reason": "Seeking it would alert the family (synthetic).",
    }
    response = lead.post("/api/v1/sharing/given", body, content_type="application/json")
    assert response.status_code == 201, response.content
    grant_id = response.json()["id"]
    assert response.json()["consent_overridden_by"] == str(world.users["lead"].pk)
    listed = lead.get("/api/v1/sharing/given").json()["results"]
    assert [row["id"] for row in listed] == [grant_id]
    revoke = f"/api/v1/sharing/given/{grant_id}/revoke"
    assert lead.post(revoke, {"reason": ""}, content_type="application/json").status_code == 400
    done = lead.post(revoke, {"reason": "Meeting held."}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["active"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": "refused", "consent_override_reason": ""}, "consent_override_reason"),
        ({"lawful_basis": ""}, "lawful_basis"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"consent": "perhaps"}, "consent"),
        ({"kind": "cake"}, "kind"),
    ],
)
def test_bad_input_through_the_api_is_a_400(
    world: DemoWorld, scene: Scene, change: dict[str, str], field: str
) -> None:
    body = {
        "kind": "case_note",
        "item_id": str(scene.note.pk),
        "to_organisation": str(world.organisations["police"].pk),
        "purpose": "Strategy discussion (synthetic).",
        "lawful_basis": "Children Act 1989 s.47",
        "consent": "given",
        **change,
    }
    response = _client(world, "lead").post(
        "/api/v1/sharing/given", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not ShareGrant.objects.exists()


def test_outside_the_partnership_or_another_orgs_item_is_refused(
    world: DemoWorld, scene: Scene
) -> None:
    body = {
        "kind": "case_note",
        "item_id": str(scene.note.pk),
        "to_organisation": str(world.organisations["outside"].pk),
        "purpose": "x",
        "lawful_basis": "y",
        "consent": "given",
    }
    lead = _client(world, "lead")
    response = lead.post("/api/v1/sharing/given", body, content_type="application/json")
    assert response.status_code == 400
    body["to_organisation"] = str(world.organisations["police"].pk)
    other = _client(world, "primary_lead")
    assert (
        other.post("/api/v1/sharing/given", body, content_type="application/json").status_code
        == 404
    )
    reporter = _client(world, "reporter")
    assert (
        reporter.post("/api/v1/sharing/given", body, content_type="application/json").status_code
        == 403
    )
    assert not ShareGrant.objects.exists()
