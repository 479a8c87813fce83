"""Issue 5's "Done means", through /api/v1/ only, with webhooks firing at a real receiver.

In the demo partnership Riverside's lead refers a child with a concern to the MASH (consent
given); hub staff rate it red and ask the police and health; the police answer (held) and their
approver releases within the clock; health is late, the escalation sweep fires once, health
answers late; the hub decides with a rationale; the school reads the outcome but never the
agencies' sections. The child then moves to Oakfield Primary: Riverside's lead sends the file,
Oakfield's lead opens and accepts it, receipt confirmed on both sides.

Before the story each organisation's administrator registers an endpoint (hub, police, primary,
Riverside) at its own receiver on 127.0.0.1. After each step ``manage.py webhooks_deliver``
sends what is due; every request is checked with the algorithm printed in docs/webhooks.md and
each event arrives at the organisation it belongs to and never at another. The audit trail
verifies clean; Westbrook (outside the partnership) gets 404 on the referral and the transfer.
The clock is driven by time_machine: Monday 7 December 2026 from 09:00 (London = UTC)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings

from conftest import actor_for
from safecase.access.roles import Role
from safecase.accounts import auth_actions
from safecase.accounts.models import Membership, MembershipRole, User
from safecase.api.webhooks.tests.receiver import Receiver, running
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core import events
from safecase.core.actors import Actor
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld
from safecase.notifications.models import Notification, NotificationKind
from safecase.partnerships.demo import build_demo_hub_settings

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # no bank holiday; London is on UTC


def at(hour: int, minute: int = 0) -> datetime:
    return MONDAY.replace(hour=hour, minute=minute)


# The check from docs/webhooks.md, "Verifying a request", verbatim.
def verify_webhook(secret: str, headers: Any, body: bytes, tolerance: int = 300) -> bool:
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        return False
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - sent_at) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(s, expected) for s in signatures.split(" "))


class _Headers(dict[str, str]):
    """Case-insensitive, as request.headers is in a web framework."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        for name, value in self.items():
            if name.lower() == key.lower():
                return value
        return default


def _send(client: Client, url: str, body: dict[str, Any] | None = None, etag: str = "") -> Any:
    headers = {"If-Match": etag} if etag else {}
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:800]
    return response


def _token(actor: Actor) -> Client:
    _, secret = auth_actions.api_token_create(actor=actor, name="journey", days=30, with_mfa=True)
    return Client(headers={"authorization": f"Bearer {secret}"})


def _admin_of(world: DemoWorld, key: str) -> Actor:
    """An organisation administrator (webhook.manage) for an organisation the personas have none
    for: the hub's and the police's integration is set up by their own administrator."""
    organisation = world.organisations[key]
    user = User.objects.create_user(
        email=f"admin.{key}@demo.safecase.invalid", password=DEMO_PASSWORD, full_name=f"Admin {key}"
    )
    membership = Membership.objects.create(user=user, organisation=organisation)
    MembershipRole.objects.create(membership=membership, role=Role.ORG_ADMIN)
    return Actor(user=user, organisation=organisation, roles=frozenset({Role.ORG_ADMIN}))


@contextmanager
def _receivers(keys: tuple[str, ...]) -> Iterator[dict[str, Receiver]]:
    with ExitStack() as stack:
        yield {key: stack.enter_context(running()) for key in keys}


def test_the_mash_and_the_record_transfer_through_the_api_with_webhooks(
    world: DemoWorld,
) -> None:
    build_demo_hub_settings(world)
    orgs = {key: str(world.organisations[key].pk) for key in world.organisations}
    admins: dict[str, Callable[[], Actor]] = {
        "childrens_services": lambda: _admin_of(world, "childrens_services"),
        "police": lambda: _admin_of(world, "police"),
        "primary": lambda: actor_for(world, "primary_lead"),  # lead and org admin of Oakfield
        "secondary": lambda: actor_for(world, "org_admin"),
    }
    with (
        override_settings(SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS=["127.0.0.1"]),
        _receivers(tuple(admins)) as receivers,
        time_machine.travel(at(8, 30), tick=True) as clock,
    ):
        # Each organisation's administrator registers its endpoint, for every event type.
        secrets: dict[str, str] = {}
        for key, admin in admins.items():
            made = _ok(
                _send(
                    _token(admin()),
                    "/api/v1/webhooks/endpoints",
                    {
                        "url": receivers[key].url,
                        "description": f"{key} integration (test receiver)",
                        "event_types": list(events.EVENT_TYPES),
                    },
                ),
                201,
            ).json()
            assert made["secret"].startswith("whsec_")
            secrets[key] = receivers[key].secret = made["secret"]

        checked: list[tuple[str, dict[str, Any]]] = []

        def deliver() -> None:
            out = io.StringIO()
            call_command("webhooks_deliver", stdout=out)
            for key, receiver in receivers.items():
                for got in receiver.received[len([c for c in checked if c[0] == key]) :]:
                    assert got.verified, got.problem
                    assert verify_webhook(secrets[key], _Headers(got.headers), got.body)
                    assert got.document["organisation"] == orgs[key]
                    assert got.headers["webhook-id"] == got.document["id"]
                    checked.append((key, got.document))

        lead = _token(actor_for(world, "lead"))

        # 09:00 The school's lead records the concern and refers the child, consent given.
        clock.move_to(at(9))
        child = _ok(
            _send(
                lead,
                "/api/v1/people",
                {"kind": "child", "given_names": "Robin", "family_name": "Example-Journey"},
            ),
            201,
        ).json()["id"]
        draft = _ok(
            _send(
                lead,
                "/api/v1/concerns",
                {
                    "people": [{"name": "Robin Example-Journey", "role": "subject"}],
                    "category_codes": ["neglect"],
                    "happened_at": at(8, 45).isoformat(),
                    "location": "Classroom",
                    "fact": "Robin came in hungry and in the same clothes for a week (synthetic).",
                    "own_words": "There's no food at home.",
                    "opinion": "",
                },
            ),
            201,
        )
        concern = draft.json()["id"]
        _ok(_send(lead, f"/api/v1/concerns/{concern}/submit", etag=draft["ETag"]))
        referred = _ok(
            _send(
                lead,
                "/api/v1/hub/referrals",
                {
                    "subject_name": "Robin Example-Journey",
                    "summary": "Signs of neglect over a week; the child says there is no food.",
                    "concerns": [concern],
                    "person": child,
                    "lawful_basis": "UK GDPR Art. 6(1)(e) and 9(2)(g)",
                    "consent": "given",
                },
            ),
            201,
        ).json()
        referral_url = f"/api/v1/hub/referrals/{referred['id']}"
        assert referred["referring_organisation"] == orgs["secondary"]
        deliver()

        # 09:15 Hub staff rate it red (a rationale) and ask the police and health.
        clock.move_to(at(9, 15))
        hub = _token(actor_for(world, "hub"))
        seen = _ok(hub.get(referral_url))
        assert seen.json()["capacity"] == "hub"
        rated = _ok(
            _send(
                hub,
                f"{referral_url}/rating",
                {"rating": "red", "rationale": "Possible neglect; the child is hungry at school."},
                seen["ETag"],
            )
        ).json()
        assert rated["rating"] == "red"
        agencies = {a["kind"]: a["id"] for a in _ok(hub.get("/api/v1/hub/agencies")).json()}
        asked = _ok(
            _send(
                hub,
                f"{referral_url}/requests",
                {
                    "agencies": [agencies["police"], agencies["health"]],
                    "question": "What do you know of the family?",
                },
            ),
            201,
        ).json()
        due = {s["agency_organisation"]: s["due_at"] for s in asked["sections"]}
        assert set(due) == {orgs["police"], orgs["health"]}
        # Red: 4 working hours on the hub's calendar, from 09:15 on a Monday.
        assert {
            datetime.fromisoformat(d).replace(second=0, microsecond=0) for d in due.values()
        } == {at(13, 15)}
        deliver()

        # 10:00 The police answer, held for their approver, who releases at 10:30: in time.
        clock.move_to(at(10))
        police = _token(actor_for(world, "partner_with_share"))
        (police_request,) = _ok(police.get("/api/v1/hub/requests")).json()["results"]
        police_url = f"/api/v1/hub/requests/{police_request['id']}"
        held = _ok(
            _send(
                police,
                f"{police_url}/answer",
                {"answer": "One call-out to the address last month (synthetic).", "hold": True},
                _ok(police.get(police_url))["ETag"],
            )
        )
        assert held.json()["status"] == "held"
        clock.move_to(at(10, 30))
        approver = _token(actor_for(world, "police_approver"))
        _ok(_send(approver, f"{police_url}/release", {}, held["ETag"]))
        deliver()

        # 13:30 Health has not answered: it is late; the sweep escalates it once only.
        clock.move_to(at(13, 30))
        health = _token(actor_for(world, "partner_without"))
        (health_request,) = _ok(health.get("/api/v1/hub/requests")).json()["results"]
        health_url = f"/api/v1/hub/requests/{health_request['id']}"
        for expected in ("Escalated 1 late", "Escalated 0 late"):
            out = io.StringIO()
            call_command("hub_escalate_late", stdout=out)
            assert expected in out.getvalue()
        escalated = AuditEvent.objects.filter(action=AuditAction.HUB_REQUEST_ESCALATED)
        assert [str(s) for s in escalated.values_list("subject_id", flat=True)] == [
            health_request["id"]
        ]
        # In-app, once each: health's answerer (health has no approver) and the hub's staff.
        told = Notification.objects.filter(kind=NotificationKind.HUB_REQUEST_LATE)
        recipients = sorted(str(r) for r in told.values_list("recipient_id", flat=True))
        assert recipients == sorted(
            str(world.users[p].pk) for p in ("partner_without", "hub", "hub_manager")
        )
        sections = {
            s["agency_organisation"]: s for s in _ok(hub.get(referral_url)).json()["sections"]
        }
        assert sections[orgs["police"]]["late"] is False
        assert sections[orgs["police"]]["answer"].startswith("One call-out")
        assert sections[orgs["health"]]["late"] is True
        assert sections[orgs["health"]]["escalated_at"] is not None

        # 14:00 Health answers, late, released at once.
        clock.move_to(at(14))
        answered = _ok(
            _send(
                health,
                f"{health_url}/answer",
                {"answer": "Missed two health visits this term (synthetic).", "hold": False},
                _ok(health.get(health_url))["ETag"],
            )
        ).json()
        assert answered["late"] is True
        deliver()

        # 15:00 The hub decides, with its rationale.
        clock.move_to(at(15))
        decided = _ok(
            _send(
                hub,
                f"{referral_url}/decision",
                {
                    "decision": "child_in_need",
                    "rationale": "Neglect indicators from school and health; assess needs (s17).",
                },
                _ok(hub.get(referral_url))["ETag"],
            )
        ).json()
        assert decided["decision"] == "child_in_need"
        deliver()

        # The school reads the outcome, never the agencies' sections.
        outcome = _ok(lead.get(referral_url)).json()
        assert outcome["capacity"] == "referrer"
        assert outcome["decision"] == "child_in_need" and outcome["rating"] == "red"
        assert outcome["decision_rationale"].startswith("Neglect indicators")
        assert outcome["sections"] == []
        assert lead.get(police_url).status_code == 404
        assert lead.get(health_url).status_code == 404
        ours = _ok(lead.get("/api/v1/hub/referrals")).json()["results"]
        assert [(r["id"], r["decision"]) for r in ours] == [(referred["id"], "child_in_need")]
        # Each agency sees its own section only.
        assert police.get(health_url).status_code == 404
        assert health.get(police_url).status_code == 404

        # Next week: the child moves to Oakfield Primary; the file goes with receipt confirmed.
        clock.move_to(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
        sent = _ok(
            _send(
                lead,
                "/api/v1/transfers/sent",
                {
                    "person": child,
                    "receiver_organisation": orgs["primary"],
                    "reason": "Robin joined Oakfield Primary this week: an in-year move.",
                },
            ),
            201,
        ).json()
        assert sent["status"] == "pending" and sent["receiver_organisation"] == orgs["primary"]
        deliver()
        primary = _token(actor_for(world, "primary_lead"))
        (inbox,) = _ok(primary.get("/api/v1/transfers/received")).json()["results"]
        received_url = f"/api/v1/transfers/received/{inbox['id']}"
        opened = _ok(primary.get(received_url))
        assert opened.json()["status"] == "viewed" and opened.json()["document"]
        sent_url = f"/api/v1/transfers/sent/{sent['id']}"
        assert _ok(lead.get(sent_url)).json()["status"] == "viewed"
        clock.move_to(datetime(2026, 12, 14, 9, 30, tzinfo=UTC))
        accepted = _ok(
            _send(primary, f"{received_url}/accept", {"person": None}, opened["ETag"])
        ).json()
        assert accepted["received_file"] and accepted["person"]
        for side, url in ((primary, received_url), (lead, sent_url)):
            status = _ok(side.get(url)).json()
            assert status["status"] == "accepted" and status["receipt_confirmed_at"], status
        deliver()

        # Westbrook, outside the partnership: 404 on the referral and the transfer.
        outsider = _token(actor_for(world, "other_org"))
        for url in (referral_url, police_url, sent_url, received_url):
            assert outsider.get(url).status_code == 404, url
        assert _ok(outsider.get("/api/v1/hub/referrals")).json()["results"] == []

    # Every event at the organisation it belongs to, and never at another.
    got: dict[str, list[str]] = {key: [] for key in admins}
    for key, document in checked:
        got[key].append(document["type"])
    assert sorted(got["childrens_services"]) == sorted(
        [
            events.REFERRAL_CREATED,
            events.INFORMATION_REQUEST_DUE,
            events.INFORMATION_REQUEST_DUE,
            events.INFORMATION_REQUEST_ANSWERED,
            events.INFORMATION_REQUEST_ANSWERED,
            events.REFERRAL_DECIDED,
        ]
    )
    assert got["police"] == [events.INFORMATION_REQUEST_DUE]
    assert got["primary"] == [events.TRANSFER_RECEIVED]
    assert got["secondary"] == [events.REFERRAL_CREATED, events.REFERRAL_DECIDED]
    assert {d["data"].get("referral_id") for k, d in checked if k != "primary"} == {referred["id"]}
    (transfer_event,) = [d for k, d in checked if k == "primary"]
    assert transfer_event["data"]["transfer_id"] in (sent["id"], inbox["id"])
    assert len({d["id"] for _, d in checked}) == len(checked)  # each delivered once

    # The audit trail has the story and reconciles.
    recorded = set(AuditEvent.objects.values_list("action", flat=True))
    for action in (
        AuditAction.HUB_REFERRAL_DECIDED,
        AuditAction.HUB_REQUEST_RELEASED,
        AuditAction.HUB_REQUEST_ESCALATED,
        AuditAction.TRANSFER_SENT,
        AuditAction.TRANSFER_RECEIVED,
        AuditAction.TRANSFER_ACCEPTED,
        AuditAction.TRANSFER_RECEIPT_CONFIRMED,
    ):
        assert action.value in recorded, action
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "0 broken links" in out.getvalue()
