"""The audit trail: chained, append-only, verifiable, and caught when tampered with."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent, ChainHead
from safecase.audit.verify import verify_all
from safecase.core.actors import Actor

pytestmark = pytest.mark.django_db


def _append(n: int, chain_org: str | None = None) -> list[AuditEvent]:
    actor = Actor.system("test")
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(
                recorder.record(
                    actor=actor,
                    action=AuditAction.ORG_SETTINGS_CHANGED,
                    subject_type="test.thing",
                    subject_id=str(i),
                    changes={"n": [i, i + 1]},
                    organisation_id=chain_org,
                )
            )
    return events


def test_it_links_each_event_to_the_one_before() -> None:
    first, second, third = _append(3)
    assert first.prev_hash == recorder.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert verify_all().ok


def test_each_organisation_has_its_own_chain() -> None:
    _append(2, chain_org="11111111-1111-1111-1111-111111111111")
    events = _append(2, chain_org="22222222-2222-2222-2222-222222222222")
    assert [e.seq for e in events] == [1, 2]
    result = verify_all()
    assert result.ok and result.chains_checked == 2 and result.events_checked == 4


def test_it_refuses_to_record_outside_a_transaction() -> None:
    # pytest-django wraps each test in a transaction, so pretend for a moment there is none.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        transaction.get_connection().in_atomic_block = False
        try:
            recorder.record(actor=Actor.system("test"), action=AuditAction.DEMO_LOADED)
        finally:
            transaction.get_connection().in_atomic_block = True


def test_the_database_refuses_update() -> None:
    (event,) = _append(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    event.refresh_from_db()
    assert event.reason == ""


def test_the_database_refuses_delete() -> None:
    (event,) = _append(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_delete_of_the_whole_table() -> None:
    # SQLite's stand-in for TRUNCATE: the row trigger must still fire (no truncate optimisation).
    _append(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has none (its DELETE is refused above)")


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_auditevent",
        "TRUNCATE audit_chainhead",
        "TRUNCATE audit_auditevent, audit_chainhead RESTART IDENTITY CASCADE",
    ],
)
def test_postgresql_refuses_truncate(statement: str) -> None:
    _postgres_only()
    _append(3)
    _append(2, chain_org="11111111-1111-1111-1111-111111111111")
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 5
    assert ChainHead.objects.count() == 2
    assert verify_all().ok


def _truncate_guards_enabled() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname IN "
            "('audit_event_no_truncate', 'audit_chainhead_no_truncate')"
        )
        return dict(cursor.fetchall())


def test_the_test_suites_flush_passes_the_guard_and_leaves_it_on() -> None:
    """The flush after transactional tests (conftest.py) truncates; the guard is back after."""
    _postgres_only()
    _append(2)
    assert _truncate_guards_enabled() == {
        "audit_event_no_truncate": "O",
        "audit_chainhead_no_truncate": "O",
    }
    sql = connection.ops.sql_flush(no_style(), ["audit_auditevent", "audit_chainhead"])
    connection.ops.execute_sql_flush(sql)  # inside this test's transaction: rolled back after
    assert not AuditEvent.objects.exists()
    assert _truncate_guards_enabled() == {
        "audit_event_no_truncate": "O",
        "audit_chainhead_no_truncate": "O",
    }
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")


def _tamper(sql: str, params: list[object]) -> None:
    """Change a row behind the application's back, as an attacker with the database would.

    The triggers are dropped for the moment (inside the test's transaction, so they return).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
            cursor.execute(sql, params)


def test_verify_names_the_first_tampered_event() -> None:
    events = _append(5)
    _tamper(
        "UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["nothing to see", events[2].pk]
    )
    result = verify_all()
    assert not result.ok
    assert result.first_break is not None
    assert (result.first_break.seq, result.first_break.problem) == (
        3,
        "content does not match its hash",
    )


def test_verify_notices_a_deleted_event() -> None:
    events = _append(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = verify_all()
    assert result.first_break is not None and result.first_break.seq == 2


def test_audit_verify_command_exits_non_zero_on_tampering() -> None:
    events = _append(3)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "0 broken links" in out.getvalue()
    _tamper(
        "UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["someone else", events[0].pk]
    )
    with pytest.raises(CommandError, match="seq 1"):
        call_command("audit_verify")


def test_audit_export_writes_events_and_the_chain_heads(tmp_path: object) -> None:
    events = _append(3)
    out = StringIO()
    day = events[0].occurred_at.date().isoformat()
    call_command("audit_export", since=day, until=day, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["seq"] for line in lines[:-1]] == [1, 2, 3]
    assert lines[-1]["type"] == "chain_heads"
    assert lines[-1]["heads"]["global"]["hash"] == events[-1].hash


def test_audit_export_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="not a date"):
        call_command("audit_export", since="yesterday", until="2026-01-01")
