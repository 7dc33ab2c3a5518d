"""Page 1 of the sample letter, rendered to an image, against a stored reference.

Robust on purpose: greyscale, downscaled, compared by mean absolute difference, so an
anti-aliasing or font-hinting change passes while a moved block or a lost header fails.
The letter's fonts are bundled (static/fonts), so the reference holds on any machine.

A missing reference fails: it is made only on purpose, after an intended layout change, with

    UPDATE_PDF_REFERENCE=1 .venv/bin/python -m pytest tests/directives/pdf/test_snapshot.py

which writes the reference and the README's picture of page 1 (docs/sample-letter-page1.png);
look at both before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageStat

from directives.documents.pdf import render_directive_pdf_bytes
from tests.directives.pdf.conftest import REFERENCE_DIR

REFERENCE = REFERENCE_DIR / "sample-letter-page1.png"
README_PICTURE = Path(__file__).parents[3] / "docs" / "sample-letter-page1.png"
README_DPI = 80
SIZE = (124, 176)  # A4 at about 15 dpi
TOLERANCE = 1.0  # mean absolute difference in grey levels (0-255); a lost header is ~2.2
UPDATE = os.environ.get("UPDATE_PDF_REFERENCE") == "1"


def render_page_one(data: bytes, dpi: float) -> Image.Image:
    document = pypdfium2.PdfDocument(data)
    return document[0].render(scale=dpi / 72).to_pil().convert("RGB")


def page_one_image(data: bytes) -> Image.Image:
    return render_page_one(data, 60).convert("L").resize(SIZE, Image.Resampling.LANCZOS)


def test_page_one_matches_the_reference(sample_letter):
    data = render_directive_pdf_bytes(sample_letter, draft=False)
    image = page_one_image(data)
    if UPDATE:
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        image.save(REFERENCE)
        render_page_one(data, README_DPI).save(README_PICTURE, dpi=(README_DPI, README_DPI))
    assert REFERENCE.exists(), (
        f"no reference image {REFERENCE}: make it on purpose with "
        "UPDATE_PDF_REFERENCE=1 python -m pytest tests/directives/pdf/test_snapshot.py "
        "and commit it after looking at it"
    )
    reference = Image.open(REFERENCE).convert("L")
    difference = ImageStat.Stat(ImageChops.difference(image, reference)).mean[0]
    assert difference <= TOLERANCE, f"page 1 differs from the reference by {difference:.2f}"
    # The check has teeth: a letter without its header is far from the reference.
    blank_top = image.copy()
    blank_top.paste(255, (0, 0, SIZE[0], SIZE[1] // 5))
    assert ImageStat.Stat(ImageChops.difference(blank_top, reference)).mean[0] > TOLERANCE


def test_a_missing_reference_fails(sample_letter, monkeypatch, tmp_path):
    """Without its reference the test fails and says how to make one; it writes nothing."""
    from tests.directives.pdf import test_snapshot

    missing = tmp_path / "reference" / "sample-letter-page1.png"
    monkeypatch.setattr(test_snapshot, "REFERENCE", missing)
    monkeypatch.setattr(test_snapshot, "UPDATE", False)
    with pytest.raises(AssertionError, match="UPDATE_PDF_REFERENCE=1"):
        test_snapshot.test_page_one_matches_the_reference(sample_letter)
    assert not missing.exists()
