"""The virus scanners (security bar F2): clamscan with a signature database of our own, clamd's
INSTREAM protocol against a stand-in daemon, and the check that warns when scanning is off."""

from __future__ import annotations

import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from safecase.core.scanning import (
    ClamdScanner,
    ClamscanScanner,
    NoScanner,
    ScannerUnavailable,
    check_scanning,
    get_scanner,
)
from safecase.core.tests.clamav import SIGNATURE, eicar, require_clamscan, write_database


@pytest.fixture
def clamscan(tmp_path: Path) -> ClamscanScanner:
    return ClamscanScanner(executable=require_clamscan(), database=str(write_database(tmp_path)))


def test_clamscan_finds_eicar_anywhere_and_passes_a_clean_file(clamscan: ClamscanScanner) -> None:
    found = clamscan.scan(eicar())
    assert found.infected and found.signature.startswith(SIGNATURE) and found.scanner == "clamscan"
    assert clamscan.scan(b"%PDF-1.4 header\n" + eicar() + b"\ntrailer").infected
    clean = clamscan.scan(b"A plain note about a home visit.\n")
    assert not clean.infected and clean.signature == ""


def test_clamscan_without_signatures_gives_no_verdict(tmp_path: Path) -> None:
    empty = tmp_path / "no-signatures"
    empty.mkdir()
    scanner = ClamscanScanner(executable=require_clamscan(), database=str(empty))
    with pytest.raises(ScannerUnavailable, match="clamscan failed"):
        scanner.scan(b"hello")
    with pytest.raises(ScannerUnavailable, match="could not run"):
        ClamscanScanner(executable=str(tmp_path / "no-such-clamscan")).scan(b"hello")


class FakeClamd:
    """Speaks clamd's INSTREAM on a Unix socket: answers FOUND when the stream holds EICAR."""

    def __init__(self, path: Path, *, reply: bytes | None = None) -> None:
        self.path = path
        self.reply = reply
        self.received = b""
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            assert self._read(conn, 10) == b"zINSTREAM\0"
            while size := int.from_bytes(self._read(conn, 4), "big"):
                self.received += self._read(conn, size)
            if self.reply is not None:
                conn.sendall(self.reply)
            elif eicar() in self.received:
                conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
            else:
                conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    # Unix socket paths are limited to about 100 bytes: pytest's tmp_path can be longer.
    with tempfile.TemporaryDirectory(prefix="sc-") as name:
        yield Path(name)


@pytest.mark.parametrize(
    ("data", "infected"), [(eicar(), True), (b"x" * 200_000, False), (b"", False)]
)
def test_clamd_streams_the_file_in_chunks_and_reads_the_verdict(
    socket_dir: Path, data: bytes, infected: bool
) -> None:
    daemon = FakeClamd(socket_dir / "clamd.ctl")
    result = ClamdScanner(address=str(daemon.path), timeout=5).scan(data)
    daemon.close()
    assert daemon.received == data
    assert result.infected is infected and result.scanner == "clamd"
    assert result.signature == ("Eicar-Test-Signature" if infected else "")


def test_clamd_errors_and_a_missing_socket_give_no_verdict(socket_dir: Path) -> None:
    daemon = FakeClamd(socket_dir / "clamd.ctl", reply=b"INSTREAM size limit exceeded. ERROR\0")
    with pytest.raises(ScannerUnavailable, match="no verdict"):
        ClamdScanner(address=str(daemon.path), timeout=5).scan(b"data")
    daemon.close()
    with pytest.raises(ScannerUnavailable, match="did not answer"):
        ClamdScanner(address=str(socket_dir / "missing.ctl"), timeout=5).scan(b"data")


def test_the_scanner_is_chosen_by_settings() -> None:
    with override_settings(SAFECASE_AV_MODE="off"):
        assert isinstance(get_scanner(), NoScanner)
        assert not get_scanner().scan(eicar()).infected  # off means unscanned, not safe
    with override_settings(SAFECASE_AV_MODE="clamd", SAFECASE_AV_CLAMD_SOCKET="127.0.0.1:3310"):
        assert get_scanner() == ClamdScanner(address="127.0.0.1:3310", timeout=120)
    with override_settings(SAFECASE_AV_MODE="clamscan", SAFECASE_AV_DATABASE="/x"):
        assert get_scanner() == ClamscanScanner(database="/x", timeout=120)


def test_check_warns_loudly_when_files_go_unscanned_outside_development() -> None:
    with override_settings(SAFECASE_AV_MODE="off", DEBUG=False):
        (warning,) = check_scanning()
        assert warning.id == "safecase.W010" and "NOT scanned" in warning.msg
    with override_settings(SAFECASE_AV_MODE="off", DEBUG=True):
        assert check_scanning() == []
    with override_settings(SAFECASE_AV_MODE="clamd", DEBUG=False):
        assert check_scanning() == []
    with override_settings(SAFECASE_AV_MODE="sometimes"):
        assert check_scanning()[0].id == "safecase.E010"
