"""The case bundle PDF: who may download it (restricted cases included), what it holds (the
case, its concerns, stage history, chronology and every part's section), and one audit event
carrying the file's SHA-256, committed before the file leaves."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from conftest import actor_for
from safecase.accounts.tests.stepping_up import stepped_up_client
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import actions, bundle, parts
from safecase.cases.choices import Stage
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case, restricted_case
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def part_section() -> Iterator[None]:
    """A part's section, as the risk or decision part registers one."""
    saved = dict(parts._SECTIONS)
    parts.register_section(
        parts.Section(
            "test_part",
            "Test part history",
            15,
            lambda case: [
                {"heading": "Assessed as high", "when": "2026-11-30", "body": "Why: bruising."}
            ],
        )
    )
    yield
    parts._SECTIONS.clear()
    parts._SECTIONS.update(saved)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _exports(case: Case) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.CASE_BUNDLE_EXPORTED, subject_id=str(case.pk))
    )


def test_the_lead_downloads_the_bundle_and_its_hash_is_audited(
    world: DemoWorld, part_section: None
) -> None:
    case = open_case(world)
    case = actions.case_advance_stage(
        actor=actor_for(world, "lead"),
        case=case,
        version=case.version,
        to_stage=Stage.EXTERNAL_REFERRAL,
        reason="Referred to children's social care by phone.",
    ).case
    response = stepped_up_client(world.users["lead"]).get(f"/cases/{case.pk}/bundle.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")
    digest = hashlib.sha256(response.content).hexdigest()
    assert response["X-Safecase-SHA256"] == digest
    [event] = _exports(case)
    assert event.changes["sha256"] == digest
    assert event.changes["bytes"] == len(response.content)
    text = _text(response.content)
    for expected in (
        case.reference,
        "Stage history",
        "Referred to children's social care by phone.",
        "Chronology of the case",
        "Test part history",
        "Assessed as high",
    ):
        assert expected in text, expected
    # The case page then lists the export with its hash.
    page = stepped_up_client(world.users["lead"]).get(f"/cases/{case.pk}/")
    assert digest in page.content.decode()


def test_without_a_step_up_nothing_is_exported(world: DemoWorld) -> None:
    from conftest import client_for

    case = open_case(world)
    response = client_for(world.users["lead"]).get(f"/cases/{case.pk}/bundle.pdf")
    assert response.status_code == 302
    assert "/account/step-up/" in response["Location"]
    assert _exports(case) == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("reporter", 403),
        ("org_admin", 403),
        ("auditor", 403),
        ("other_org", 404),
        ("partner_without", 404),
        ("deputy", 200),
        ("case_worker", 200),
    ],
)
def test_who_may_download_it(world: DemoWorld, persona: str, status: int) -> None:
    case = open_case(world)
    response = stepped_up_client(world.users[persona]).get(f"/cases/{case.pk}/bundle.pdf")
    assert response.status_code == status
    assert len(_exports(case)) == (1 if status == 200 else 0)


def test_a_restricted_case_bundle_is_for_the_named_only(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    assert (
        stepped_up_client(world.users["lead"]).get(f"/cases/{case.pk}/bundle.pdf").status_code
        == 404
    )
    assert (
        stepped_up_client(world.users["auditor"]).get(f"/cases/{case.pk}/bundle.pdf").status_code
        == 403
    )
    named = stepped_up_client(world.users["case_worker"]).get(f"/cases/{case.pk}/bundle.pdf")
    assert named.status_code == 200
    assert len(_exports(case)) == 1


def test_the_bundle_holds_the_concerns_fact_words_and_labelled_opinion(world: DemoWorld) -> None:
    concern = submitted_concern(
        world,
        fact="A purple bruise, about 3 cm, on the left forearm (synthetic).",
        own_words="My dad grabbed me.",
        opinion="She seemed frightened.",
    )
    case = open_case(world, concern=concern)
    content = bundle.bundle_of(actor_for(world, "lead"), case)
    assert ("Reference", case.reference) in content.summary
    [shown] = content.concerns
    assert shown["fact"].startswith("A purple bruise")
    assert content.history[0]["move"].startswith("Opened at")
    assert content.events, "the opening is on the case's chronology"
    text = _text(bundle.bundle_pdf(content, generated_by="Lena Lead", compress=False))
    assert "Their own words: “My dad grabbed me.”" in text
    assert "Opinion of the person recording: She seemed frightened." in text


def test_a_post_is_refused(world: DemoWorld) -> None:
    case = open_case(world)
    response = stepped_up_client(world.users["lead"]).post(f"/cases/{case.pk}/bundle.pdf")
    assert response.status_code == 405
    assert _exports(case) == []
