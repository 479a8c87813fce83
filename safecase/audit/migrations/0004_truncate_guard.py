"""Refuse TRUNCATE of the audit tables on PostgreSQL.

The row triggers of 0002 refuse UPDATE and DELETE, but PostgreSQL never fires row triggers for
TRUNCATE, so one statement could empty the trail. A statement-level BEFORE TRUNCATE trigger
refuses it, on ``audit_auditevent`` and on ``audit_chainhead``: without its heads a chain loses
what shows that its last events were removed, and every later append collides with the
existing ``seq`` values, so every audited action fails until the heads are rebuilt by hand.
(DELETE stays allowed on the heads table, like UPDATE, as in 0002; the application's role has
no TRUNCATE grant on either table in production, docs/operations.md.)

SQLite has no TRUNCATE statement. Its stand-in, ``DELETE FROM t`` without WHERE, skips the
row-by-row delete only for tables without triggers, so 0002's DELETE trigger already refuses it
on ``audit_auditevent``; nothing is added there.

Like every user trigger, this one is skipped by a superuser session with
``session_replication_role = replica`` and can be disabled by the table's owner; the test suite's
flush (conftest.py) does the latter inside its own transaction.
"""

from django.db import migrations

POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION audit_no_truncate() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE of % refused', TG_TABLE_NAME;
       END;
       $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();""",
    """CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_chainhead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;",
    "DROP FUNCTION IF EXISTS audit_no_truncate();",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            return  # No TRUNCATE in SQLite (see above).
        if vendor != "postgresql":
            raise RuntimeError(f"Safecase supports SQLite and PostgreSQL, not {vendor}")
        for sql in statements:
            schema_editor.execute(sql, params=None)  # None: the '%' in RAISE is not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_action_without_choices")]

    operations = [migrations.RunPython(_run(POSTGRES_CREATE), _run(POSTGRES_DROP))]
