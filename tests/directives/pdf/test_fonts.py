"""The letter's fonts travel with the project: Liberation Serif 2.1.5 from static/fonts, loaded
with @font-face under the portal's own family name, fetched through the sandboxed fetcher. The PDF
is the same on a machine that has no font at all."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont

from directives.documents.pdf import (
    portal_url_fetcher,
    render_directive_html,
    render_directive_pdf_bytes,
)
from tests.directives.pdf import test_layout as layout
from tests.directives.pdf.conftest import LETTER_FACES, chars_of, embedded_font_programs, open_pdf

FONTS_DIR = settings.BASE_DIR / "static" / "fonts"
FONT_FACE_URL = re.compile(r"@font-face\s*\{[^}]*url\(\"([^\"]+)\"\)")


def face_of(font: TTFont) -> tuple[str, str, str]:
    """(family, style, version) as the font's own name table says."""
    names = font["name"]
    return names.getDebugName(1), names.getDebugName(2), names.getDebugName(5)


BUNDLED = {face_of(TTFont(FONTS_DIR / f"{face}.ttf")) for face in LETTER_FACES}


def embedded_faces(data: bytes) -> set[tuple[str, str, str]]:
    """(family, style, version) of each font embedded in the PDF, read from the font itself."""
    return {face_of(TTFont(BytesIO(p))) for p in embedded_font_programs(data).values()}


def test_the_bundle_is_liberation_serif_2_with_its_licence():
    assert {
        ("Liberation Serif", style, "Version 2.1.5")
        for style in ("Regular", "Bold", "Italic", "Bold Italic")
    } == BUNDLED
    licence = (FONTS_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Copyright (c) 2012 Red Hat, Inc. with Reserved Font Name Liberation." in licence
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "\n.\n" not in licence


def test_the_stylesheet_names_no_system_font(sample_letter):
    html = render_directive_html(sample_letter, draft=False)
    families = set(re.findall(r"font-family:\s*([^;}]+)", html))
    assert families == {'"Portal Letter Serif"', '"Portal Letter Serif", serif'}
    assert [url.rsplit("/", 1)[-1] for url in FONT_FACE_URL.findall(html)] == [
        f"{face}.ttf" for face in LETTER_FACES
    ]


def test_the_fetcher_serves_the_bundled_fonts_and_nothing_beside(sample_letter):
    fetcher = portal_url_fetcher()
    for url in FONT_FACE_URL.findall(render_directive_html(sample_letter, draft=False)):
        response = fetcher.fetch(f"{settings.SITE_URL}{url}")
        assert response.read() == (FONTS_DIR / url.rsplit("/", 1)[-1]).read_bytes()
    for url in (
        f"{settings.SITE_URL}/static/fonts/../../portal/settings.py",
        f"{settings.SITE_URL}/static/fonts/LICENSE/../../../manage.py",
        f"file://{FONTS_DIR}/LiberationSerif-Regular.ttf",
        "http://example.com/static/fonts/LiberationSerif-Regular.ttf",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_pdf_embeds_the_four_bundled_faces_only(sample_letter):
    data = render_directive_pdf_bytes(sample_letter, draft=True)  # the watermark too
    assert embedded_faces(data) == BUNDLED


def test_a_worker_without_collected_static_files_prints_with_the_fonts(
    settings, tmp_path, sample_letter
):
    """Production storage (whitenoise's manifest) on a PDF worker that never ran collectstatic:
    the stylesheet's font URLs need no manifest, and the fetcher finds the files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "never-collected"
    data = render_directive_pdf_bytes(sample_letter, draft=False)
    assert embedded_faces(data) == BUNDLED


RENDER_WITHOUT_SYSTEM_FONTS = """
import json, sys
import django
django.setup()
from weasyprint.text.ffi import fontconfig  # loads Pango and fontconfig with FONTCONFIG_FILE
from directives.documents.pdf import document_to_pdf, html_to_document

system_fonts = fontconfig.FcConfigGetFonts(
    fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcSetSystem
).nfont
html = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "wb").write(document_to_pdf(html_to_document(html)))
print(json.dumps({"system_fonts": system_fonts}))
"""


def render_with_no_system_font(html: str, directory: Path) -> bytes:
    """The letter rendered in a fresh process whose fontconfig knows no font at all (a config
    with no <dir>, set before Pango loads): only what @font-face brings can be used."""
    conf = directory / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{directory / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    (directory / "letter.html").write_text(html, encoding="utf-8")
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(conf),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "VAR_DIR": str(directory / "var"),
        "SITE_URL": settings.SITE_URL,
    }
    env.pop("FONTCONFIG_PATH", None)
    done = subprocess.run(
        [sys.executable, "-c", RENDER_WITHOUT_SYSTEM_FONTS, "letter.html", "letter.pdf"],
        cwd=directory,
        env={**env, "PYTHONPATH": str(settings.BASE_DIR)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["system_fonts"] == 0, "the subprocess still sees system fonts"
    return (directory / "letter.pdf").read_bytes()


def test_the_letter_needs_no_system_font(sample_letter, tmp_path):
    html = render_directive_html(sample_letter, draft=False)
    data = render_with_no_system_font(html, tmp_path)
    assert embedded_faces(data) == BUNDLED
    pdf = open_pdf(data)
    page = pdf.pages[0]
    for text in layout.ISSUER_LINES:  # the header's two lines, each on one line, not rewrapped
        issuer = chars_of(page, text)
        assert len({round(c["bottom"]) for c in issuer}) == 1
        assert issuer[-1]["x1"] < layout.PAGE_WIDTH / 2
    # The layout tests' facts hold just the same.
    for check in (
        layout.test_page_is_a4_with_the_decrees_margins,
        layout.test_header_two_columns_with_sizes_and_styles,
        layout.test_header_rules,
        layout.test_number_and_date_on_one_line,
        layout.test_kinh_gui_list_dashes_aligned,
        layout.test_body_size_justified_and_spaced,
        layout.test_closing_nơi_nhận_left_signature_right_same_level,
        layout.test_every_vietnamese_diacritic_survives,
    ):
        check(pdf)
