"""The known-to API: the same check as the page, 201 with the answer, 400 on bad input with
nothing recorded, 429 past the hourly limit, and one's own answers only."""

from __future__ import annotations

import json

import pytest

from conftest import DemoWorld, client_for
from safecase.audit.models import AuditEvent
from safecase.partnerships.knownto.models import KnownToCheck
from safecase.partnerships.knownto.tests.helpers import BORN, NHS, person

pytestmark = pytest.mark.django_db


def _post(client: object, body: dict[str, object]) -> object:
    return client.post(  # type: ignore[attr-defined]
        "/api/v1/known-to/checks", data=json.dumps(body), content_type="application/json"
    )


def test_the_api_asks_and_answers(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    person(world, org="primary")
    client = client_for(world.users["hub"])
    response = _post(
        client,
        {
            "purpose": "Screening a MASH referral (synthetic).",
            "identifiers": [{"scheme": "nhs", "value": "943-476-5919"}],
            "given_names": "JAMIE",
            "family_name": "Example Child",
            "date_of_birth": BORN.isoformat(),
        },
    )
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["known"] is True
    assert body["digest_kinds"] == ["name_dob", "nhs"]
    assert sorted(o["organisation_name"] for o in body["known_to"]) == [
        "Oakfield Primary School",
        "Riverside Academy",
    ]
    assert set(body["known_to"][0]) == {
        "organisation",
        "organisation_name",
        "contact_role",
        "contact_mailbox",
    }
    assert "not proof" in body["note"]
    again = client.get(response["Location"])  # type: ignore[index]
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    other = client_for(world.users["hub_manager"]).get(response["Location"])  # type: ignore[index]
    assert other.status_code == 404


def test_bad_input_is_400_naming_the_field_and_records_nothing(world: DemoWorld) -> None:
    client = client_for(world.users["partner_without"])
    events = AuditEvent.objects.count()
    bad_nhs = _post(
        client,
        {"purpose": "Screening (synthetic).", "identifiers": [{"scheme": "nhs", "value": "123"}]},
    )
    assert bad_nhs.status_code == 400  # type: ignore[attr-defined]
    assert "not a valid NHS number" in bad_nhs.json()["identifiers"][0]  # type: ignore[attr-defined]
    nothing = _post(client, {"purpose": "Screening (synthetic)."})
    assert nothing.status_code == 400  # type: ignore[attr-defined]
    assert "at least one identifier" in nothing.json()["detail"]  # type: ignore[attr-defined]
    no_purpose = _post(client, {"identifiers": [{"scheme": "nhs", "value": NHS}]})
    assert no_purpose.status_code == 400  # type: ignore[attr-defined]
    assert "purpose" in no_purpose.json()  # type: ignore[attr-defined]
    scheme = _post(client, {"purpose": "x", "identifiers": [{"scheme": "passport", "value": "1"}]})
    assert scheme.status_code == 400  # type: ignore[attr-defined]
    assert not KnownToCheck.objects.exists()
    assert AuditEvent.objects.count() == events


def test_past_the_limit_the_api_answers_429(world: DemoWorld, settings: object) -> None:
    settings.SAFECASE_KNOWN_TO_CHECKS_PER_HOUR = 1  # type: ignore[attr-defined]
    client = client_for(world.users["partner_with_share"])
    body = {"purpose": "Screening (synthetic).", "identifiers": [{"scheme": "nhs", "value": NHS}]}
    assert _post(client, body).status_code == 201  # type: ignore[attr-defined]
    refused = _post(client, body)
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "the most allowed" in refused.json()["detail"]  # type: ignore[attr-defined]
