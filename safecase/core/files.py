"""Attachments: check an upload, store it encrypted under a generated name, serve it safely.

Security bar rows F1-F3 and D1. The rules, and why:

* Allowlist, not denylist: PDF, PNG, JPEG, UTF-8 text and DOCX. SVG and HTML can carry script
  that runs in our origin, so they are never accepted, whatever they are called.
* The extension and the sniffed content must name the same kind: a PNG called ``.pdf`` or HTML
  called ``.pdf`` is refused, so what a reader's computer opens is what we checked.
* Resource limits are checked from headers, never by decoding: image dimensions come from the
  PNG IHDR or JPEG SOFn header; a DOCX (a zip) is checked for entry count, declared and actual
  uncompressed size (read in bounded chunks), symlinks, path traversal and macros.
* The user's file name is only ever a display name (sanitised: no directories, control or
  bidi-override characters); the storage name is generated, so names cannot reach the disk.
* Served as a download with ``nosniff`` and a sandboxing CSP, so a file cannot run as a page.
* Metadata is removed before a file is stored (F2, :func:`strip_metadata`): images are decoded
  and encoded again by Pillow with nothing but their pixels (and colour profile, and PNG
  transparency), turned the right way up first, so no EXIF (GPS, camera, owner), XMP or comment
  survives; PDFs lose their document information and XMP metadata (pypdf), unless they are
  signed (removing it would break the signature), encrypted or unreadable by pypdf: those are
  kept as uploaded and the audit event says so. Word documents keep theirs (not done yet).

The antivirus scan runs after storage and before a file can be downloaded (safecase.core.scanning
and the attachment's scan state). This module is pure and domain-free on purpose.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from PIL import Image, ImageOps, JpegImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from safecase.core.crypto import decrypt, encrypt
from safecase.core.errors import DomainError

MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 20_000
MAX_ZIP_ENTRIES = 1_000
MAX_ZIP_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_DIRECTORY_BYTES = 1024 * 1024
MAX_NAME_CHARS = 150
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_MARKUP_SNIFF_BYTES = 1024
_ZIP_CHUNK = 64 * 1024
_STORAGE_NAME = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}(_[A-Za-z0-9]{7})?\.bin$")
# Bidi controls let "\u202egpj.exe" display as "exe.jpg"; line separators break layouts.
_BIDI_AND_SEPARATORS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)
_MARKUP_OPENERS = (b"<!doctype html", b"<html", b"<svg", b"<script", b"<?xml", b"<head", b"<body")


class RejectedFile(DomainError):  # noqa: N818 - reads as a sentence: "raise RejectedFile"
    """An upload Safecase will not accept; the message is plain English for the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class InspectedFile:
    """An upload that passed every check. ``name`` is for display only, never for storage."""

    name: str
    extension: str
    mime: str
    size: int
    sha256: str
    kind: str


@dataclass(frozen=True)
class FileKind:
    """An accepted kind: its extensions, MIME type, magic-byte sniff and structural checks.

    ``sniff`` is cheap and decides what the content *is*; ``validate`` runs only once the
    content and the extension agree, and enforces that kind's limits.
    """

    extensions: tuple[str, ...]
    mime: str
    sniff: Callable[[bytes], bool]
    validate: Callable[[bytes], None]


def _human_size(n: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _check_dimensions(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise RejectedFile("This image could not be read: its size is missing or invalid")
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise RejectedFile(
            f"This image is too large ({width:,} × {height:,} pixels). The limit is "
            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels and {MAX_IMAGE_SIDE:,} pixels a side"
        )


def _validate_png(data: bytes) -> None:
    # The first chunk must be IHDR (13 bytes): width and height are its first 8 bytes.
    if len(data) < 24 or data[12:16] != b"IHDR" or int.from_bytes(data[8:12], "big") != 13:
        raise RejectedFile("This image could not be read: its PNG header is damaged")
    _check_dimensions(int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))


# Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _validate_jpeg(data: bytes) -> None:
    """Walk the marker segments up to the first SOFn (each step moves forward, so it ends)."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # standalone markers have no length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            break
        if marker in _JPEG_SOF:
            if length < 7 or pos + 9 > len(data):
                break
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            _check_dimensions(width, height)
            return
        pos += 2 + length
    raise RejectedFile("This image could not be read: its JPEG header is damaged")


def _validate_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-1024:]:
        raise RejectedFile("This PDF is incomplete or damaged (it has no end marker)")


def _looks_like_text(data: bytes) -> bool:
    try:
        return b"\x00" not in data and bool(data.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _validate_text(data: bytes) -> None:
    """Nothing beyond the sniff: it already proved the text is UTF-8 without NUL bytes."""


def _zip_is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _unsafe_member_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts or "\x00" in name


_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError, OSError)


def _too_many_parts(count: str) -> RejectedFile:
    return RejectedFile(
        f"This document has too many parts{count}; the limit is {MAX_ZIP_ENTRIES:,}"
    )


def _validate_docx(data: bytes) -> None:
    """Check the archive from its directory first, then read every entry in bounded chunks.

    The end-of-central-directory record is read before ``zipfile`` builds its list, so a zip
    with tens of thousands of entries is refused without building tens of thousands of objects.
    Reading entries through ``zipfile`` stops at each declared size and checks the CRC, so an
    entry that lies about its size (to slip under the limit) is caught, in one chunk of memory.
    """
    damaged = RejectedFile("This Word document is damaged or is not a .docx file")
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd < 0 or eocd + 22 > len(data):
        raise damaged
    declared_entries = int.from_bytes(data[eocd + 10 : eocd + 12], "little")
    directory_bytes = int.from_bytes(data[eocd + 12 : eocd + 16], "little")
    # 0xFFFF entries is the ZIP64 sentinel; a huge directory could hide a lying entry count.
    if declared_entries > MAX_ZIP_ENTRIES:
        raise _too_many_parts(f" ({declared_entries:,})")
    if directory_bytes > MAX_ZIP_DIRECTORY_BYTES:
        raise _too_many_parts("")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if len(infos) > MAX_ZIP_ENTRIES:
                raise _too_many_parts(f" ({len(infos):,})")
            if sum(info.file_size for info in infos) > MAX_ZIP_UNCOMPRESSED_BYTES:
                raise RejectedFile(
                    "This document expands to more than "
                    f"{_human_size(MAX_ZIP_UNCOMPRESSED_BYTES)} when opened, which is not accepted"
                )
            if any(_zip_is_symlink(info) for info in infos):
                raise RejectedFile("This document contains a link to another file (a symlink)")
            if any(_unsafe_member_name(n) for n in names) or len(set(names)) != len(names):
                raise damaged
            if any(info.flag_bits & 0x1 for info in infos):
                raise RejectedFile("This document is password-protected; remove the password")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise RejectedFile("This document contains macros, which are not accepted")
            if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
                raise RejectedFile("This file's contents do not match its .docx extension")
            for info in infos:
                with archive.open(info) as member:
                    while member.read(_ZIP_CHUNK):
                        pass
    except _ZIP_ERRORS as exc:
        raise damaged from exc


def _magic(prefix: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(prefix)


_DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Order matters: sniffing tries each kind in turn, and text (the fallback) must come last.
ALLOWED_TYPES: Mapping[str, FileKind] = {
    "pdf": FileKind(("pdf",), "application/pdf", _magic(b"%PDF-"), _validate_pdf),
    "png": FileKind(("png",), "image/png", _magic(PNG_MAGIC), _validate_png),
    "jpeg": FileKind(("jpg", "jpeg"), "image/jpeg", _magic(b"\xff\xd8\xff"), _validate_jpeg),
    "docx": FileKind(("docx",), _DOCX_MIME, _magic(b"PK\x03\x04"), _validate_docx),
    "txt": FileKind(("txt",), "text/plain", _looks_like_text, _validate_text),
}
_KIND_BY_EXTENSION = {ext: key for key, kind in ALLOWED_TYPES.items() for ext in kind.extensions}
_ALLOWED_MIMES = frozenset(kind.mime for kind in ALLOWED_TYPES.values())


def _looks_like_markup(data: bytes) -> bool:
    head = data[:_MARKUP_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and any(opener in head for opener in _MARKUP_OPENERS)


def _sniff(data: bytes) -> str | None:
    for key, kind in ALLOWED_TYPES.items():
        if kind.sniff(data):
            return key
    return None


def split_name(name: str) -> tuple[str, str]:
    """Sanitise an uploaded name into ``(display name, lower-case extension or "")``.

    Strips directories (``/`` and ``\\``), control, bidi-override and separator characters and
    leading dots; caps the length at 150 characters keeping the extension; never returns an
    empty display name (falls back to ``attachment.<ext>``).
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI_AND_SEPARATORS
    )
    cleaned = " ".join(cleaned.split()).rstrip(". ")
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not (ext.isascii() and ext.isalnum() and len(ext) <= 10):
        stem, ext = cleaned, ""
    ext = ext.lower()
    stem = stem.lstrip(". ").rstrip(". ") or "attachment"
    room = MAX_NAME_CHARS - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(". ") or "attachment"
    return (f"{stem}.{ext}" if ext else stem), ext


def inspect_upload(name: str, data: bytes, *, max_bytes: int) -> InspectedFile:
    """Accept an upload or raise :class:`RejectedFile` saying why, in plain English."""
    if len(data) > max_bytes:
        raise RejectedFile(f"This file is larger than {_human_size(max_bytes)}")
    if not data:
        raise RejectedFile("This file is empty")
    display, ext = split_name(name)
    accepted = ", ".join(f".{e}" for e in sorted(_KIND_BY_EXTENSION))
    if not ext:
        raise RejectedFile(f"This file has no extension. Accepted types: {accepted}")
    expected = _KIND_BY_EXTENSION.get(ext)
    if expected is None:
        raise RejectedFile(f"Files of type .{ext} are not accepted. Accepted types: {accepted}")
    if _looks_like_markup(data) or _sniff(data) != expected:
        raise RejectedFile(f"This file's contents do not match its .{ext} extension")
    kind = ALLOWED_TYPES[expected]
    kind.validate(data)
    return InspectedFile(
        name=display,
        extension=ext,
        mime=kind.mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        kind=expected,
    )


@dataclass(frozen=True)
class CleanedFile:
    """What is stored: the upload with its metadata removed. ``metadata`` says what was done
    (``removed``, ``none`` for a kind that carries none, or ``kept: <why>``) for the audit."""

    data: bytes
    size: int
    sha256: str
    metadata: str


_PILLOW_FORMATS = {"jpeg": ("JPEG", "MPO"), "png": ("PNG",)}
_UNREADABLE_IMAGE = "This image could not be read: it is damaged or incomplete"


def _reencode_image(data: bytes, kind: str) -> bytes:
    """Decode and encode again, keeping only pixels, orientation, colour profile, transparency.

    Nothing else is copied: the new image starts with an empty ``info``, so EXIF (with GPS),
    XMP, comments and text chunks cannot be carried over by default. A JPEG keeps its own
    quantisation tables (about the quality it had); a multi-frame file keeps its first frame.
    """
    with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[kind]) as source:
        # The header check (inspect_upload) read the same numbers; Pillow's reading decides.
        _check_dimensions(*source.size)
        keep: dict[str, object] = {}
        if icc := source.info.get("icc_profile"):
            keep["icc_profile"] = icc
        if kind == "png" and "transparency" in source.info:
            keep["transparency"] = source.info["transparency"]
        if kind == "jpeg":
            if quantization := getattr(source, "quantization", None):
                keep["qtables"] = quantization
            else:
                keep["quality"] = 90
            if (sampling := JpegImagePlugin.get_sampling(source)) != -1:
                keep["subsampling"] = sampling
        upright = ImageOps.exif_transpose(source)
        upright.info = {}
        out = io.BytesIO()
        upright.save(out, format="JPEG" if kind == "jpeg" else "PNG", **keep)
    return out.getvalue()


def _pdf_is_signed(reader: PdfReader) -> bool:
    root = reader.root_object
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    sig_flags = form.get("/SigFlags", 0) if isinstance(form, DictionaryObject) else 0
    return bool(int(sig_flags) & 1) or "/Perms" in root


def _strip_pdf(data: bytes) -> tuple[bytes, str]:
    """Rewrite the PDF without its document information and XMP metadata streams.

    Only reachable objects are written, so earlier revisions (incremental updates, which keep
    every old metadata dictionary) go too. Streams are copied as they are, never decompressed.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return data, "kept: encrypted PDF"
        if _pdf_is_signed(reader):
            return data, "kept: signed PDF (removing metadata would break the signature)"
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer.root_object.pop(NameObject("/Metadata"), None)
        for page in writer.pages:
            page.pop(NameObject("/Metadata"), None)
            page.pop(NameObject("/PieceInfo"), None)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except Exception:  # pypdf raises many kinds on malformed input; the file stays as it came
        return data, "kept: PDF not readable by the metadata cleaner"
    return out.getvalue(), "removed"


def strip_metadata(inspected: InspectedFile, data: bytes) -> CleanedFile:
    """The bytes to store for an upload that passed :func:`inspect_upload`.

    Raises :class:`RejectedFile` for an image Pillow cannot decode (damaged or truncated), so
    nothing is stored that could not be cleaned.
    """
    cleaned, metadata = data, "none"
    if inspected.kind in _PILLOW_FORMATS:
        try:
            cleaned, metadata = _reencode_image(data, inspected.kind), "removed"
        except RejectedFile:
            raise
        except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, ...) on bad data
            raise RejectedFile(_UNREADABLE_IMAGE) from exc
    elif inspected.kind == "pdf":
        cleaned, metadata = _strip_pdf(data)
    elif inspected.kind == "docx":
        metadata = "kept: Word document properties are not removed"
    return CleanedFile(
        data=cleaned,
        size=len(cleaned),
        sha256=hashlib.sha256(cleaned).hexdigest(),
        metadata=metadata,
    )


def _check_storage_name(name: str) -> None:
    # Storage names are generated here; anything else reaching these functions is a bug.
    if not _STORAGE_NAME.fullmatch(name):
        raise ValueError("Not an attachment storage name.")


def store_encrypted(data: bytes, *, aad: bytes) -> str:
    """Encrypt ``data`` and save it under a generated name; return the storage name."""
    now = timezone.now()
    name = f"attachments/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.bin"
    saved = default_storage.save(name, ContentFile(encrypt(data, aad=aad)))
    _check_storage_name(saved)
    return saved


def open_decrypted(name: str, *, aad: bytes) -> bytes:
    """Read and decrypt a stored attachment (raises ``DecryptionError`` if moved or altered)."""
    _check_storage_name(name)
    with default_storage.open(name, "rb") as handle:
        blob = handle.read()
    return decrypt(blob, aad=aad)


def delete_stored(name: str) -> None:
    """Delete a stored attachment; deleting one that is already gone is not an error."""
    _check_storage_name(name)
    default_storage.delete(name)


def attachment_response(data: bytes, *, filename: str, mime: str) -> HttpResponse:
    """A download that browsers save rather than render, with a safe, sanitised file name.

    Types outside the allowlist are served as ``application/octet-stream``; the sandboxing CSP
    and ``nosniff`` stop a file running as a page even if a browser is persuaded to open it.
    """
    if mime not in _ALLOWED_MIMES:
        mime = "application/octet-stream"
    content_type = f"{mime}; charset=utf-8" if mime.startswith("text/") else mime
    response = HttpResponse(data, content_type=content_type)
    display, _ = split_name(filename)
    response["Content-Disposition"] = content_disposition_header(True, display) or "attachment"
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
