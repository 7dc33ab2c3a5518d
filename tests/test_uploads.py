"""Finding 7 of issue 17: uploads are what they say they are, and harmless to open."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from common.uploads import check_upload

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n"


def _zip(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
XLSX = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def test_sound_files_pass():
    assert check_upload(SimpleUploadedFile("a.pdf", PDF)).kind == "pdf"
    assert check_upload(SimpleUploadedFile("a.docx", _zip(DOCX))).kind == "docx"
    assert check_upload(SimpleUploadedFile("Bảng.XLSX", _zip(XLSX))).kind == "xlsx"


def test_a_pdf_opening_at_a_page_passes():
    """LibreOffice writes /OpenAction [page /XYZ …] into every PDF it exports."""
    data = PDF.replace(b"/Pages 2 0 R", b"/Pages 2 0 R /OpenAction [3 0 R /XYZ null null 0]")
    assert check_upload(SimpleUploadedFile("a.pdf", data)).kind == "pdf"


@pytest.mark.parametrize(
    "name,data",
    [
        ("a.docx", PDF),
        ("a.pdf", _zip(DOCX)),
        ("a.xlsx", _zip(DOCX)),
        ("a.exe", PDF),
        ("a", PDF),
        ("a.pdf.docx", PDF),
    ],
)
def test_an_extension_that_disagrees_with_the_content_is_refused(name, data):
    with pytest.raises(ValidationError, match="nhưng tên tệp|được chấp nhận"):
        check_upload(SimpleUploadedFile(name, data))


@pytest.mark.parametrize(
    "parts",
    [
        {"word/document.xml": b"<w:document/>"},  # no [Content_Types].xml
        {**DOCX, "word/vbaProject.bin": b"macro"},
    ],
)
def test_an_office_file_without_its_parts_or_with_macros_is_refused(parts):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("a.docx", _zip(parts)))


def test_a_damaged_office_file_is_refused():
    data = bytearray(_zip({**DOCX, "word/styles.xml": b"x" * 5000}))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(ValidationError, match="hỏng|được chấp nhận"):
        check_upload(SimpleUploadedFile("a.docx", bytes(data)))


def test_a_zip_bomb_is_refused(settings):
    settings.OFFICE_MAX_INFLATED_BYTES = 1024 * 1024
    bomb = _zip({**DOCX, "word/media/big.bin": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 20 * 1024
    with pytest.raises(ValidationError, match="1 MB"):
        check_upload(SimpleUploadedFile("a.docx", bomb))


def test_a_zip_bomb_that_lies_about_its_size_is_refused(settings):
    settings.OFFICE_MAX_INFLATED_BYTES = 1024 * 1024
    bomb = bytearray(_zip({**DOCX, "word/media/big.bin": b"\0" * (2 * 1024 * 1024)}))
    # The central directory and local header say the part is 100 bytes.
    size = (2 * 1024 * 1024).to_bytes(4, "little")
    bomb = bytes(bomb).replace(size, (100).to_bytes(4, "little"))
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("a.docx", bomb))


@pytest.mark.parametrize(
    "catalog",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/OpenAction 5 0 R",
        b"/AA << /O 5 0 R >>",
        b"/Names << /J#61vaScript 6 0 R >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
    ],
)
def test_a_pdf_with_a_script_or_an_action_is_refused(catalog):
    data = PDF.replace(b"/Pages 2 0 R", b"/Pages 2 0 R " + catalog)
    with pytest.raises(ValidationError, match="tập lệnh"):
        check_upload(SimpleUploadedFile("a.pdf", data))


def test_a_script_hidden_in_an_object_stream_is_refused():
    objects = b"5 0 6 40 << /S /JavaScript /JS (app.alert(1)) >> << /Type /Action >>"
    packed = zlib.compress(objects)
    data = PDF.replace(
        b"%%EOF",
        b"7 0 obj\n<< /Type /ObjStm /N 2 /First 9 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(packed)
        + packed
        + b"\nendstream\nendobj\n%%EOF",
    )
    with pytest.raises(ValidationError, match="tập lệnh"):
        check_upload(SimpleUploadedFile("a.pdf", data))


def test_binary_image_data_holding_js_by_chance_passes():
    image = b"\x00\x11/JS /AA\x00" * 10
    data = PDF.replace(
        b"%%EOF",
        b"8 0 obj\n<< /Subtype /Image /Length %d >>\nstream\n" % len(image)
        + image
        + b"\nendstream\nendobj\n%%EOF",
    )
    assert check_upload(SimpleUploadedFile("a.pdf", data)).kind == "pdf"
