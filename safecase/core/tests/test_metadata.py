"""Metadata is removed before a file is stored (security bar F2): GPS EXIF removed on 100% of
images; photos stay the right way up; PDFs lose their document information and XMP; Word
documents lose their core, extended and custom properties and still open.

Every sample is generated here with Pillow, pypdf, fpdf2 and zipfile, from made-up names and
text: no fixtures on disk.
"""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest
from defusedxml import ElementTree
from fpdf import FPDF
from PIL import ExifTags, Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, NumberObject

from safecase.core.files import (
    CleanedFile,
    RejectedFile,
    inspect_upload,
    strip_metadata,
)
from safecase.core.tests.test_files import docx, pdf

LIMIT = 10 * 1024 * 1024
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
}
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Taken at 12 Example Road by J. Teacher</x:xmpmeta>'


def exif(*, orientation: int | None = None, gps: bool = True) -> Image.Exif:
    tags = Image.Exif()
    tags[ExifTags.Base.Make] = "ExamplePhone"
    tags[ExifTags.Base.Artist] = "J. Teacher"
    if orientation is not None:
        tags[ExifTags.Base.Orientation] = orientation
    if gps:
        tags[ExifTags.IFD.GPSInfo] = GPS
    return tags


def half_red_half_blue(mode: str = "RGB", size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Left half red, right half blue: which way up it came out can be read from its pixels."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image.convert(mode)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def clean(name: str, data: bytes) -> CleanedFile:
    return strip_metadata(inspect_upload(name, data, max_bytes=LIMIT), data)


def assert_no_metadata(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert not image.getexif(), dict(image.getexif())
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Author"} & set(image.info)
    for marker in (b"Exif\x00\x00", b"J. Teacher", b"ExamplePhone", b"Example Road", b"secret"):
        assert marker not in data, marker
    return image


def test_a_photo_with_gps_exif_comes_out_with_no_exif_at_all() -> None:
    data = encode(half_red_half_blue(), "JPEG", exif=exif(), comment=b"secret", xmp=XMP)
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample does carry GPS
    assert {"exif", "xmp", "comment"} <= set(source.info)

    cleaned = clean("injury.jpg", data)

    assert cleaned.metadata == "removed"
    image = assert_no_metadata(cleaned.data)
    assert image.format == "JPEG" and image.size == (40, 20)
    assert cleaned.size == len(cleaned.data) and cleaned.data != data
    # What is stored still passes every upload check.
    assert inspect_upload("injury.jpg", cleaned.data, max_bytes=LIMIT).kind == "jpeg"


def _corpus() -> list[tuple[str, bytes]]:
    """JPEG and PNG, every EXIF orientation, with and without EXIF, in several modes."""
    samples = []
    for orientation, with_gps in itertools.product(range(1, 9), (True, False)):
        tags = exif(orientation=orientation, gps=with_gps)
        for mode in ("RGB", "L", "CMYK"):
            image = half_red_half_blue(mode)
            samples.append(
                (f"{mode}-{orientation}-{with_gps}.jpg", encode(image, "JPEG", exif=tags))
            )
        for mode in ("RGB", "RGBA", "L", "P"):
            image = half_red_half_blue(mode)
            samples.append(
                (f"{mode}-{orientation}-{with_gps}.png", encode(image, "PNG", exif=tags))
            )
    for mode in ("RGB", "L"):
        samples.append((f"plain-{mode}.jpg", encode(half_red_half_blue(mode), "JPEG")))
        samples.append((f"plain-{mode}.png", encode(half_red_half_blue(mode), "PNG")))
    progressive = encode(half_red_half_blue(), "JPEG", exif=exif(), progressive=True, xmp=XMP)
    samples.append(("progressive.jpg", progressive))
    return samples


def test_gps_is_removed_from_every_image_in_the_corpus() -> None:
    corpus = _corpus()
    with_gps = [
        name
        for name, data in corpus
        if Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    ]
    assert len(with_gps) >= 50  # the corpus is mostly photos that give away where they were

    still_located = []
    for name, data in corpus:
        cleaned = clean(name, data)
        image = assert_no_metadata(cleaned.data)
        if image.getexif().get_ifd(ExifTags.IFD.GPSInfo) or b"GPS" in cleaned.data:
            still_located.append(name)
    assert still_located == []  # 100% of images: no GPS after storing


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize(
    ("orientation", "size", "top_left", "bottom_right"),
    [
        (1, (40, 20), "red", "blue"),
        (3, (40, 20), "blue", "red"),  # upside down
        (6, (20, 40), "red", "blue"),  # phone held upright: turned a quarter clockwise
        (8, (20, 40), "blue", "red"),  # turned a quarter anticlockwise
    ],
)
def test_photos_stay_the_right_way_up(
    fmt: str, orientation: int, size: tuple[int, int], top_left: str, bottom_right: str
) -> None:
    data = encode(half_red_half_blue(), fmt, exif=exif(orientation=orientation))
    image = assert_no_metadata(clean(f"photo.{fmt.lower()}", data).data).convert("RGB")
    assert image.size == size

    def colour(xy: tuple[int, int]) -> str:
        red, _, blue = image.getpixel(xy)  # type: ignore[misc]
        return "red" if red > blue else "blue"

    assert colour((1, 1)) == top_left
    assert colour((size[0] - 2, size[1] - 2)) == bottom_right


def test_transparency_and_palette_survive() -> None:
    rgba = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    rgba.putpixel((0, 0), (0, 0, 255, 255))
    out = Image.open(io.BytesIO(clean("a.png", encode(rgba, "PNG", exif=exif())).data))
    assert out.mode == "RGBA" and out.getpixel((1, 1))[3] == 0 and out.getpixel((0, 0))[3] == 255  # type: ignore[index]
    palette = half_red_half_blue("P")
    out = Image.open(io.BytesIO(clean("p.png", encode(palette, "PNG", transparency=0)).data))
    assert out.mode == "P" and out.info.get("transparency") == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cut.jpg", encode(half_red_half_blue(size=(400, 400)), "JPEG", exif=exif())[:600]),
        ("cut.png", encode(half_red_half_blue(size=(400, 400)), "PNG")[:200]),
    ],
)
def test_an_image_that_cannot_be_decoded_is_refused(name: str, data: bytes) -> None:
    inspected = inspect_upload(name, data, max_bytes=LIMIT)  # its header alone looks fine
    with pytest.raises(RejectedFile, match="could not be read"):
        strip_metadata(inspected, data)


def _pdf_with_metadata() -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica")
    document.cell(text="Home visit note")
    document.set_author("J. Teacher")
    document.set_creator("ExampleWriter")
    document.set_xmp_metadata(XMP.decode())
    return bytes(document.output())


def test_a_pdf_loses_its_document_information_and_xmp() -> None:
    data = _pdf_with_metadata()
    assert PdfReader(io.BytesIO(data)).metadata
    cleaned = clean("note.pdf", data)
    assert cleaned.metadata == "removed"
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert reader.metadata is None
    assert "/Metadata" not in reader.root_object
    assert b"J. Teacher" not in cleaned.data and b"Example Road" not in cleaned.data
    assert reader.pages[0].extract_text() == "Home visit note"
    assert inspect_upload("note.pdf", cleaned.data, max_bytes=LIMIT).kind == "pdf"


def test_a_signed_pdf_is_kept_as_it_came_so_its_signature_still_holds() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_with_metadata())))
    form = DictionaryObject({NameObject("/SigFlags"): NumberObject(3)})
    writer.root_object[NameObject("/AcroForm")] = writer._add_object(form)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    cleaned = clean("signed.pdf", data)
    assert cleaned.data == data
    assert cleaned.metadata.startswith("kept: signed PDF")


def test_a_pdf_the_cleaner_cannot_read_is_kept_and_says_so() -> None:
    cleaned = clean("odd.pdf", pdf())
    assert cleaned.data == pdf()
    assert cleaned.metadata == "kept: PDF not readable by the metadata cleaner"


def test_text_is_stored_as_it_came() -> None:
    assert clean("a.txt", b"hello").data == b"hello"
    assert clean("a.txt", b"hello").metadata == "none"


# A Word document as Word writes one, with every kind of document property filled in. Synthetic:
# the names, organisation and references are made up for the test.
_CANARIES = (
    b"Jo Example-Author",
    b"Sam Example-Editor",
    b"Example Academy Trust",
    b"Pat Example-Manager",
    b"ExampleTemplate.dotm",
    b"Home visit, Example Road",
    b"EXAMPLE-CASE-0042",
    b"2024-03-01T09:15:00Z",
    b"<dc:subject>",
    b"<cp:keywords>",
    b"<TotalTime>",
)
_CT = "application/vnd.openxmlformats-"
_WORD_MAIN = "officedocument.wordprocessingml.document.main+xml"
_OVERRIDES = {
    "/word/document.xml": _WORD_MAIN,
    "/docProps/core.xml": "package.core-properties+xml",
    "/docProps/app.xml": "officedocument.extended-properties+xml",
    "/docProps/custom.xml": "officedocument.custom-properties+xml",
}
_WORD_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="{_CT}package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    + "".join(f'<Override PartName="{p}" ContentType="{_CT}{t}"/>' for p, t in _OVERRIDES.items())
    + "</Types>"
).encode()
_R = "http://schemas.openxmlformats.org"
_RELATIONSHIPS = {
    "rId3": ("officeDocument/2006/relationships/extended-properties", "docProps/app.xml"),
    "rId2": ("package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
    "rId1": ("officeDocument/2006/relationships/officeDocument", "word/document.xml"),
    "rId4": ("officeDocument/2006/relationships/custom-properties", "/docProps/custom.xml"),
}
_WORD_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_R}/package/2006/relationships">'
    + "".join(
        f'<Relationship Id="{rid}" Type="{_R}/{kind}" Target="{target}"/>'
        for rid, (kind, target) in _RELATIONSHIPS.items()
    )
    + "</Relationships>"
).encode()
_CORE = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Home visit, Example Road</dc:title><dc:subject>EXAMPLE-CASE-0042</dc:subject>
<dc:creator>Jo Example-Author</dc:creator><cp:keywords>EXAMPLE-CASE-0042</cp:keywords>
<dc:description>Home visit, Example Road</dc:description>
<cp:lastModifiedBy>Sam Example-Editor</cp:lastModifiedBy><cp:revision>7</cp:revision>
<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T09:15:00Z</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">2024-03-01T09:15:00Z</dcterms:modified>
</cp:coreProperties>"""
_APP = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<Template>ExampleTemplate.dotm</Template><TotalTime>42</TotalTime><Pages>1</Pages>
<Application>ExampleWriter</Application><Manager>Pat Example-Manager</Manager>
<Company>Example Academy Trust</Company>
<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>Home visit, Example Road</vt:lpstr>
</vt:vector></TitlesOfParts></Properties>"""
_CUSTOM = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="CaseReference">
<vt:lpwstr>EXAMPLE-CASE-0042</vt:lpwstr></property></Properties>"""
_BODY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://'
    b'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Notes from '
    b"the visit.</w:t></w:r></w:p></w:body></w:document>"
)


def word_document_with_properties(*, rels: bytes = _WORD_RELS) -> bytes:
    """Members in Word's usual order; the picture stored, everything else deflated; member
    times and an archive comment that could date the document."""
    members = [
        ("[Content_Types].xml", _WORD_CONTENT_TYPES, zipfile.ZIP_DEFLATED),
        ("_rels/.rels", rels, zipfile.ZIP_DEFLATED),
        ("word/document.xml", _BODY, zipfile.ZIP_DEFLATED),
        ("word/media/image1.png", encode(half_red_half_blue(), "PNG"), zipfile.ZIP_STORED),
        ("docProps/core.xml", _CORE, zipfile.ZIP_DEFLATED),
        ("docProps/app.xml", _APP, zipfile.ZIP_DEFLATED),
        ("docProps/custom.xml", _CUSTOM, zipfile.ZIP_DEFLATED),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.comment = b"Jo Example-Author"
        for name, content, compression in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 3, 1, 9, 15, 0))
            info.compress_type = compression
            archive.writestr(info, content)
    return buffer.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_a_word_document_loses_its_properties_and_still_opens() -> None:
    data = word_document_with_properties()
    assert all(canary in data or canary in b"".join(_parts(data).values()) for canary in _CANARIES)

    cleaned = clean("visit.docx", data)

    assert cleaned.metadata == "removed"
    assert cleaned.size == len(cleaned.data)
    # It still passes every upload check (the zip checks of _validate_docx among them).
    assert inspect_upload("visit.docx", cleaned.data, max_bytes=LIMIT).kind == "docx"
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert archive.comment == b""
    # The same members in the same order and compression, less the custom properties.
    with zipfile.ZipFile(io.BytesIO(data)) as original:
        expected = [
            (i.filename, i.compress_type)
            for i in original.infolist()
            if i.filename != "docProps/custom.xml"
        ]
    assert [(i.filename, i.compress_type) for i in infos] == expected
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    parts = _parts(cleaned.data)
    everything = b"".join(parts.values()) + cleaned.data
    for canary in _CANARIES:
        assert canary not in everything, canary
    # Every XML part still parses; what people wrote and pictured is untouched.
    trees = {
        name: ElementTree.fromstring(body) for name, body in parts.items() if "/media/" not in name
    }
    assert parts["word/document.xml"] == _BODY
    assert parts["word/media/image1.png"] == encode(half_red_half_blue(), "PNG")
    core, app = trees["docProps/core.xml"], trees["docProps/app.xml"]
    assert core.tag == f"{{{_R}/package/2006/metadata/core-properties}}coreProperties"
    assert app.tag == f"{{{_R}/officeDocument/2006/extended-properties}}Properties"
    assert len(core) == 0 and len(app) == 0 and not (core.text or "").strip()
    relationships = {r.get("Id"): r.get("Target") for r in trees["_rels/.rels"]}
    assert relationships == {
        "rId1": "word/document.xml",
        "rId2": "docProps/core.xml",
        "rId3": "docProps/app.xml",
    }
    assert trees["_rels/.rels"].tag == f"{{{_R}/package/2006/relationships}}Relationships"
    # Written as Word writes them: the package namespace as the default, no "ns0:" prefixes.
    assert parts["_rels/.rels"].startswith(b'<?xml version="1.0" encoding="UTF-8" standalone=')
    assert b"\n<Relationships xmlns=" in parts["_rels/.rels"]
    assert b"\n<Types xmlns=" in parts["[Content_Types].xml"]
    overrides = {o.get("PartName") for o in trees["[Content_Types].xml"] if o.get("PartName")}
    assert overrides == {"/word/document.xml", "/docProps/core.xml", "/docProps/app.xml"}
    assert len(trees["[Content_Types].xml"]) == 6  # the three defaults are still there


def test_unusual_package_parts_are_rewritten_without_the_custom_properties() -> None:
    """A part outside the usual shape (here an extension attribute) is written by Python's
    serialiser instead: prefixed, but the same XML."""
    rels = _WORD_RELS.replace(
        b"<Relationships ",
        b'<Relationships xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        b' mc:Ignorable="x" ',
    )
    parts = _parts(clean("odd.docx", word_document_with_properties(rels=rels)).data)
    tree = ElementTree.fromstring(parts["_rels/.rels"])
    assert sorted(r.get("Id") for r in tree) == ["rId1", "rId2", "rId3"]
    assert "docProps/custom.xml" not in parts


def test_a_word_document_without_properties_still_opens() -> None:
    document = docx()
    cleaned = clean("a.docx", document)
    assert cleaned.metadata == "removed"
    assert _parts(cleaned.data) == _parts(document)
    assert inspect_upload("a.docx", cleaned.data, max_bytes=LIMIT).kind == "docx"


def test_a_damaged_word_document_is_refused_with_a_plain_message() -> None:
    cut = word_document_with_properties()[:-40]
    with pytest.raises(RejectedFile, match=r"^This Word document is damaged or is not a \.docx"):
        clean("cut.docx", cut)


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
    b'&a;&a;&a;&a;&a;">]><Relationships>&b;</Relationships>'
)


@pytest.mark.parametrize("rels", [b"<Relationships><unclosed></Relationships>", LAUGHS])
def test_a_word_document_whose_parts_list_cannot_be_read_is_refused(rels: bytes) -> None:
    document = word_document_with_properties(rels=rels)
    # The zip itself is sound, so the upload checks pass; the cleaner cannot read it, and says so.
    inspected = inspect_upload("odd.docx", document, max_bytes=LIMIT)
    with pytest.raises(RejectedFile, match=r"^This Word document is damaged"):
        strip_metadata(inspected, document)


def test_the_cleaner_only_takes_the_bytes_that_were_inspected() -> None:
    inspected = inspect_upload("a.docx", docx(), max_bytes=LIMIT)
    with pytest.raises(ValueError, match="inspect_upload"):
        strip_metadata(inspected, word_document_with_properties())
