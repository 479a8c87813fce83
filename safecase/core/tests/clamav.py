"""ClamAV for the tests, with no downloaded signatures: a database of one signature (EICAR's),
written for each test, and the EICAR test file built from parts so no source file here is
itself flagged by a virus scanner on a developer's machine.

``clamscan`` comes from Debian's ``clamav`` package (.ci/run installs it). Without it these
tests fail under CI=true and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SIGNATURE = "Safecase.Test.EICAR"
_EICAR_PARTS = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", b"EICAR-STANDARD-ANTIVIRUS-", b"TEST-FILE!$H+H*")


def eicar() -> bytes:
    """The EICAR anti-virus test file (68 bytes): harmless, detected by every scanner."""
    return b"".join(_EICAR_PARTS)


def require_clamscan() -> str:
    path = shutil.which("clamscan")
    if path is None:
        message = "clamscan is missing: apt-get install clamav (.ci/run does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def write_database(directory: Path) -> Path:
    """An .ndb body-signature database: EICAR's bytes, anywhere in the file."""
    database = directory / "safecase-test.ndb"
    database.write_text(f"{SIGNATURE}:0:*:{eicar().hex()}\n")
    return database
