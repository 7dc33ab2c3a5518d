"""Fixtures of the PDF tests: the sample letter, a signing key from a throwaway CA, and helpers
to read a PDF back: its text with pdfplumber, its objects and decoded streams with pyHanko."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pdfplumber
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.documents.pki import PkiFiles, pki_create
from tests.directives.pdf.sample import build_sample_letter


@pytest.fixture(scope="session")
def trusted_pki(tmp_path_factory) -> PkiFiles:
    return pki_create(
        directory=tmp_path_factory.mktemp("pki-trusted"),
        organisation="Sở Thông tin và Truyền thông Gia Lai",
        password="test-pass",
    )


@pytest.fixture(scope="session")
def other_pki(tmp_path_factory) -> PkiFiles:
    return pki_create(
        directory=tmp_path_factory.mktemp("pki-other"),
        organisation="Một tổ chức khác",
        password="other-pass",
        ca_name="Some other CA",
    )


@pytest.fixture
def signing_configured(settings, trusted_pki: PkiFiles) -> PkiFiles:
    """Production-like: DEBUG off, the key from SIGNING_P12, trust from SIGNING_TRUST_ROOTS."""
    settings.DEBUG = False
    settings.SIGNING_P12 = str(trusted_pki.org_p12)
    settings.SIGNING_P12_PASSWORD = trusted_pki.password
    settings.SIGNING_P12_DIR = ""
    settings.SIGNING_TRUST_ROOTS = [str(trusted_pki.ca_pem)]
    settings.SIGNING_TSA_URL = ""
    settings.SITE_URL = "https://congvan.example.gov.vn"
    return trusted_pki


@pytest.fixture
def sample_letter(db):
    return build_sample_letter()


def open_pdf(data: bytes) -> pdfplumber.PDF:
    return pdfplumber.open(BytesIO(data))


def lines_of(page) -> list[dict]:
    """Text lines with their characters (pdfplumber), top to bottom."""
    return page.extract_text_lines(return_chars=True, strip=True)


def find_line(page, text: str) -> dict:
    for line in lines_of(page):
        if text in line["text"]:
            return line
    raise AssertionError(f"{text!r} not found on page {page.page_number}")


def chars_of(page, text: str) -> list[dict]:
    """The characters of the first occurrence of `text` on the page (spaces excluded)."""
    line = find_line(page, text)
    start = line["text"].index(text)
    # pdfplumber's line text includes spaces that are not chars; map by skipping spaces.
    visible = [c for c in line["chars"] if c["text"].strip()]
    offset = len(line["text"][:start].replace(" ", ""))
    return visible[offset : offset + len(text.replace(" ", ""))]


def style_of(page, text: str) -> tuple[float, bool, bool]:
    """(size in pt, bold, italic) of `text`, asserting that all its characters agree."""
    chars = chars_of(page, text)
    assert chars, text
    sizes = {round(c["size"], 1) for c in chars}
    bold = {"Bold" in c["fontname"] for c in chars}
    italic = {"Italic" in c["fontname"] for c in chars}
    assert len(sizes) == 1 and len(bold) == 1 and len(italic) == 1, (text, sizes, bold, italic)
    return sizes.pop(), bold.pop(), italic.pop()


def pdf_objects(data: bytes) -> list:
    """Every indirect object of the PDF, in every revision, object streams included."""
    reader = PdfFileReader(BytesIO(data))
    refs: set = set()
    for revision in range(reader.xrefs.total_revisions):
        refs |= reader.xrefs.explicit_refs_in_revision(revision)
    return [reader.get_object(ref) for ref in sorted(refs, key=lambda r: (r.idnum, r.generation))]


def decoded_pdf(data: bytes) -> bytes:
    """The PDF as a search for its content needs it: each object's dictionary and each stream's
    decoded data (page content, fonts, images, embedded files are Flate-compressed in the file,
    so `b"..." in data` would never find them)."""
    chunks = []
    for obj in pdf_objects(data):
        if isinstance(obj, generic.StreamObject):
            chunks.append(repr(dict(obj)).encode())
            chunks.append(obj.data)
        else:
            chunks.append(repr(obj).encode())
    return b"\n".join(chunks)


def embedded_font_programs(data: bytes) -> dict[str, bytes]:
    """The font files embedded in the PDF (FontFile2 / FontFile3 / FontFile), decoded, by the
    font's /BaseFont name without its subset prefix."""
    fonts: dict[str, bytes] = {}
    for obj in pdf_objects(data):
        if isinstance(obj, generic.DictionaryObject) and obj.get("/Type") == "/FontDescriptor":
            name = str(obj["/FontName"]).lstrip("/").split("+")[-1]
            for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                if key in obj:
                    fonts[name] = obj[key].get_object().data
    return fonts


REFERENCE_DIR = Path(__file__).parent / "reference"
# The letter's bundled faces (static/fonts), by file name.
LETTER_FACES = (
    "LiberationSerif-Regular",
    "LiberationSerif-Bold",
    "LiberationSerif-Italic",
    "LiberationSerif-BoldItalic",
)
