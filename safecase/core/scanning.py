"""Antivirus scanning of uploaded files (security bar F2), behind one small interface.

``get_scanner()`` returns the scanner the operator configured with ``SAFECASE_AV_MODE``:

* ``clamd``: ClamAV's daemon (Debian's ``clamav-daemon``), spoken to over its socket with the
  INSTREAM command. The signatures stay loaded, so a scan takes milliseconds. The default when
  ``SAFECASE_DEBUG`` is off.
* ``clamscan``: ClamAV's command-line scanner (Debian's ``clamav``), one process per file with
  the file on standard input. It loads the whole signature database each time (seconds, and
  about a gigabyte of memory with the official signatures), so it suits small installations,
  and tests with a tiny database of our own.
* ``off``: no scanning; every file counts as clean. For development only: ``manage.py check``
  warns whenever it is set with ``SAFECASE_DEBUG`` off (docs/adr/0008-attachment-scanning.md).

Files are scanned from memory: the plaintext never touches the disk (they are stored encrypted).
A scanner that cannot give a verdict (not installed, no signatures, timed out, socket down)
raises :class:`ScannerUnavailable`; the caller leaves the file unscanned, never calls it clean.
This module is domain-free: it knows bytes and verdicts, not attachments.
"""

from __future__ import annotations

import re
import socket
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.checks import Warning as CheckWarning

MODES = ("off", "clamscan", "clamd")
_CHUNK = 64 * 1024
_REPLY_LIMIT = 4096
# "stdin: Eicar-Signature FOUND" (clamscan) or "stream: Eicar-Signature FOUND" (clamd).
_FOUND = re.compile(r"^(?:stdin|stream): (?P<signature>.+) FOUND$", re.MULTILINE)


class ScannerUnavailable(Exception):  # noqa: N818 - reads as a sentence
    """The scanner gave no verdict: the file is neither clean nor infected, and stays unscanned."""


@dataclass(frozen=True)
class ScanResult:
    """A verdict. ``signature`` names what was found (empty when clean)."""

    infected: bool
    scanner: str
    signature: str = ""


class Scanner(Protocol):
    @property
    def name(self) -> str: ...

    def scan(self, data: bytes) -> ScanResult: ...


class NoScanner:
    """``SAFECASE_AV_MODE=off``: nothing is scanned and every file counts as clean."""

    name = "off"

    def scan(self, data: bytes) -> ScanResult:
        return ScanResult(infected=False, scanner=self.name)


def _found(reply: str, scanner: str) -> ScanResult | None:
    match = _FOUND.search(reply)
    if match is None:
        return None
    return ScanResult(infected=True, scanner=scanner, signature=match["signature"][:200])


@dataclass(frozen=True)
class ClamscanScanner:
    """``clamscan`` on standard input; exit 0 is clean, 1 is infected, anything else an error."""

    executable: str = "clamscan"
    database: str = ""
    timeout: float = 120.0
    name: str = "clamscan"

    def scan(self, data: bytes) -> ScanResult:
        command = [self.executable, "--no-summary", "--stdout"]
        if self.database:
            command += ["--database", self.database]
        try:
            done = subprocess.run(  # noqa: S603 - fixed arguments, no shell, configured binary
                [*command, "-"], input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ScannerUnavailable(f"clamscan could not run: {exc}") from exc
        reply = done.stdout.decode("utf-8", "replace")
        if done.returncode == 0:
            return ScanResult(infected=False, scanner=self.name)
        if done.returncode == 1 and (result := _found(reply, self.name)) is not None:
            return result
        detail = (done.stderr.decode("utf-8", "replace") or reply).strip()[:300]
        raise ScannerUnavailable(f"clamscan failed (exit {done.returncode}): {detail}")


@dataclass(frozen=True)
class ClamdScanner:
    """clamd's INSTREAM over a Unix socket (a path) or TCP (``host:port``)."""

    address: str = "/var/run/clamav/clamd.ctl"
    timeout: float = 120.0
    name: str = "clamd"

    def _connect(self) -> socket.socket:
        if self.address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.address)
            return sock
        host, _, port = self.address.rpartition(":")
        return socket.create_connection((host, int(port)), timeout=self.timeout)

    def scan(self, data: bytes) -> ScanResult:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), _CHUNK):
                    chunk = data[start : start + _CHUNK]
                    sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
                sock.sendall(b"\0\0\0\0")
                reply = b""
                while b"\0" not in reply and len(reply) < _REPLY_LIMIT:
                    part = sock.recv(_REPLY_LIMIT)
                    if not part:
                        break
                    reply += part
        except (OSError, ValueError) as exc:
            raise ScannerUnavailable(f"clamd at {self.address} did not answer: {exc}") from exc
        text = reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
        if text == "stream: OK":
            return ScanResult(infected=False, scanner=self.name)
        if (result := _found(text, self.name)) is not None:
            return result
        raise ScannerUnavailable(f"clamd gave no verdict: {text[:300]!r}")


def get_scanner() -> Scanner:
    """The scanner ``SAFECASE_AV_MODE`` names, configured from the other ``SAFECASE_AV_*``."""
    mode = settings.SAFECASE_AV_MODE
    timeout = float(settings.SAFECASE_AV_TIMEOUT_SECONDS)
    if mode == "clamscan":
        return ClamscanScanner(
            executable=settings.SAFECASE_AV_CLAMSCAN,
            database=settings.SAFECASE_AV_DATABASE,
            timeout=timeout,
        )
    if mode == "clamd":
        return ClamdScanner(address=settings.SAFECASE_AV_CLAMD_SOCKET, timeout=timeout)
    return NoScanner()


def scanning_enabled() -> bool:
    return bool(settings.SAFECASE_AV_MODE != "off")


@register(Tags.security)
def check_scanning(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Warn loudly when files go unscanned outside development."""
    mode = settings.SAFECASE_AV_MODE
    if mode not in MODES:
        return [
            Error(
                f"SAFECASE_AV_MODE is {mode!r}; it must be one of {', '.join(MODES)}.",
                id="safecase.E010",
            )
        ]
    if mode == "off" and not settings.DEBUG:
        return [
            CheckWarning(
                "Attachments are NOT scanned for viruses (SAFECASE_AV_MODE=off): every upload "
                "is marked clean and can be downloaded at once.",
                hint="Install ClamAV and set SAFECASE_AV_MODE=clamd (docs/operations.md, "
                "'Virus scanning of attachments').",
                id="safecase.W010",
            )
        ]
    return []


# When a scan gets no verdict (scanner down, no signatures, timed out), a file's scan task
# queues itself again after each of these delays: six attempts over about four and a half hours.
# After the last, the file stays pending (never served) and the hourly sweep of its app
# (``attachments_scan``, ``hub_files_scan``) keeps trying. The same for every kind of file.
SCAN_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
)
SCAN_ATTEMPTS = len(SCAN_RETRY_DELAYS) + 1
