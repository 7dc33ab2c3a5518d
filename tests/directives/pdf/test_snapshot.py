"""Page 1 of the sample letter, rendered to an image, against a stored reference.

Robust on purpose: greyscale, downscaled, compared by mean absolute difference, so an
anti-aliasing or font-hinting change passes while a moved block or a lost header fails.
Regenerate after an intended layout change with UPDATE_PDF_REFERENCE=1.
"""

from __future__ import annotations

import os

import pypdfium2
from PIL import Image, ImageChops, ImageStat

from directives.documents.pdf import render_directive_pdf_bytes
from tests.directives.pdf.conftest import REFERENCE_DIR

REFERENCE = REFERENCE_DIR / "sample-letter-page1.png"
SIZE = (124, 176)  # A4 at about 15 dpi
TOLERANCE = 1.0  # mean absolute difference in grey levels (0-255); a lost header is ~2.2


def page_one_image(data: bytes) -> Image.Image:
    document = pypdfium2.PdfDocument(data)
    bitmap = document[0].render(scale=60 / 72)
    return bitmap.to_pil().convert("L").resize(SIZE, Image.Resampling.LANCZOS)


def test_page_one_matches_the_reference(sample_letter):
    image = page_one_image(render_directive_pdf_bytes(sample_letter, draft=False))
    if os.environ.get("UPDATE_PDF_REFERENCE") == "1" or not REFERENCE.exists():
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        image.save(REFERENCE)
    reference = Image.open(REFERENCE).convert("L")
    difference = ImageStat.Stat(ImageChops.difference(image, reference)).mean[0]
    assert difference <= TOLERANCE, f"page 1 differs from the reference by {difference:.2f}"
    # The check has teeth: a letter without its header is far from the reference.
    blank_top = image.copy()
    blank_top.paste(255, (0, 0, SIZE[0], SIZE[1] // 5))
    assert ImageStat.Stat(ImageChops.difference(blank_top, reference)).mean[0] > TOLERANCE
