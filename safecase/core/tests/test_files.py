"""Attachments (security bar F1-F3): what is accepted, what is refused, and how files are kept.

Every sample file is built here from a few bytes, so the tests need no fixtures on disk.
"""

from __future__ import annotations

import functools
import io
import re
import stat
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from safecase.core.crypto import DecryptionError
from safecase.core.files import (
    MAX_ZIP_UNCOMPRESSED_BYTES,
    RejectedFile,
    attachment_response,
    delete_stored,
    inspect_upload,
    open_decrypted,
    split_name,
    store_encrypted,
)

MB = 1024 * 1024
LIMIT = 10 * MB
AAD = b"attachment:1"
GENERATED = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}\.bin$")


# --- sample files ---------------------------------------------------------------------------


def pdf(padding: int = 0) -> bytes:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    body += b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    return body + b"%" + b"x" * padding + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png(width: int = 1, height: int = 1) -> bytes:
    """A real red PNG; for big sizes only the header is right, as an attacker's file would be."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\xff\x00\x00" * width  # filter type 0, then RGB pixels
    pixels = zlib.compress(row * height) if 0 < width * height <= 10_000 else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(width: int = 1, height: int = 1, *, sof: int = 0xC0) -> bytes:
    """A baseline greyscale JPEG: one 8x8 block, DC difference 0 then end-of-block."""
    return (
        b"\xff\xd8"
        + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _segment(0xDB, b"\x00" + b"\x01" * 64)
        + _segment(sof, b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00")
        + _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
        + _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
        + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"
        + b"\xff\xd9"
    )


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx(extra: dict[str, bytes] | None = None, *, word: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", b"<Relationships/>")
        if word:
            archive.writestr("word/document.xml", b"<w:document><w:body/></w:document>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


@functools.cache
def zip_bomb(size: int) -> bytes:
    """A DOCX whose one big entry of zeros compresses about a thousandfold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w") as member:
            for _ in range(size // MB):
                member.write(bytes(MB))
    return buffer.getvalue()


@functools.cache
def lying_zip_bomb() -> bytes:
    """A bomb whose directory claims 1 KB for an entry that inflates to 20 MB."""
    data = bytearray(docx({"word/media/big.bin": bytes(20 * MB)}))
    real = struct.pack("<I", 20 * MB)
    for offset in [m.start() for m in re.finditer(re.escape(real), data)]:
        data[offset : offset + 4] = struct.pack("<I", 1024)
    return bytes(data)


@functools.cache
def many_entries(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for n in range(count):
            archive.writestr(f"word/p{n}.xml", b"")
    return buffer.getvalue()


@functools.cache
def long_directory() -> bytes:
    """Few entries by count, but a central directory too big to parse safely."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for n in range(900):
            archive.writestr(f"word/{n:04}" + "x" * 1200 + ".xml", b"")
    return buffer.getvalue()


def with_symlink() -> bytes:
    data = docx()
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        link = zipfile.ZipInfo("word/media/link")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/cases')</script></body></html>"


# --- acceptance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "mime"),
    [
        ("report.pdf", pdf(), "pdf", "application/pdf"),
        ("bruise photo.png", png(), "png", "image/png"),
        ("scan.jpg", jpeg(), "jpeg", "image/jpeg"),
        ("SCAN.JPEG", jpeg(), "jpeg", "image/jpeg"),
        ("progressive.jpg", jpeg(sof=0xC2), "jpeg", "image/jpeg"),
        ("notes.txt", "Café — notes 👍\n".encode(), "txt", "text/plain"),
        (
            "minutes.docx",
            docx(),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("big.png", png(6000, 6000), "png", "image/png"),
    ],
)
def test_it_accepts_each_allowed_kind(name: str, data: bytes, kind: str, mime: str) -> None:
    inspected = inspect_upload(name, data, max_bytes=LIMIT)
    assert (inspected.kind, inspected.mime, inspected.size) == (kind, mime, len(data))
    stem, ext = name.rsplit(".", 1)
    assert (inspected.name, inspected.extension) == (f"{stem}.{ext.lower()}", ext.lower())
    assert re.fullmatch(r"[0-9a-f]{64}", inspected.sha256)


def test_a_file_exactly_at_the_limit_is_accepted_and_one_byte_more_is_not() -> None:
    at_limit = pdf(padding=LIMIT - len(pdf()))
    assert len(at_limit) == LIMIT
    assert inspect_upload("a.pdf", at_limit, max_bytes=LIMIT).size == LIMIT
    with pytest.raises(RejectedFile, match=r"^This file is larger than 10 MB$"):
        inspect_upload("a.pdf", at_limit + b"\n", max_bytes=LIMIT)


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("invoice.pdf", HTML, "This file's contents do not match its .pdf extension"),
        ("diagram.svg", SVG_WITH_SCRIPT, "Files of type .svg are not accepted"),
        ("diagram.txt", SVG_WITH_SCRIPT, "This file's contents do not match its .txt extension"),
        ("page.html", HTML, "Files of type .html are not accepted"),
        ("page.txt", b"\n  " + HTML, "This file's contents do not match its .txt extension"),
        ("photo.pdf", png(), "This file's contents do not match its .pdf extension"),
        ("report.png", pdf(), "This file's contents do not match its .png extension"),
        ("report.txt", pdf(), "This file's contents do not match its .txt extension"),
        ("photo.jpg", png(), "This file's contents do not match its .jpg extension"),
        ("notes.txt", b"plain\x00text", "This file's contents do not match its .txt extension"),
        ("notes.txt", "naïve".encode("latin-1"), "do not match its .txt extension"),
        ("sheet.docx", docx(word=False), "do not match its .docx extension"),
        ("\u202egpj.exe", jpeg(), "Files of type .exe are not accepted"),
        ("README", b"hello", "This file has no extension"),
        ("empty.pdf", b"", "This file is empty"),
        ("cut.pdf", pdf()[:40], "This PDF is incomplete or damaged"),
        ("huge.png", png(30_000, 30_000), r"too large \(30,000 × 30,000 pixels\)"),
        ("tall.png", png(1, 20_001), "too large"),
        ("wide.png", png(7_000, 7_000), "40 megapixels"),
        ("huge.jpg", jpeg(30_000, 30_000), "too large"),
        ("zero.png", png(0, 10), "could not be read"),
        ("headless.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "PNG header is damaged"),
        ("headless.jpg", b"\xff\xd8\xff\xd9", "JPEG header is damaged"),
        ("bomb.docx", zip_bomb(MAX_ZIP_UNCOMPRESSED_BYTES + MB), "expands to more than 100 MB"),
        ("liar.docx", lying_zip_bomb(), "damaged or is not a .docx file"),
        ("many.docx", many_entries(2_000), r"too many parts \(2,001\); the limit is 1,000"),
        ("many.docx", many_entries(50_000), r"too many parts \(50,001\)"),
        ("long.docx", long_directory(), r"too many parts; the limit is 1,000"),
        ("link.docx", with_symlink(), "symlink"),
        ("slip.docx", docx({"../../evil.xml": b"x"}), "damaged"),
        ("macro.docx", docx({"word/vbaProject.bin": b"x"}), "contains macros"),
        ("cut.docx", docx()[:-30], "damaged"),
    ],
)
def test_it_refuses_with_a_plain_message(name: str, data: bytes, message: str) -> None:
    with pytest.raises(RejectedFile, match=message) as caught:
        inspect_upload(name, data, max_bytes=LIMIT)
    assert caught.value.field == "file"


@pytest.mark.parametrize(
    "data",
    [
        zip_bomb(MAX_ZIP_UNCOMPRESSED_BYTES + MB),
        lying_zip_bomb(),
        many_entries(50_000),
        png(30_000, 30_000),
    ],
    ids=["bomb", "lying-bomb", "50k-entries", "30k-png"],
)
def test_hostile_files_are_refused_within_a_small_memory_budget(data: bytes) -> None:
    name = "x.png" if data.startswith(b"\x89PNG") else "x.docx"
    tracemalloc.start()
    try:
        with pytest.raises(RejectedFile):
            inspect_upload(name, data, max_bytes=LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "display", "ext"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf", "pdf"),
        ("..\\..\\Windows\\win.ini.txt", "win.ini.txt", "txt"),
        ("C:\\Users\\me\\Desktop\\report.pdf", "report.pdf", "pdf"),
        ("re\x00port.pdf", "report.pdf", "pdf"),
        ("\u202egpj.exe", "gpj.exe", "exe"),
        ("report\u202etxt.pdf", "reporttxt.pdf", "pdf"),
        ("\u2066a\u2069b\u200f.txt", "ab.txt", "txt"),
        ("line\r\nbreak\tname.txt", "linebreakname.txt", "txt"),
        ("two\u2028lines.txt", "twolines.txt", "txt"),
        ("  spaced   out  .pdf  ", "spaced out.pdf", "pdf"),
        (".hidden.pdf", "hidden.pdf", "pdf"),
        ("...pdf", "attachment.pdf", "pdf"),
        (".pdf", "attachment.pdf", "pdf"),
        ("\u202e.pdf", "attachment.pdf", "pdf"),
        ("../", "attachment", ""),
        ("", "attachment", ""),
        ("report.PDF.", "report.pdf", "pdf"),
        ("notes.txt:secret", "notes.txt:secret", ""),
    ],
)
def test_names_are_sanitised(raw: str, display: str, ext: str) -> None:
    assert split_name(raw) == (display, ext)


def test_long_names_are_capped_keeping_the_extension() -> None:
    display, ext = split_name("é" * 400 + ".docx")
    assert len(display) == 150
    assert display.endswith("é.docx")
    assert ext == "docx"


# --- storage --------------------------------------------------------------------------------


@pytest.fixture
def storage_root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "storage"
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    keys = {"k1": bytes(range(32)), "k2": bytes(range(1, 33))}
    with override_settings(STORAGES=storages, SAFECASE_FILE_KEYS=keys, SAFECASE_FILE_KEY_ID="k1"):
        yield root


def _files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


def test_a_stored_file_round_trips_and_its_plaintext_is_not_on_disk(storage_root: Path) -> None:
    canary = b"CANARY-c0ffee-child-protection-note"
    data = b"Notes: " + canary + b"\n"
    name = store_encrypted(data, aad=AAD)
    assert GENERATED.fullmatch(name)
    (stored,) = _files_under(storage_root)
    assert stored == storage_root / name
    assert canary not in stored.read_bytes()
    assert open_decrypted(name, aad=AAD) == data


@pytest.mark.parametrize(
    "upload_name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\boot.pdf",
        "/etc/cron.d/abs.pdf",
        "nul\x00.pdf",
        "x\u202efdp.pdf",
    ],
)
def test_hostile_names_never_reach_the_disk(storage_root: Path, upload_name: str) -> None:
    inspected = inspect_upload(upload_name, pdf(), max_bytes=LIMIT)
    name = store_encrypted(pdf(), aad=AAD)
    everything = _files_under(storage_root.parent)
    assert everything == [storage_root / name]
    assert GENERATED.fullmatch(name)
    assert inspected.name not in name
    assert not any(ch in inspected.name for ch in "/\\\x00\u202e")


def test_old_files_still_open_after_key_rotation(storage_root: Path) -> None:
    name = store_encrypted(b"before rotation", aad=AAD)
    with override_settings(SAFECASE_FILE_KEY_ID="k2"):
        assert open_decrypted(name, aad=AAD) == b"before rotation"
        newer = store_encrypted(b"after rotation", aad=AAD)
    assert (storage_root / newer).read_bytes().startswith(b"SC1\x02k2")


def test_a_file_read_for_another_record_fails(storage_root: Path) -> None:
    name = store_encrypted(b"belongs to attachment 1", aad=b"attachment:1")
    with pytest.raises(DecryptionError):
        open_decrypted(name, aad=b"attachment:2")


def test_a_file_changed_on_disk_fails(storage_root: Path) -> None:
    name = store_encrypted(b"original", aad=AAD)
    path = storage_root / name
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0x80
    path.write_bytes(bytes(blob))
    with pytest.raises(DecryptionError):
        open_decrypted(name, aad=AAD)


def test_delete_removes_the_file(storage_root: Path) -> None:
    name = store_encrypted(b"to purge", aad=AAD)
    delete_stored(name)
    assert _files_under(storage_root) == []
    delete_stored(name)  # already gone: not an error (retention jobs may run twice)


@pytest.mark.parametrize(
    "name", ["../settings.py", "attachments/2026/01/notes.txt", "/etc/passwd", ""]
)
def test_only_generated_names_can_be_opened_or_deleted(storage_root: Path, name: str) -> None:
    with pytest.raises(ValueError, match="Not an attachment storage name"):
        open_decrypted(name, aad=AAD)
    with pytest.raises(ValueError, match="Not an attachment storage name"):
        delete_stored(name)


# --- serving --------------------------------------------------------------------------------


def test_attachment_response_is_a_sandboxed_download() -> None:
    response = attachment_response(pdf(), filename="report.pdf", mime="application/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Length"] == str(len(pdf()))
    assert response.content == pdf()


def test_attachment_response_encodes_unicode_and_strips_hostile_characters() -> None:
    response = attachment_response(
        b"x", filename='../Zoë "quote"\r\n\u202etxt.pdf', mime="text/plain"
    )
    disposition = response["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''Zo%C3%AB%20%22quote%22txt.pdf"
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_attachment_response_escapes_quotes_in_ascii_names() -> None:
    response = attachment_response(b"x", filename='a"b\\c.pdf', mime="application/pdf")
    assert response["Content-Disposition"] == 'attachment; filename="c.pdf"'
    response = attachment_response(b"x", filename='say "hi".pdf', mime="application/pdf")
    assert response["Content-Disposition"] == r'attachment; filename="say \"hi\".pdf"'


@pytest.mark.parametrize("mime", ["text/html", "image/svg+xml", "application/javascript"])
def test_attachment_response_never_serves_a_type_outside_the_allowlist(mime: str) -> None:
    response = attachment_response(HTML, filename="page.pdf", mime=mime)
    assert response["Content-Type"] == "application/octet-stream"
