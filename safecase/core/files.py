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
  kept as uploaded and the audit event says so. Word documents are rewritten (the same parts in
  the same order, each compressed as it was) with empty core properties (author, last editor,
  dates, title, subject, keywords, description, revision), minimal extended properties
  (company, manager, template, editing time) and no custom properties; member timestamps and
  the archive comment go too. What people wrote stays as written, including the names on
  comments and tracked changes.

The antivirus scan runs after storage and before a file can be downloaded (safecase.core.scanning
and the attachment's scan state). This module is pure and domain-free on purpose.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import shutil
import stat
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
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


_DOCX_DAMAGED = "This Word document is damaged or is not a .docx file"
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
    damaged = RejectedFile(_DOCX_DAMAGED)
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


# Package parts hold XML of a few kilobytes; anything bigger is not a real properties part.
_DOCX_PART_XML_LIMIT = 1024 * 1024
_OPC_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OPC_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
# Valid and empty: every element of both schemas is optional.
_EMPTY_CORE_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl'
    b'.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org'
    b'/2001/XMLSchema-instance"/>'
)
_EMPTY_APP_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
    b'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'
    b"/>"
)
_DOCX_REPLACEMENTS = {"core": _EMPTY_CORE_PROPERTIES, "app": _EMPTY_APP_PROPERTIES}
# Properties parts found by their relationship type (the last part of its URI, transitional
# "core-properties" or strict "coreProperties"), or by their usual names when not referenced.
_DOCX_PROPERTY_TYPES = {
    "coreproperties": "core",
    "extendedproperties": "app",
    "customproperties": "custom",
}
_DOCX_PROPERTY_NAMES = {
    "docprops/core.xml": "core",
    "docprops/app.xml": "app",
    "docprops/custom.xml": "custom",
}


def _read_package_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    """Parse one small package part (defusedxml: no entity expansion, no external entities)."""
    if info.file_size > _DOCX_PART_XML_LIMIT:
        raise RejectedFile(_DOCX_DAMAGED)
    try:
        return SafeElementTree.fromstring(archive.read(info))
    except (SafeElementTree.ParseError, DefusedXmlException) as exc:
        raise RejectedFile(_DOCX_DAMAGED) from exc


def _write_package_xml(root: Any, namespace: str) -> bytes:
    """Write a flat package part (relationships, content types) as Word does: its namespace as
    the default one, each child an empty element with plain attributes. Python's serialiser
    would prefix every element (``ns0:``) instead, which not every reader accepts; it is only
    used for a part outside the schema's shape."""
    qualified = f"{{{namespace}}}"

    def plain(element: Any) -> bool:
        return element.tag.startswith(qualified) and not any(k[0] == "{" for k in element.attrib)

    def start(element: Any) -> str:
        attributes = "".join(f" {k}={quoteattr(v)}" for k, v in element.attrib.items())
        return f"<{element.tag.removeprefix(qualified)}{attributes}"

    children = list(root)
    if not plain(root) or not all(
        plain(c) and not len(c) and not (c.text or "").strip() for c in children
    ):
        out: bytes = SafeElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
        return out
    name = root.tag.removeprefix(qualified)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        + f'{start(root)} xmlns="{namespace}">'
        + "".join(f"{start(child)}/>" for child in children)
        + f"</{name}>"
    ).encode()


def _package_part(target: str) -> str:
    """A relationship target of the package's own relationships, as a zip member name."""
    return posixpath.normpath(target.replace("\\", "/").lstrip("/")).lower()


def _docx_property_parts(
    archive: zipfile.ZipFile, by_lower: Mapping[str, zipfile.ZipInfo]
) -> tuple[dict[str, str], bytes | None]:
    """Which members hold document properties (member name → core, app or custom), and the
    package relationships rewritten without the custom properties (None when unchanged)."""
    roles = {by_lower[n].filename: r for n, r in _DOCX_PROPERTY_NAMES.items() if n in by_lower}
    rels_info = by_lower.get("_rels/.rels")
    if rels_info is None:
        return roles, None
    rels = _read_package_xml(archive, rels_info)
    dropped = False
    for relationship in list(rels):
        kind = relationship.get("Type", "").rsplit("/", 1)[-1].replace("-", "").lower()
        role = _DOCX_PROPERTY_TYPES.get(kind)
        if role is None or relationship.get("TargetMode") == "External":
            continue
        if (member := by_lower.get(_package_part(relationship.get("Target", "")))) is not None:
            roles[member.filename] = role
        if role == "custom":
            rels.remove(relationship)
            dropped = True
    return roles, _write_package_xml(rels, _OPC_RELATIONSHIPS) if dropped else None


def _docx_content_types(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, dropped: set[str]
) -> bytes | None:
    """[Content_Types].xml without the overrides of the dropped parts (None when unchanged)."""
    if not dropped:
        return None
    types = _read_package_xml(archive, info)
    overrides = [o for o in types if _package_part(o.get("PartName", "")) in dropped]
    for override in overrides:
        types.remove(override)
    return _write_package_xml(types, _OPC_CONTENT_TYPES) if overrides else None


def _strip_docx(data: bytes) -> bytes:
    """Rewrite a Word document without its document properties.

    ``data`` has passed :func:`_validate_docx` (entry count, sizes, symlinks, names, CRCs), so
    every member is read in bounded chunks from a checked archive, and the result is checked
    again before it is returned. Members keep their order and
    compression method; timestamps become the zip epoch (as Word writes them) and the archive
    comment goes. Core properties become an empty (valid) document, extended properties a
    minimal one, and custom properties are dropped with their relationship and content type.
    """
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            infos = source.infolist()
            by_lower = {info.filename.lower(): info for info in infos}
            roles, rels = _docx_property_parts(source, by_lower)
            rewritten: dict[str, bytes] = {}
            if rels is not None:
                rewritten[by_lower["_rels/.rels"].filename] = rels
            dropped = {name.lower() for name, role in roles.items() if role == "custom"}
            types_info = by_lower.get("[content_types].xml")
            types = _docx_content_types(source, types_info, dropped) if types_info else None
            if types_info and types is not None:
                rewritten[types_info.filename] = types
            with zipfile.ZipFile(out, "w") as target:
                for info in infos:
                    role = roles.get(info.filename)
                    if role == "custom":
                        continue
                    member = zipfile.ZipInfo(info.filename)
                    member.compress_type = info.compress_type
                    replacement = _DOCX_REPLACEMENTS.get(role or "", rewritten.get(info.filename))
                    if info.is_dir():
                        target.writestr(member, b"")
                    elif replacement is not None:
                        target.writestr(member, replacement)
                    else:
                        with source.open(info) as reader, target.open(member, "w") as writer:
                            shutil.copyfileobj(reader, writer, _ZIP_CHUNK)
    except _ZIP_ERRORS as exc:
        raise RejectedFile(_DOCX_DAMAGED) from exc
    cleaned = out.getvalue()
    _validate_docx(cleaned)  # what is stored passes the same checks as what was uploaded
    return cleaned


def strip_metadata(inspected: InspectedFile, data: bytes) -> CleanedFile:
    """The bytes to store for an upload that passed :func:`inspect_upload`.

    Raises :class:`RejectedFile` for an image Pillow cannot decode (damaged or truncated) or a
    Word document whose package parts cannot be read, so nothing is stored that could not be
    cleaned. ``data`` must be the bytes ``inspect_upload`` accepted: its checks (a zip's sizes,
    an image's dimensions) are what make the cleaning safe to run.
    """
    if hashlib.sha256(data).hexdigest() != inspected.sha256:
        raise ValueError("strip_metadata() takes the bytes that inspect_upload() accepted.")
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
        cleaned, metadata = _strip_docx(data), "removed"
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
