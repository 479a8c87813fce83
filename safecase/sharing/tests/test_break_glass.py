"""Break-glass (S3): a lead opens a restricted record of their own organisation with a reason
and a fresh MFA code; audited, the auditors and named people told, reviewed by an auditor."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import DemoWorld, actor_for, client_for
from safecase.access.models import BreakGlassAccess
from safecase.accounts import auth_actions
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to
from safecase.cases.tests.helpers import restricted_case
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.notifications.models import Notification, NotificationKind
from safecase.sharing import actions

pytestmark = pytest.mark.django_db

REASON = "The named people are away and the police need the file today (synthetic)."


@pytest.fixture
def case(world: DemoWorld) -> Case:
    return restricted_case(world)  # restricted by the deputy; Lena Lead is not named


def _code(world: DemoWorld, persona: str) -> str:
    key = auth_actions.new_totp_secret()
    TOTPDevice.objects.create(user=world.users[persona], name="Phone", key=key, confirmed=True)
    return f"{TOTP(bytes.fromhex(key)).token():06d}"


def _break(client: Client, case: Case, **data: str) -> int:
    return client.post(f"/sharing/break-glass/case/{case.pk}/", data).status_code


def test_the_lead_opens_a_restricted_case_with_a_reason_and_a_fresh_code(
    world: DemoWorld, case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.users["lead"])
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/sharing/break-glass/case/{case.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert _break(client, case, reason=REASON, code=_code(world, "lead")) == 302
    opening = BreakGlassAccess.objects.get()
    assert opening.user_id == world.users["lead"].pk
    assert opening.expires_at > timezone.now() + timedelta(minutes=59)
    # Visible now, in the page and in the list, to the lead only.
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert cases_visible_to(actor_for(world, "lead")).filter(pk=case.pk).exists()
    assert not cases_visible_to(actor_for(world, "case_worker")).filter(pk=case.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS_OPENED)
    assert event.subject_id == str(case.pk)
    assert event.reason == REASON
    # The auditor and the named people (the deputy) are told, in-app and by e-mail.
    told = set(
        Notification.objects.filter(kind=NotificationKind.BREAK_GLASS).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {world.users["auditor"].pk, world.users["deputy"].pk}
    assert {m.to[0] for m in mail.outbox} >= {
        world.users["auditor"].email,
        world.users["deputy"].email,
    }
    assert all("break-glass" in m.subject for m in mail.outbox)


def test_the_opening_ends_when_its_time_is_up(world: DemoWorld, case: Case) -> None:
    client = client_for(world.users["lead"])
    assert _break(client, case, reason=REASON, code=_code(world, "lead")) == 302
    BreakGlassAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_without_a_fresh_code_nothing_opens(world: DemoWorld, case: Case) -> None:
    client = client_for(world.users["lead"])
    _code(world, "lead")
    assert _break(client, case, reason=REASON, code="000000") == 422
    assert _break(client, case, reason=REASON, code="") == 422
    assert _break(client, case, reason="Because", code=_code(world, "lead")) == 422
    assert not BreakGlassAccess.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.MFA_STEP_UP_FAILED).exists()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    # The action refuses a code checked too long ago, or not at all.
    lead = actor_for(world, "lead")
    for checked in (None, time.time() - 600):
        with pytest.raises(DomainError):
            actions.break_glass_open(
                actor=lead, record=case, reason=REASON, code_checked_at=checked
            )
    assert not BreakGlassAccess.objects.exists()


def test_a_break_glass_never_opens_another_organisations_record(
    world: DemoWorld, case: Case
) -> None:
    other = client_for(world.users["other_org"])
    assert other.get(f"/sharing/break-glass/case/{case.pk}/").status_code == 404
    assert (
        other.post(
            f"/sharing/break-glass/case/{case.pk}/", {"reason": REASON, "code": "123456"}
        ).status_code
        == 404
    )
    for persona in ("other_org", "primary_lead"):
        with pytest.raises(NotPermitted):
            actions.break_glass_open(
                actor=actor_for(world, persona),
                record=case,
                reason=REASON,
                code_checked_at=time.time(),
            )
    assert not BreakGlassAccess.objects.exists()


def test_only_a_lead_may_break_the_glass(world: DemoWorld, case: Case) -> None:
    for persona in ("deputy", "case_worker", "reporter", "auditor"):
        with pytest.raises(NotPermitted):
            actions.break_glass_open(
                actor=actor_for(world, persona),
                record=case,
                reason=REASON,
                code_checked_at=time.time(),
            )
        assert client_for(world.users[persona]).get(
            f"/sharing/break-glass/case/{case.pk}/"
        ).status_code in (403, 404)


def test_an_unrestricted_record_has_no_glass_to_break(world: DemoWorld) -> None:
    from safecase.cases.tests.helpers import open_case

    case = open_case(world)
    client = client_for(world.users["lead"])
    assert client.get(f"/sharing/break-glass/case/{case.pk}/").status_code == 404
    with pytest.raises(NotPermitted):
        actions.break_glass_open(
            actor=actor_for(world, "lead"), record=case, reason=REASON, code_checked_at=time.time()
        )


def test_the_auditor_reviews_every_opening(world: DemoWorld, case: Case) -> None:
    lead = client_for(world.users["lead"])
    assert _break(lead, case, reason=REASON, code=_code(world, "lead")) == 302
    opening = BreakGlassAccess.objects.get()
    auditor = client_for(world.users["auditor"])
    report = auditor.get("/sharing/break-glass/")
    assert report.status_code == 200
    assert REASON[:40] in report.content.decode()
    assert "Not reviewed" in report.content.decode()
    assert auditor.get(f"/sharing/break-glass/{opening.pk}/").status_code == 200
    response = auditor.post(
        f"/sharing/break-glass/{opening.pk}/review/",
        {"version": opening.version, "note": "Justified: the police asked (synthetic)."},
    )
    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.reviewed_by_id == world.users["auditor"].pk
    assert AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_REVIEWED).count() == 1
    stale = auditor.post(
        f"/sharing/break-glass/{opening.pk}/review/", {"version": 1, "note": "Again"}
    )
    assert stale.status_code == 409
    with pytest.raises(Conflict):
        actions.break_glass_review(
            actor=actor_for(world, "auditor"), opening=opening, version=opening.version
        )
    # The named deputy reads the opening they were told of; the reporter does not.
    assert (
        client_for(world.users["deputy"]).get(f"/sharing/break-glass/{opening.pk}/").status_code
        == 200
    )
    assert (
        client_for(world.users["reporter"]).get(f"/sharing/break-glass/{opening.pk}/").status_code
        == 404
    )
    assert client_for(world.users["lead"]).get("/sharing/break-glass/").status_code == 403
    # Another organisation's auditor-like lead never sees it.
    assert (
        client_for(world.users["other_org"]).get(f"/sharing/break-glass/{opening.pk}/").status_code
        == 404
    )


def test_reviewing_needs_the_reviewer_role(world: DemoWorld, case: Case) -> None:
    opening = actions.break_glass_open(
        actor=actor_for(world, "lead"), record=case, reason=REASON, code_checked_at=time.time()
    )
    with pytest.raises(NotPermitted):
        actions.break_glass_review(actor=actor_for(world, "lead"), opening=opening, version=1)


def test_a_lead_finds_a_restricted_case_by_its_reference(world: DemoWorld, case: Case) -> None:
    from safecase.cases.tests.helpers import open_case

    client = client_for(world.users["lead"])
    response = client.get("/sharing/break-glass/find/", {"reference": case.reference.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/sharing/break-glass/case/{case.pk}/"
    plain = open_case(world)
    for reference in (plain.reference, "C-99999", "x" * 50):
        assert client.get("/sharing/break-glass/find/", {"reference": reference}).status_code == 422
    assert client.get("/sharing/break-glass/find/").status_code == 200
    # The deputy (named) has no glass to break; Westbrook's lead finds nothing of Riverside's.
    other = client_for(world.users["other_org"])
    assert other.get("/sharing/break-glass/find/", {"reference": case.reference}).status_code == 422


def test_a_lead_opens_a_restricted_person(world: DemoWorld) -> None:
    from safecase.access import actions as access_actions
    from safecase.people import actions as people_actions
    from safecase.people.selectors import people_visible_to

    person = people_actions.person_create(
        actor=actor_for(world, "lead"),
        kind="child",
        given_names="Robin",
        family_name="Example-Restricted",
    )
    from safecase.cases.tests.helpers import second_lead

    access_actions.record_restrict(
        actor=second_lead(world),
        record=person,
        named_people=[],
        reason="A relative of this child works on the safeguarding team (synthetic).",
    )
    client = client_for(world.users["lead"])
    assert client.get(f"/people/{person.pk}/").status_code == 404
    url = f"/sharing/break-glass/person/{person.pk}/"
    assert client.post(url, {"reason": REASON, "code": _code(world, "lead")}).status_code == 302
    assert client.get(f"/people/{person.pk}/").status_code == 200
    assert people_visible_to(actor_for(world, "lead")).filter(pk=person.pk).exists()
    assert not people_visible_to(actor_for(world, "case_worker")).filter(pk=person.pk).exists()
