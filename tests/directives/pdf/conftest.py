"""Fixtures of the PDF tests: the sample letter, a signing key from a throwaway CA, and helpers
to read a PDF back with pdfplumber."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pdfplumber
import pytest

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


REFERENCE_DIR = Path(__file__).parent / "reference"
