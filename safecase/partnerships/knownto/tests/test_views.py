"""The known-to pages end to end: ask, see the answer (and the wording that "not known" is not
proof of absence), bad input at 422 with nothing recorded, the hourly limit at 429, someone
else's answer 404, and the contact settings."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import DemoWorld, actor_for, client_for
from safecase.audit.models import AuditEvent
from safecase.partnerships.knownto import actions
from safecase.partnerships.knownto.models import KnownToCheck, KnownToContact
from safecase.partnerships.knownto.tests.helpers import NHS, person

pytestmark = pytest.mark.django_db

ASK = {"nhs": "943 476 5919", "purpose": "Screening a MASH referral (synthetic)."}


def _police(world: DemoWorld) -> Client:
    return client_for(world.users["partner_with_share"])


def test_a_practitioner_asks_and_reads_who_knows_the_person(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    actions.known_to_contact_save(
        actor=actor_for(world, "lead"),
        role="Designated safeguarding lead",
        mailbox="dsl.riverside@demo.safecase.invalid",
        version=0,
    )
    client = _police(world)
    page = client.get("/known-to/")
    assert page.status_code == 200
    assert b"Is this person known to our partners?" in page.content
    response = client.post("/known-to/", ASK)
    assert response.status_code == 302
    check = KnownToCheck.objects.get()
    assert response["Location"] == f"/known-to/checks/{check.pk}/"
    answer = client.get(response["Location"]).content.decode()
    assert (
        "Known to <strong>Riverside Academy</strong> — contact: Designated safeguarding lead"
        in (answer)
    )
    assert "dsl.riverside@demo.safecase.invalid" in answer
    assert "is not proof that no partner knows this person" in answer
    # Nothing of Riverside's record is on the page.
    assert "Jamie" not in answer and "Example-Child" not in answer
    assert "known to 1 organisation" in client.get("/known-to/").content.decode()


def test_not_known_says_that_it_is_not_proof_of_absence(world: DemoWorld) -> None:
    client = _police(world)
    response = client.post("/known-to/", ASK, follow=True)
    text = response.content.decode()
    assert "Not known to any partner organisation" in text
    assert "“Not known” is not proof that no partner knows this person" in text


def test_a_partner_without_a_contact_is_still_named(world: DemoWorld) -> None:
    person(world, identifiers=[("nhs", NHS)])
    text = _police(world).post("/known-to/", ASK, follow=True).content.decode()
    assert "Known to <strong>Riverside Academy</strong> — contact: no known-to contact set" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nhs": "943 476 5918", "purpose": "x"}, "That is not a valid NHS number"),
        ({"upn": "A801200100001", "purpose": "x"}, "That is not a valid Unique Pupil Number"),
        ({"nhs": NHS, "purpose": ""}, "This field is required"),
        ({"purpose": "x"}, "Give at least one identifier"),
        ({"given_names": "Jamie", "purpose": "x"}, "together"),
        (
            {"given_names": "J", "family_name": "E", "date_of_birth": "14/03", "purpose": "x"},
            "valid date",
        ),
    ],
)
def test_bad_input_answers_422_and_records_nothing(
    world: DemoWorld, data: dict[str, str], message: str
) -> None:
    client = _police(world)
    events = AuditEvent.objects.count()
    response = client.post("/known-to/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not KnownToCheck.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_hourly_limit_answers_429(world: DemoWorld, settings: object) -> None:
    settings.SAFECASE_KNOWN_TO_CHECKS_PER_HOUR = 1  # type: ignore[attr-defined]
    client = _police(world)
    assert client.post("/known-to/", ASK).status_code == 302
    response = client.post("/known-to/", ASK)
    assert response.status_code == 429
    assert "1 known-to checks in the last hour, the most allowed" in response.content.decode()
    assert KnownToCheck.objects.count() == 1


def test_someone_elses_answer_is_404(world: DemoWorld) -> None:
    check = actions.known_to_check(
        actor=actor_for(world, "partner_with_share"), purpose="x", identifiers=[("nhs", NHS)]
    )
    for persona in ("police_approver", "lead", "partner_without"):
        assert (
            client_for(world.users[persona]).get(f"/known-to/checks/{check.pk}/").status_code == 404
        )
    assert _police(world).get("/known-to/checks/not-a-uuid/").status_code == 404


def test_the_lead_sets_the_contact(world: DemoWorld) -> None:
    client = client_for(world.users["lead"])
    assert b"No contact is set yet" in client.get("/known-to/contact/").content
    response = client.post(
        "/known-to/contact/",
        {
            "version": 0,
            "role": "Designated safeguarding lead",
            "mailbox": "dsl@demo.safecase.invalid",
        },
    )
    assert response.status_code == 302
    contact = KnownToContact.objects.get(organisation=world.organisations["secondary"])
    assert (contact.role, contact.version) == ("Designated safeguarding lead", 1)
    page = client.get("/known-to/contact/").content.decode()
    assert 'value="dsl@demo.safecase.invalid"' in page
    bad = client.post("/known-to/contact/", {"version": 1, "role": "DSL", "mailbox": "nope"})
    assert bad.status_code == 422
    stale = client.post(
        "/known-to/contact/", {"version": 0, "role": "DSL", "mailbox": "dsl@demo.safecase.invalid"}
    )
    assert stale.status_code == 409
    assert "Someone else changed the known-to contact" in stale.content.decode()
    assert KnownToContact.objects.get().version == 1
