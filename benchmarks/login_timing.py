#!/usr/bin/env python
"""Sign-in timing: an unknown address against a wrong password for a real account (bar A7).

    .venv/bin/python benchmarks/login_timing.py [--trials 200]

Runs in-process against a scratch SQLite database with the production password hasher
(Argon2id), alternating the two kinds of attempt, each from a fresh client address so the
lockout never kicks in. Prints the median and p95 of each and the median difference, which
should be well under 5 ms: both paths hash one password.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="safecase-login-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SAFECASE_IGNORE_DOTENV="1",
        SAFECASE_DEBUG="1",
        SAFECASE_ALLOWED_HOSTS="testserver",
        SAFECASE_LOG_LEVEL="ERROR",
        SAFECASE_LOGIN_FAILURE_LIMIT="1000000",
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from safecase.accounts.models import User

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    User.objects.create_user(
        email="known@example.invalid", password="the right passphrase", full_name="Known"
    )
    timings: dict[str, list[float]] = {"wrong password": [], "unknown address": []}
    for i in range(args.trials * 2):
        kind = "wrong password" if i % 2 == 0 else "unknown address"
        email = "known@example.invalid" if kind == "wrong password" else "nobody@example.invalid"
        client = Client(REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
        start = time.perf_counter()
        response = client.post("/login/", {"email": email, "password": "a wrong passphrase"})
        timings[kind].append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    print(f"{'attempt':<16} {'median ms':>10} {'p95 ms':>8}")
    for kind, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{kind:<16} {statistics.median(values):>10.2f} {p95:>8.2f}")
    difference = statistics.median(timings["unknown address"]) - statistics.median(
        timings["wrong password"]
    )
    print(f"median difference (unknown - wrong): {difference:+.2f} ms, {args.trials} trials each")


if __name__ == "__main__":
    main()
