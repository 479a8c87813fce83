"""Metadata is removed before a file is stored (security bar F2): GPS EXIF removed on 100% of
images; photos stay the right way up; PDFs lose their document information and XMP.

Every sample is generated here with Pillow, pypdf and fpdf2: no fixtures on disk.
"""

from __future__ import annotations

import io
import itertools

import pytest
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


def test_text_and_word_documents_are_stored_as_they_came() -> None:
    assert clean("a.txt", b"hello").data == b"hello"
    assert clean("a.txt", b"hello").metadata == "none"
    document = docx()
    assert clean("a.docx", document).data == document
    assert clean("a.docx", document).metadata.startswith("kept:")
