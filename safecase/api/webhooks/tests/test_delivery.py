"""Deliveries end to end: a domain event published in a transaction becomes signed POSTs to a
real receiver on 127.0.0.1, retried on the schedule after failures, given up at the end, sent
again on request; nothing is written if the transaction rolls back; the secret and signatures
never reach the logs, the audit trail or the delivery log."""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.api.webhooks import actions, delivery, egress, signing
from safecase.api.webhooks.models import DeliveryStatus, WebhookDelivery
from safecase.api.webhooks.tasks import deliver_webhook
from safecase.api.webhooks.tests.helpers import LOCAL, make_endpoint, publish_referral_created
from safecase.api.webhooks.tests.receiver import closed_port, running
from safecase.audit.models import AuditEvent
from safecase.core import events

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_local_receivers")]


@pytest.fixture
def _local_receivers() -> Iterator[None]:
    with override_settings(**LOCAL, SAFECASE_WEBHOOK_TIMEOUT_SECONDS=0.5):
        yield


def _org(world: DemoWorld) -> object:
    return world.organisations["secondary"].pk


def test_a_published_event_is_delivered_signed_and_verified(world: DemoWorld) -> None:
    with running() as receiver:
        endpoint, secret = make_endpoint(world, receiver.url)
        receiver.secret = secret
        publish_referral_created(_org(world), referral="abc")
        (pending,) = WebhookDelivery.objects.filter(endpoint=endpoint)
        assert pending.status == DeliveryStatus.PENDING
        (sent,) = delivery.deliver_due()
    assert sent.status == DeliveryStatus.SUCCEEDED
    assert sent.attempts == 1 and sent.last_response_status == 204 and sent.last_error == ""
    (request,) = receiver.received
    assert request.verified, request.problem
    assert request.path == "/hooks/safecase?source=test"
    assert request.headers["webhook-id"] == str(pending.event_id)
    assert request.headers["Content-Type"] == "application/json"
    document = request.document
    assert document["id"] == str(pending.event_id)
    assert document["type"] == "referral.created"
    assert document["organisation"] == str(_org(world))
    assert document["data"] == {"referral": "abc", "status": "received"}
    assert document["created"].endswith("Z")


def test_a_wrong_secret_fails_verification_at_the_receiver(world: DemoWorld) -> None:
    with running(secret=signing.new_secret()) as receiver:
        make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        (sent,) = delivery.deliver_due()
    assert not receiver.received[0].verified
    assert sent.status == DeliveryStatus.FAILED and sent.last_response_status == 401


def test_an_event_published_in_a_transaction_that_rolls_back_leaves_no_delivery(
    world: DemoWorld,
) -> None:
    make_endpoint(world, "https://hooks.example.org/in")
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(
            organisation_id=_org(world), event_type=events.REFERRAL_CREATED, payload={"r": 1}
        )
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the action failed after publishing")
    assert WebhookDelivery.objects.count() == 0


def test_the_task_is_queued_after_commit_and_sends(
    world: DemoWorld, django_capture_on_commit_callbacks: object
) -> None:
    with running() as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
            publish_referral_created(_org(world))
        assert len(callbacks) == 1
    assert receiver.received and receiver.received[0].verified
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED
    # Running the task again does nothing: the delivery is no longer due.
    delivery_id = str(WebhookDelivery.objects.get().pk)
    assert deliver_webhook.call(delivery_id=delivery_id) == "not_due"


def test_only_subscribed_active_endpoints_of_that_organisation_get_the_event(
    world: DemoWorld,
) -> None:
    subscribed, _ = make_endpoint(world, "https://a.example.org/")
    make_endpoint(world, "https://b.example.org/", event_types=(events.REFERRAL_DECIDED,))
    # Another organisation's administrator (Priya, admin of Oakfield Primary) subscribes too.
    theirs, _ = make_endpoint(world, "https://c.example.org/", persona="primary_lead")
    publish_referral_created(_org(world))
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [subscribed.pk]
    publish_referral_created(world.organisations["primary"].pk)
    assert WebhookDelivery.objects.filter(endpoint=theirs).count() == 1
    assert WebhookDelivery.objects.filter(organisation=_org(world)).count() == 1


@pytest.mark.parametrize("failure", ["500", "timeout", "refused"])
def test_failures_are_retried_on_the_backoff_schedule(world: DemoWorld, failure: str) -> None:
    answers = {"500": [500], "timeout": [("sleep", 1.5)], "refused": []}[failure]
    with running(answers=answers) as receiver:
        url = receiver.url if failure != "refused" else f"http://127.0.0.1:{closed_port()}/"
        _, receiver.secret = make_endpoint(world, url)
        publish_referral_created(_org(world))
        start = timezone.now()
        (first,) = delivery.deliver_due(start, rng=random.Random(7))
        assert first.status == DeliveryStatus.FAILED and first.attempts == 1
        expected = {
            "500": "HTTP 500",
            "timeout": "timed out after 0.5 s",
            "refused": "connection refused",
        }[failure]
        assert first.last_error == expected
        wait = (first.next_attempt_at - start).total_seconds()
        assert 54 <= wait <= 66  # one minute, give or take 10% jitter
        # Not due before then; due after, and the receiver now answers 204.
        assert delivery.deliver_due(start + timedelta(seconds=50)) == []
        if failure == "refused":
            return
        (second,) = delivery.deliver_due(first.next_attempt_at)
    assert second.status == DeliveryStatus.SUCCEEDED and second.attempts == 2
    assert [r.headers["webhook-id"] for r in receiver.received] == [str(first.event_id)] * 2
    assert all(r.verified for r in receiver.received)


def test_it_gives_up_after_the_last_attempt_of_the_schedule(world: DemoWorld) -> None:
    with running(answers=[503] * 10) as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        now = timezone.now()
        waits = []
        for _ in range(delivery.max_attempts()):
            (row,) = delivery.deliver_due(now, rng=random.Random(1))
            if row.next_attempt_at is not None:
                waits.append((row.next_attempt_at - now).total_seconds())
                now = row.next_attempt_at
    assert row.status == DeliveryStatus.GIVEN_UP and row.attempts == 7
    assert row.next_attempt_at is None
    for got, base in zip(waits, delivery.DEFAULT_RETRY_SCHEDULE, strict=True):
        assert base * 0.9 <= got <= base * 1.1
    assert len(receiver.received) == 7
    assert delivery.deliver_due(now + timedelta(days=2)) == []


@override_settings(SAFECASE_WEBHOOK_RETRY_SCHEDULE=[10])
def test_the_schedule_is_configurable(world: DemoWorld) -> None:
    with running(answers=[500, 500]) as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        now = timezone.now()
        (row,) = delivery.deliver_due(now)
        assert 9 <= (row.next_attempt_at - now).total_seconds() <= 11
        (row,) = delivery.deliver_due(row.next_attempt_at)
    assert row.status == DeliveryStatus.GIVEN_UP and row.attempts == 2


def test_a_person_sends_a_delivery_again_with_the_same_event_id(world: DemoWorld) -> None:
    with running(answers=[500]) as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        (failed,) = delivery.deliver_due()
        again = actions.webhook_delivery_redeliver(
            actor=actor_for(world, "org_admin"), delivery=failed
        )
        assert again.pk != failed.pk and again.event_id == failed.event_id
        assert again.redelivery_of_id == failed.pk and again.attempts == 0
        (sent,) = [d for d in delivery.deliver_due() if d.pk == again.pk]
    assert sent.status == DeliveryStatus.SUCCEEDED
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body  # the same event, byte for byte
    assert second.verified


def test_a_ping_is_signed_and_delivered(world: DemoWorld) -> None:
    with running() as receiver:
        endpoint, receiver.secret = make_endpoint(world, receiver.url)
        actions.webhook_endpoint_ping(actor=actor_for(world, "org_admin"), endpoint=endpoint)
        (sent,) = delivery.deliver_due()
    assert sent.status == DeliveryStatus.SUCCEEDED
    assert receiver.received[0].document["type"] == "webhook.ping"
    assert receiver.received[0].verified


def test_a_rotated_secret_signs_from_the_next_attempt(world: DemoWorld) -> None:
    with running() as receiver:
        endpoint, old = make_endpoint(world, receiver.url)
        endpoint, new = actions.webhook_endpoint_rotate_secret(
            actor=actor_for(world, "org_admin"), endpoint=endpoint, version=endpoint.version
        )
        assert new != old and new.startswith("whsec_")
        receiver.secret = new
        publish_referral_created(_org(world))
        delivery.deliver_due()
    assert receiver.received[0].verified


def test_a_deactivated_endpoint_gets_nothing_more(world: DemoWorld) -> None:
    endpoint, _ = make_endpoint(world, "https://hooks.example.org/")
    publish_referral_created(_org(world))
    actions.webhook_endpoint_deactivate(
        actor=actor_for(world, "org_admin"), endpoint=endpoint, version=endpoint.version
    )
    (row,) = delivery.deliver_due()
    assert row.status == DeliveryStatus.GIVEN_UP and row.last_error == "endpoint deactivated"
    publish_referral_created(_org(world))
    assert WebhookDelivery.objects.count() == 1


def test_two_senders_never_send_the_same_attempt(world: DemoWorld) -> None:
    with running() as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        (row,) = WebhookDelivery.objects.all()
        now = timezone.now()
        assert delivery._claim(row.pk, now) is not None
        assert delivery.attempt(row.pk, now=now) is None  # held by the first claim
    assert receiver.received == []


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r}")


def test_no_secret_or_signature_in_logs_audit_or_delivery_log(world: DemoWorld) -> None:
    capture = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        with running(answers=[("echo", 500), 204]) as receiver:
            endpoint, secret = make_endpoint(world, receiver.url)
            receiver.secret = secret
            publish_referral_created(_org(world))
            (failed,) = delivery.deliver_due()
            (sent,) = delivery.deliver_due(failed.next_attempt_at)
            endpoint, rotated = actions.webhook_endpoint_rotate_secret(
                actor=actor_for(world, "org_admin"), endpoint=endpoint, version=endpoint.version
            )
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
    assert sent.status == DeliveryStatus.SUCCEEDED
    signatures = [r.headers["webhook-signature"] for r in receiver.received]
    forbidden = [secret, secret.removeprefix("whsec_"), rotated, rotated.removeprefix("whsec_")]
    forbidden += signatures + [s.partition(",")[2] for s in signatures]
    logged = "\n".join(capture.lines)
    assert "Webhook delivery" in logged  # the sender did log its attempts
    audit = json.dumps(list(AuditEvent.objects.values("changes", "reason")), default=str)
    stored = json.dumps(list(WebhookDelivery.objects.values()), default=str)
    # The echoed signature was scrubbed from the failed attempt's last_error.
    assert failed.last_error == "HTTP 500: bad signature [redacted]"
    for value in forbidden:
        assert value not in logged
        assert value not in audit
        assert value not in stored


def test_the_secret_is_stored_encrypted(world: DemoWorld) -> None:
    endpoint, secret = make_endpoint(world, "https://hooks.example.org/")
    raw = bytes(type(endpoint).objects.get(pk=endpoint.pk).secret_encrypted)
    assert raw.startswith(b"SC1") and signing.secret_key(secret) not in raw
    assert secret.encode() not in raw
    assert delivery.endpoint_secret(endpoint) == secret


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://10.0.0.8/hook", "refused: the host resolves to a private or reserved address"),
        ("https://127.0.0.1/hook", "refused: the host resolves to a private or reserved address"),
        ("https://[::1]/hook", "refused: the host resolves to a private or reserved address"),
        (
            "https://169.254.169.254/latest",
            "refused: the host resolves to a private or reserved address",
        ),
        ("http://hooks.example.org/", "refused: only https:// URLs are called"),
        ("https://nowhere.invalid/", "host does not resolve (.invalid names never do)"),
    ],
)
def test_the_sender_refuses_private_addresses_and_plain_http(url: str, reason: str) -> None:
    with override_settings(SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS=[]):
        answer = egress.post(url, body=b"{}", headers={})
    assert answer.status is None and answer.error == reason


def test_a_name_resolving_to_loopback_is_refused_at_send_time() -> None:
    with override_settings(SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS=[]), running() as receiver:
        answer = egress.post(f"https://localhost:{receiver.port}/", body=b"{}", headers={})
    assert answer.error == "refused: the host resolves to a private or reserved address"
    assert receiver.received == []


def test_redirects_are_not_followed(world: DemoWorld) -> None:
    with running(answers=[302]) as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        (row,) = delivery.deliver_due()
    assert row.status == DeliveryStatus.FAILED and row.last_response_status == 302
    assert len(receiver.received) == 1


def test_the_command_sends_what_is_due(world: DemoWorld) -> None:
    from io import StringIO

    from django.core.management import call_command

    with running() as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        out = StringIO()
        call_command("webhooks_deliver", stdout=out)
    assert "1 succeeded" in out.getvalue()
    assert receiver.received[0].verified


def _documented_verify() -> Any:
    """The Python example of docs/webhooks.md, exactly as integrators read it."""
    text = (Path(__file__).resolve().parents[4] / "docs" / "webhooks.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert code is not None, "docs/webhooks.md lost its Python example"
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own doc
    return namespace["verify_webhook"]


def test_the_documented_python_check_verifies_real_deliveries(world: DemoWorld) -> None:
    verify_webhook = _documented_verify()
    with running() as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        delivery.deliver_due()
    (request,) = receiver.received
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert verify_webhook(receiver.secret, headers, request.body)
    assert not verify_webhook(signing.new_secret(), headers, request.body)
    assert not verify_webhook(receiver.secret, headers, request.body + b" ")
    old = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) - 301)}
    assert not verify_webhook(receiver.secret, old, request.body)
    assert not verify_webhook(receiver.secret, {}, request.body)


def test_the_signature_matches_the_standard_webhooks_test_vector() -> None:
    # The example in the Standard Webhooks specification's reference libraries.
    got = signing.signature(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    )
    assert got == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    headers = signing.signed_headers(secret=signing.new_secret(), msg_id="m", timestamp=1, body=b"")
    with pytest.raises(signing.SignatureError, match="5 minutes"):
        signing.verify(secret="whsec_AAAA", headers=headers, body=b"", now=1000)


def test_after_a_failure_the_task_queues_itself_for_the_next_attempt(world: DemoWorld) -> None:
    from django_tasks import default_task_backend

    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with running(answers=[500]) as receiver, override_settings(TASKS=dummy):
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        row = WebhookDelivery.objects.get()
        assert deliver_webhook.call(delivery_id=str(row.pk)) == "failed"
        row.refresh_from_db()
        (queued,) = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.task.run_after == row.next_attempt_at
    assert queued.kwargs == {"delivery_id": str(row.pk)}


def test_the_subscriber_costs_two_queries_however_many_endpoints(
    world: DemoWorld, django_assert_num_queries: Any
) -> None:
    def publish() -> None:  # already inside the test's transaction, as in an action
        events.publish(
            organisation_id=_org(world), event_type=events.REFERRAL_CREATED, payload={"r": 1}
        )

    with django_assert_num_queries(1):  # no endpoint: one indexed look-up
        publish()
    for n in range(5):
        make_endpoint(world, f"https://hooks{n}.example.org/")
    with django_assert_num_queries(2):  # the look-up and one bulk insert
        publish()
    assert WebhookDelivery.objects.count() == 5


def test_no_secret_in_the_sql_log_either(world: DemoWorld) -> None:
    from django.db import connection

    capture = _Capture()
    sql_logger = logging.getLogger("django.db.backends")
    old_level = sql_logger.level
    sql_logger.addHandler(capture)
    sql_logger.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    try:
        with running() as receiver:
            _, secret = make_endpoint(world, receiver.url)
            receiver.secret = secret
            publish_referral_created(_org(world))
            delivery.deliver_due()
    finally:
        connection.force_debug_cursor = False
        sql_logger.removeHandler(capture)
        sql_logger.setLevel(old_level)
    logged = "\n".join(capture.lines)
    assert "webhooks_webhookdelivery" in logged
    signature = receiver.received[0].headers["webhook-signature"]
    for value in (secret, secret.removeprefix("whsec_"), signature, signature[3:]):
        assert value not in logged


def test_a_secret_whose_key_was_removed_fails_the_attempt_clearly(world: DemoWorld) -> None:
    with running() as receiver:
        _, receiver.secret = make_endpoint(world, receiver.url)
        publish_referral_created(_org(world))
        with override_settings(
            SAFECASE_FILE_KEYS={"new": b"\x01" * 32}, SAFECASE_FILE_KEY_ID="new"
        ):
            (row,) = delivery.deliver_due()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 1
    assert row.last_error == "signing secret unreadable: rotate the endpoint's secret"
    assert receiver.received == []
