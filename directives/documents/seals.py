"""The agency's signature on the attachments of an issued letter (Nghị định 30/2020, Phụ lục I,
II.8b and III.1d).

A PDF attachment is signed (PAdES, B-LT where a CRL is at hand) with a text-only appearance at
the top right of page 1: the letter's number and symbol and the signing time (Asia/Ho_Chi_Minh,
ISO 8601), Times New Roman (the bundled Liberation Serif, metric-compatible) 10 pt, upright,
black; the widget's appearance is written in the signature's own revision, no image. Any other
file gets a detached CAdES signature: a DER CMS over the file's bytes, delivered as `.p7s`.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import threading
import zoneinfo
from io import BytesIO
from pathlib import Path

from django.conf import settings
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.stamp.text import TextStampStyle

from directives.documents.revocation import pades_lt_options
from directives.documents.signing import PdfSignerAt, SigningKey

SEAL_FIELD = "ChuKySoCoQuan"
FONT_FILE = Path(settings.BASE_DIR) / "static" / "fonts" / "LiberationSerif-Regular.ttf"
FONT_SIZE = 10
MM = 72 / 25.4
# The stamp's box: from the top and right edges of page 1, its size.
TOP = 10 * MM
RIGHT = 15 * MM
WIDTH = 215  # points, whole: the appearance's /BBox is the /Rect, so no viewer rescales it
HEIGHT = 2 * (FONT_SIZE + 2) + 2
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def seal_text(number_symbol: str, signed_at: datetime.datetime) -> str:
    """The two lines of Phụ lục I, II.8b: number and symbol; time, ISO 8601 with +07:00."""
    when = signed_at.astimezone(VIETNAM).replace(microsecond=0).isoformat()
    return f"Số: {number_symbol}\nThời gian ký: {when}"


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


_font_lock = threading.Lock()


def stamp_font_file() -> Path:
    """Liberation Serif rescaled to 1000 units per em, made once under VAR_DIR/fonts.

    pyHanko's OpenType engine writes glyph widths and TJ kerning in the font's own units as if
    they were the PDF's thousandths of an em: right for 1000-unit fonts only, while Liberation
    Serif has 2048 (the text would print letter-spaced)."""
    target = Path(settings.VAR_DIR) / "fonts" / f"{FONT_FILE.stem}-1000upem.ttf"
    with _font_lock:
        if not target.exists() or target.stat().st_mtime < FONT_FILE.stat().st_mtime:
            from fontTools.ttLib import TTFont
            from fontTools.ttLib.scaleUpem import scale_upem

            font = TTFont(str(FONT_FILE))
            scale_upem(font, 1000)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(str(partial))
            partial.replace(target)
    return target


def _stamp_style() -> TextStampStyle:
    font = GlyphAccumulatorFactory(str(stamp_font_file()), font_size=FONT_SIZE)
    return TextStampStyle(
        stamp_text="%(text)s",
        text_box_style=TextBoxStyle(
            font=font,
            font_size=FONT_SIZE,
            leading=FONT_SIZE + 2,
            text_color=(0, 0, 0),
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins(0, 0, 0, 0),
                inner_content_scaling=layout.InnerScaling.NO_SCALING,
            ),
        ),
        border_width=0,
        background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(0, 0, 0, 0),
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )


def _first_page_box(writer: IncrementalPdfFileWriter) -> tuple[float, float, float, float]:
    node = writer.find_page_for_modification(0)[0].get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # inherited from the page tree
        node = node["/Parent"].get_object()
    x0, y0, x1, y1 = (float(v) for v in node["/MediaBox"])
    right, top = round(x1 - RIGHT), round(y1 - TOP)
    return (right - WIDTH, top - HEIGHT, right, top)


def seal_pdf(
    data: bytes, *, key: SigningKey, number_symbol: str, signed_at: datetime.datetime
) -> bytes:
    """The attachment signed by the agency, its text stamp at the top right of page 1."""
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    field = SEAL_FIELD
    existing = {name for name, *_ in fields.enumerate_sig_fields(PdfFileReader(BytesIO(data)))}
    while field in existing:
        field += "_"
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=f"Ký số tệp đính kèm văn bản {number_symbol}",
        **pades_lt_options(key.path),
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.SIGNING_TSA_URL) if settings.SIGNING_TSA_URL else None
    )
    signer = PdfSignerAt(
        meta,
        key.signer,
        timestamper=timestamper,
        stamp_style=_stamp_style(),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field, on_page=0, box=_first_page_box(writer)
        ),
        system_time=signed_at,
    )
    out = BytesIO()
    signer.sign_pdf(
        writer,
        output=out,
        appearance_text_params={"text": seal_text(number_symbol, signed_at)},
    )
    return out.getvalue()


def cades_detached(data: bytes, *, key: SigningKey, signed_at: datetime.datetime) -> bytes:
    """A detached CAdES-BES signature (DER CMS, SHA-256) over `data`; B-T with a TSA."""
    timestamper = (
        timestamps.HTTPTimeStamper(settings.SIGNING_TSA_URL) if settings.SIGNING_TSA_URL else None
    )
    signed = asyncio.run(
        key.signer.async_sign_general_data(
            data,
            "sha256",
            detached=True,
            use_cades=True,
            timestamper=timestamper,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=signed_at),
        )
    )
    return signed.dump()
