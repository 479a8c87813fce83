"""Several app servers recording a case's first risk assessment at once (PostgreSQL): exactly
one lands, the others are told of the conflict; nothing half-written, the audit chain intact.

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
from safecase.cases.choices import install_default_case_types
from safecase.cases.models import CaseType
from safecase.cases.risk.models import RiskAssessment, RiskAssessmentVersion
from safecase.cases.risk.tests.helpers import DemoWorld
from safecase.cases.tests.helpers import open_case

ROOT = Path(__file__).resolve().parents[4]
WORKERS = 4

WORKER = """
import sys
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from safecase.accounts.models import Membership, User
from safecase.cases.models import Case
from safecase.cases.risk import actions
from safecase.core.actors import Actor
from safecase.core.errors import Conflict
user = User.objects.get(email=sys.argv[1])
membership = Membership.objects.get(user=user)
actor = Actor(user=user, organisation=membership.organisation,
              roles=frozenset(membership.role_names()))
case = Case.objects.get(title="Contested risk")
try:
    actions.risk_assess(
        actor=actor, case=case, version=0, risk_factors="Synthetic race.",
        protective_factors="Synthetic race.", likelihood=3, impact=3, level="medium",
        next_review_on=timezone.localdate() + timedelta(days=7), reason="Synthetic race.")
    print("recorded")
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
# Skipped before the world is built: SQLite's flush could not remove its audit rows after.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite serialises them by design)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_assessments_record_exactly_one(world: DemoWorld) -> None:
    # An earlier transactional test's flush empties every table, the shipped case types too.
    install_default_case_types(CaseType)
    case = open_case(world, code="early_help", title="Contested risk")
    env = {**os.environ, "DATABASE_URL": _url(), "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    workers = [
        subprocess.Popen(  # noqa: S603 - this test's own script, with its own arguments
            [sys.executable, "-c", WORKER, world.users[p].email],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in ("lead", "deputy", "case_worker", "lead")
    ]
    results = [w.communicate(timeout=180) for w in workers]
    assert [w.returncode for w in workers] == [0] * WORKERS, [err for _, err in results]
    assert sorted(out.strip() for out, _ in results) == ["conflict"] * (WORKERS - 1) + ["recorded"]
    assert RiskAssessment.objects.get(case=case).version == 1
    assert RiskAssessmentVersion.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.RISK_ASSESSED).count() == 1
    assert verify_all().ok
