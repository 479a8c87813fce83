"""Several processes appending to one audit chain at once leave a valid chain (PostgreSQL).

SQLite serialises writers with IMMEDIATE transactions, so the interesting case is PostgreSQL,
where app servers on several machines append concurrently.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from safecase.audit.models import AuditEvent
from safecase.audit.verify import verify_all

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 4
EVENTS_EACH = 40
CHAIN = "33333333-3333-3333-3333-333333333333"

WRITER = f"""
import django
django.setup()
from django.db import transaction
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
actor = Actor.system("writer")
for i in range({EVENTS_EACH}):
    with transaction.atomic():
        recorder.record(actor=actor, action=AuditAction.DEMO_LOADED, subject_id=str(i),
                        organisation_id="{CHAIN}")
"""


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_leave_a_valid_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them by design)")
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(WRITERS)
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0] * WRITERS, errors
    seqs = sorted(AuditEvent.objects.filter(chain=CHAIN).values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * EVENTS_EACH + 1))
    result = verify_all()
    assert result.ok, result.first_break
