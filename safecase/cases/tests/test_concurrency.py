"""Several app servers working cases at once (PostgreSQL): every case gets its own reference,
and of two moves made from the same version exactly one lands, the other told of the conflict.

SQLite serialises writers with IMMEDIATE transactions, so the interesting case is PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.audit.verify import verify_all
from safecase.cases.choices import Stage, install_default_case_types
from safecase.cases.models import Case, CaseType, StageChange
from safecase.cases.tests.helpers import open_case
from safecase.demo.personas import build_demo_world

ROOT = Path(__file__).resolve().parents[3]
WORKERS = 4
CASES_EACH = 10

WORKER = """
import sys
import django
django.setup()
from safecase.accounts.models import Membership, User
from safecase.cases import actions
from safecase.cases.models import Case, CaseType
from safecase.core.actors import Actor
from safecase.core.errors import Conflict
user = User.objects.get(email=sys.argv[1])
membership = Membership.objects.get(user=user)
actor = Actor(user=user, organisation=membership.organisation,
              roles=frozenset(membership.role_names()))
kind = CaseType.objects.get(organisation__isnull=True, code="early_help")
for i in range(int(sys.argv[2])):
    actions.case_open(actor=actor, case_type=kind, title=f"Concurrent {i}", reason="Synthetic.")
contested = Case.objects.get(title="Contested")
try:
    actions.case_advance_stage(actor=actor, case=contested, version=1,
                               to_stage=sys.argv[3], reason="Synthetic race.")
    print("moved")
except Conflict:
    print("conflict")
"""


def _url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_and_moves_lose_nothing() -> None:
    if connection.vendor != "postgresql":
        # Before anything is written: SQLite's flush could not remove the audit rows after.
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them by design)")
    # An earlier transactional test's flush empties every table, the shipped case types too.
    install_default_case_types(CaseType)
    world = build_demo_world(is_demo=False)
    contested = open_case(world, code="early_help", title="Contested")
    env = {**os.environ, "DATABASE_URL": _url(), "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    targets = [Stage.EXTERNAL_REFERRAL, Stage.CLOSED] * (WORKERS // 2)
    workers = [
        subprocess.Popen(  # noqa: S603 - this test's own script, with its own arguments
            [sys.executable, "-c", WORKER, world.users[p].email, str(CASES_EACH), target],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p, target in zip(("lead", "deputy", "lead", "deputy"), targets, strict=True)
    ]
    results = [w.communicate(timeout=180) for w in workers]
    assert [w.returncode for w in workers] == [0] * WORKERS, [err for _, err in results]
    outcomes = sorted(out.strip() for out, _ in results)
    assert outcomes == ["conflict"] * (WORKERS - 1) + ["moved"]

    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == 1 + WORKERS * CASES_EACH == len(set(references))
    contested.refresh_from_db()
    assert contested.version == 2
    assert StageChange.objects.filter(case=contested).count() == 2
    moves = AuditEvent.objects.filter(
        action=AuditAction.CASE_STAGE_ADVANCED, subject_id=str(contested.pk)
    )
    assert moves.count() == 1
    assert verify_all().ok
