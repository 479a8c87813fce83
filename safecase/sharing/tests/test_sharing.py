"""Sharing one item (M3) with its consent decision (M6): behaviour and bad input, through the
actions and the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import DemoWorld, actor_for, client_for
from safecase.access import actions as access_actions
from safecase.access.models import Consent, ShareGrant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.errors import DomainError, NotPermitted
from safecase.sharing import selectors
from safecase.sharing.kinds import KINDS
from safecase.sharing.tests.helpers import SECRET_FACT, SHARED_FACT, Scene, build_scene, share

pytestmark = pytest.mark.django_db

ALL_KINDS = tuple(KINDS)


@pytest.fixture
def scene(world: DemoWorld) -> Scene:
    return build_scene(world)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_lead_shares_each_kind_of_item_and_the_police_see_exactly_it(
    world: DemoWorld, scene: Scene, kind: str
) -> None:
    grant = share(world, scene.item(kind), kind)
    police = actor_for(world, "partner_with_share")
    rows = selectors.shared_with_us_page(police, cursor=None).items
    assert [r.grant.pk for r in rows] == [grant.pk]
    assert rows[0].item.pk == scene.item(kind).pk
    # Nobody else: the health trust (in the partnership) and Westbrook (outside) see nothing.
    for persona in ("partner_without", "other_org", "primary_lead"):
        assert selectors.shared_with_us_page(actor_for(world, persona), cursor=None).items == []


def test_the_shared_note_page_shows_the_note_and_nothing_around_it(
    world: DemoWorld, scene: Scene
) -> None:
    grant = share(world, scene.note, "case_note")
    client = client_for(world.users["partner_with_share"])
    page = client.get(f"/sharing/received/{grant.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert SHARED_FACT in text
    assert SECRET_FACT not in text
    assert scene.case.reference not in text
    viewed = AuditEvent.objects.filter(
        action=AuditAction.RECORD_VIEWED, subject_id=str(scene.note.pk)
    )
    assert viewed.count() == 1
    # The note's case stays out of reach.
    assert client.get(f"/cases/{scene.case.pk}/").status_code == 404


def test_a_revoked_share_disappears_at_once(world: DemoWorld, scene: Scene) -> None:
    grant = share(world, scene.note, "case_note")
    client = client_for(world.users["partner_with_share"])
    assert client.get(f"/sharing/received/{grant.pk}/").status_code == 200
    access_actions.share_revoke(
        actor=actor_for(world, "lead"), grant=grant, reason="The meeting is over (synthetic)."
    )
    assert client.get(f"/sharing/received/{grant.pk}/").status_code == 404
    assert SHARED_FACT not in client.get("/sharing/received/").content.decode()


def test_an_expired_share_is_gone(world: DemoWorld, scene: Scene) -> None:
    grant = share(world, scene.note, "case_note", expires_at=timezone.now() + timedelta(hours=1))
    ShareGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    police = actor_for(world, "partner_with_share")
    assert selectors.shared_with_us_page(police, cursor=None).items == []


def test_consent_not_sought_records_why_and_who_decided(world: DemoWorld, scene: Scene) -> None:
    grant = share(
        world,
        scene.note,
        "case_note",
        consent=Consent.NOT_SOUGHT,
        consent_override_reason="Seeking consent would put the child at risk (synthetic).",
        consent_overridden_by=world.users["deputy"],
    )
    assert grant.consent == Consent.NOT_SOUGHT
    assert grant.consent_overridden_by_id == world.users["deputy"].pk
    # Both sides' leads read the disclosure's record.
    for persona in ("lead", "deputy"):
        page = client_for(world.users[persona]).get(f"/sharing/grants/{grant.pk}/")
        assert page.status_code == 200
        assert "would put the child at risk" in page.content.decode()


def test_the_primary_lead_reads_the_record_of_a_disclosure_to_their_school(
    world: DemoWorld, scene: Scene
) -> None:
    grant = share(world, scene.note, "case_note", to="primary")
    page = client_for(world.users["primary_lead"]).get(f"/sharing/grants/{grant.pk}/")
    assert page.status_code == 200
    assert "Consent given" in page.content.decode()
    assert (
        client_for(world.users["other_org"]).get(f"/sharing/grants/{grant.pk}/").status_code == 404
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"purpose": "  "}, None),
        ({"lawful_basis": ""}, None),
        ({"consent": Consent.REFUSED, "consent_override_reason": ""}, "consent_override_reason"),
        ({"consent": Consent.NOT_SOUGHT}, "consent_override_reason"),
        ({"consent": "maybe"}, "consent"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expires_at"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    world: DemoWorld, scene: Scene, extra: dict[str, object], field: str | None
) -> None:
    with pytest.raises(DomainError) as caught:
        share(world, scene.note, "case_note", **extra)
    assert caught.value.field == field
    assert not ShareGrant.objects.exists()


def test_an_organisation_outside_the_partnership_cannot_be_shared_with(
    world: DemoWorld, scene: Scene
) -> None:
    with pytest.raises(DomainError, match="not in a current partnership"):
        share(world, scene.note, "case_note", to="outside")
    assert not ShareGrant.objects.exists()


def test_nobody_shares_another_organisations_item(world: DemoWorld, scene: Scene) -> None:
    with pytest.raises(NotPermitted):
        share(world, scene.note, "case_note", persona="primary_lead", to="police")
    with pytest.raises(NotPermitted):
        share(world, scene.note, "case_note", persona="reporter")
    assert not ShareGrant.objects.exists()


def test_a_lead_cannot_share_a_note_kept_from_them(world: DemoWorld, scene: Scene) -> None:
    from safecase.cases.notes import actions as note_actions

    hidden = note_actions.note_add(
        actor=actor_for(world, "deputy"),
        case=scene.case,
        kind="contact",
        visibility="named",
        named_people=[world.users["case_worker"]],
        fact="Kept to the deputy and the case worker (synthetic).",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    with pytest.raises(NotPermitted):
        share(world, hidden, "case_note")
    page = client_for(world.users["lead"]).get(f"/sharing/share/case_note/{hidden.pk}/")
    assert page.status_code == 404


def test_the_share_page_shares_with_the_default_lawful_basis(
    world: DemoWorld, scene: Scene
) -> None:
    client = client_for(world.users["lead"])
    url = f"/sharing/share/risk_version/{scene.risk.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert world.partnership.lawful_basis in page.content.decode()
    response = client.post(
        url,
        {
            "to_organisation": str(world.organisations["police"].pk),
            "purpose": "Strategy discussion (synthetic).",
            "lawful_basis": world.partnership.lawful_basis,
            "consent": "refused",
            "consent_override_reason": "",
        },
    )
    assert response.status_code == 422
    assert "why the information is shared anyway" in response.content.decode()
    assert not ShareGrant.objects.exists()
    response = client.post(
        url,
        {
            "to_organisation": str(world.organisations["police"].pk),
            "purpose": "Strategy discussion (synthetic).",
            "lawful_basis": world.partnership.lawful_basis,
            "consent": "refused",
            "consent_override_reason": "Risk of significant harm (synthetic).",
            "expires_on": (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    grant = ShareGrant.objects.get()
    assert grant.consent_overridden_by_id == world.users["lead"].pk
    assert grant.expires_at is not None


def test_the_share_page_refuses_garbage(world: DemoWorld, scene: Scene) -> None:
    client = client_for(world.users["lead"])
    url = f"/sharing/share/case/{scene.case.pk}/"
    for data in (
        {},
        {"to_organisation": "not-a-uuid", "consent": "given", "purpose": "x", "lawful_basis": "y"},
        {
            "to_organisation": str(world.organisations["outside"].pk),
            "consent": "given",
            "purpose": "x",
            "lawful_basis": "y",
        },
        {
            "to_organisation": str(world.organisations["police"].pk),
            "consent": "given",
            "purpose": "x",
            "lawful_basis": "y",
            "expires_on": "31/02/2020",
        },
    ):
        assert client.post(url, data).status_code == 422
    assert (
        client.get("/sharing/share/nonsense/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )
    assert not ShareGrant.objects.exists()


def test_revoking_through_the_page_needs_a_reason(world: DemoWorld, scene: Scene) -> None:
    grant = share(world, scene.person, "person")
    client = client_for(world.users["lead"])
    assert client.post(f"/sharing/given/{grant.pk}/revoke/", {"reason": ""}).status_code == 422
    assert client.post(f"/sharing/given/{grant.pk}/revoke/", {"reason": "Done."}).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    # The receiving side cannot revoke, nor open the revoke page.
    primary_grant = share(world, scene.person, "person", to="primary")
    other = client_for(world.users["primary_lead"])
    assert other.get(f"/sharing/given/{primary_grant.pk}/revoke/").status_code == 404


def test_a_chronology_extract_is_a_frozen_copy(world: DemoWorld, scene: Scene) -> None:
    lines = list(scene.extract.lines.all())
    assert len(lines) == 1
    grant = share(world, scene.extract, "chronology_extract")
    page = client_for(world.users["partner_with_share"]).get(f"/sharing/received/{grant.pk}/")
    assert page.status_code == 200
    assert lines[0].title in page.content.decode()
    assert scene.extract.person_name in page.content.decode()


def test_making_an_extract_refuses_bad_input(world: DemoWorld, scene: Scene) -> None:
    from safecase.sharing import actions

    lead = actor_for(world, "lead")
    with pytest.raises(DomainError):
        actions.chronology_extract_make(actor=lead, person=scene.person, title="", source_ids=["x"])
    with pytest.raises(DomainError):
        actions.chronology_extract_make(actor=lead, person=scene.person, title="T", source_ids=[])
    with pytest.raises(DomainError):
        actions.chronology_extract_make(
            actor=lead,
            person=scene.person,
            title="T",
            source_ids=["00000000-0000-0000-0000-000000000000"],
        )
    with pytest.raises(NotPermitted):
        actions.chronology_extract_make(
            actor=actor_for(world, "primary_lead"), person=scene.person, title="T", source_ids=["x"]
        )


def test_the_extract_page_makes_one_and_goes_on_to_share_it(world: DemoWorld, scene: Scene) -> None:
    client = client_for(world.users["lead"])
    url = f"/sharing/extracts/new/{scene.person.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert client.post(url, {"title": "Everything", "lines": ["bogus"]}).status_code == 422
    from safecase.concerns.selectors import person_chronology

    entries = person_chronology(actor_for(world, "lead"), scene.person)
    response = client.post(
        url, {"title": "Everything", "lines": [str(e.entry_id) for e in entries]}
    )
    assert response.status_code == 302
    assert "/sharing/share/chronology_extract/" in response["Location"]
    assert client.get(response["Location"]).status_code == 200


def test_a_shared_file_downloads_for_the_receiver_and_is_audited(
    world: DemoWorld, scene: Scene
) -> None:
    grant = share(world, scene.attachment, "attachment")
    client = client_for(world.users["partner_with_share"])
    response = client.get(f"/sharing/received/{grant.pk}/file/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOADED).exists()
    # Not a file share: no download.
    note_grant = share(world, scene.note, "case_note")
    assert client.get(f"/sharing/received/{note_grant.pk}/file/").status_code == 404


def test_a_shared_record_the_owner_restricts_drops_out_of_the_list(
    world: DemoWorld, scene: Scene
) -> None:
    grant = share(world, scene.person, "person")
    police = actor_for(world, "partner_with_share")
    assert len(selectors.shared_with_us_page(police, cursor=None).items) == 1
    access_actions.record_restrict(
        actor=actor_for(world, "lead"),
        record=scene.person,
        named_people=[],
        reason="An allegation involves a relative on the staff (synthetic).",
    )
    police = actor_for(world, "partner_with_share")
    assert selectors.shared_with_us_page(police, cursor=None).items == []
    client = client_for(world.users["partner_with_share"])
    assert client.get(f"/sharing/received/{grant.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        ("case_note", "case"),
        ("risk_version", "case"),
        ("attachment", "concern"),
        ("chronology_extract", "person"),
    ],
)
def test_a_shared_item_stays_under_its_records_restriction(
    world: DemoWorld, scene: Scene, kind: str, parent: str
) -> None:
    from safecase.cases.tests.helpers import second_lead

    grant = share(world, scene.item(kind), kind)
    access_actions.record_restrict(
        actor=second_lead(world),
        record=scene.item(parent),
        named_people=[],
        reason="An allegation involves a relative on the staff (synthetic).",
    )
    police = actor_for(world, "partner_with_share")
    assert selectors.shared_with_us_page(police, cursor=None).items == []
    client = client_for(world.users["partner_with_share"])
    assert client.get(f"/sharing/received/{grant.pk}/").status_code == 404
    assert client.get("/api/v1/sharing/shared").json()["results"] == []


def test_a_shared_case_links_to_its_page(world: DemoWorld, scene: Scene) -> None:
    grant = share(world, scene.case, "case")
    client = client_for(world.users["partner_with_share"])
    page = client.get(f"/sharing/received/{grant.pk}/").content.decode()
    assert f"/cases/{scene.case.pk}/" in page
    assert client.get(f"/cases/{scene.case.pk}/").status_code == 200
