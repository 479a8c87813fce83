"""The demo builder: contacts set, Jamie known to Riverside, the police and health (not to
Westbrook, outside the partnership), idempotent."""

from __future__ import annotations

import pytest

from conftest import DemoWorld, actor_for, client_for
from safecase.partnerships.knownto import actions
from safecase.partnerships.knownto.demo import DEMO_NHS, build_demo_known_to
from safecase.partnerships.knownto.models import KnownToContact, KnownToDigest
from safecase.people.models import Person, PersonIdentifier

pytestmark = pytest.mark.django_db


def _known_to(world: DemoWorld, persona: str) -> list[str]:
    check = actions.known_to_check(
        actor=actor_for(world, persona),
        purpose="Demo (synthetic).",
        identifiers=[("nhs", DEMO_NHS)],
    )
    return sorted(m.organisation_name for m in check.matches.all())


def test_the_demo_child_is_known_to_the_school_the_police_and_health(world: DemoWorld) -> None:
    build_demo_known_to(world)
    counts = (
        Person.objects.count(),
        PersonIdentifier.objects.count(),
        KnownToContact.objects.count(),
        KnownToDigest.objects.count(),
    )
    build_demo_known_to(world)
    assert (
        Person.objects.count(),
        PersonIdentifier.objects.count(),
        KnownToContact.objects.count(),
        KnownToDigest.objects.count(),
    ) == counts
    assert _known_to(world, "hub") == [
        "Northshire Health Trust",
        "Northshire Police",
        "Riverside Academy",
    ]
    assert _known_to(world, "partner_with_share") == [
        "Northshire Health Trust",
        "Riverside Academy",
    ]
    assert _known_to(world, "other_org") == []
    # Health keeps the name in capitals without the hyphen: found by name and date of birth too.
    check = actions.known_to_check(
        actor=actor_for(world, "lead"),
        purpose="Demo (synthetic).",
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=Person.objects.filter(given_names="Jamie").first().date_of_birth,  # type: ignore[union-attr]
    )
    assert sorted(m.organisation_name for m in check.matches.all()) == [
        "Northshire Health Trust",
        "Northshire Police",
    ]


def test_the_demo_answer_reads_as_the_issue_asks(world: DemoWorld) -> None:
    build_demo_known_to(world)
    client = client_for(world.users["hub"])
    text = client.post(
        "/known-to/", {"nhs": "943 476 5919", "purpose": "Screening (synthetic)."}, follow=True
    ).content.decode()
    assert (
        "Known to <strong>Northshire Police</strong> — contact: MASH police desk, "
        '<a class="govuk-link" href="mailto:mash.police@demo.safecase.invalid">'
        "mash.police@demo.safecase.invalid</a>"
    ) in text
