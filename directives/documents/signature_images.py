"""The signer's signature and the issuing unit's seal as images on the signed letter.

Both are PNG files uploaded by administrators, embedded in the print HTML as data: addresses (so
the restricted URL fetcher stays closed), the seal over the left third of the signature as
Nghị định 30/2020/NĐ-CP describes it.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from io import BytesIO

from directives.models import Directive

logger = logging.getLogger(__name__)

SIGNATURE_MAX_MM = (50.0, 24.0)  # the widest and tallest a signature is drawn
SEAL_DEFAULT_MM = 35.0  # a department's seal; used when the PNG does not say its own size
SEAL_ACTUAL_SIZE_MM = (20.0, 45.0)  # a PNG's own size (from its DPI) is believed in this range
IMAGES_MAX_WIDTH_MM = 84.0  # the signature block column is 52% of the 165 mm text width


@dataclass(frozen=True)
class PlacedImage:
    """An image drawn at a place (mm) inside the images box, as an inline data: URI."""

    uri: str
    left: float
    top: float
    width: float
    height: float

    @property
    def style(self) -> str:
        # Formatted here, not with template filters, so a locale never writes "12,50mm".
        return (
            f"left:{self.left:.2f}mm;top:{self.top:.2f}mm;"
            f"width:{self.width:.2f}mm;height:{self.height:.2f}mm"
        )


@dataclass(frozen=True)
class SignatureImages:
    """The signer's signature and the issuing unit's seal, laid out per Nghị định 30: the seal
    covers the left third of the signature; both sit between the title lines and the name."""

    width: float
    height: float
    signature: PlacedImage | None
    seal: PlacedImage | None

    @property
    def style(self) -> str:
        return f"width:{self.width:.2f}mm;height:{self.height:.2f}mm"


@dataclass(frozen=True)
class PngImage:
    data: bytes
    width_px: int
    height_px: int
    dpi: float | None


def _read_png(field_file) -> PngImage | None:
    """The stored image, or None (with a warning) when the file has gone from storage: the
    images are optional, the letter is still signed without them."""
    from PIL import Image

    if not field_file:
        return None
    try:
        with field_file.open("rb") as handle:
            data = handle.read()
        with Image.open(BytesIO(data)) as image:
            width, height = image.size
            dpi = image.info.get("dpi")
    except (OSError, ValueError) as exc:
        logger.warning("Image %s left out of the letter: %s", field_file.name, exc)
        return None
    horizontal = float(dpi[0]) if dpi and dpi[0] else None
    return PngImage(data=data, width_px=width, height_px=height, dpi=horizontal)


def _data_uri(png: PngImage) -> str:
    return "data:image/png;base64," + base64.b64encode(png.data).decode("ascii")


def _signature_size(png: PngImage) -> tuple[float, float]:
    max_w, max_h = SIGNATURE_MAX_MM
    scale = min(max_w / png.width_px, max_h / png.height_px)
    return png.width_px * scale, png.height_px * scale


def _seal_size(png: PngImage) -> tuple[float, float]:
    """The seal at its actual size when the PNG's DPI gives a plausible one, else the usual."""
    longest_px = max(png.width_px, png.height_px)
    longest_mm = SEAL_DEFAULT_MM
    if png.dpi:
        actual = longest_px / png.dpi * 25.4
        if SEAL_ACTUAL_SIZE_MM[0] <= actual <= SEAL_ACTUAL_SIZE_MM[1]:
            longest_mm = actual
    scale = longest_mm / longest_px
    return png.width_px * scale, png.height_px * scale


def signature_images_for(directive: Directive) -> SignatureImages | None:
    """The signer's signature (User.signature_image) and the issuing unit's seal
    (Unit.seal_image; also under TL. and TUQ., where the unit still issues), placed."""
    signer = directive.signer
    signature = _read_png(signer.signature_image) if signer else None
    seal = _read_png(directive.issuing_unit.seal_image)
    return place_signature_images(signature, seal)


def place_signature_images(
    signature: PngImage | None, seal: PngImage | None
) -> SignatureImages | None:
    if signature is None and seal is None:
        return None
    sig_w, sig_h = _signature_size(signature) if signature else (0.0, 0.0)
    seal_w, seal_h = _seal_size(seal) if seal else (0.0, 0.0)
    height = max(sig_h, seal_h)
    if signature is None:
        placed_seal = PlacedImage(_data_uri(seal), 0.0, 0.0, seal_w, seal_h)
        return SignatureImages(width=seal_w, height=seal_h, signature=None, seal=placed_seal)
    # The seal's right edge falls on the first third of the signature, so it reaches out to
    # the left of it; the box is widened on the right as far as the column allows, to keep the
    # signature centred under the title.
    overhang = max(0.0, seal_w - sig_w / 3) if seal else 0.0
    right_pad = max(0.0, min(overhang, IMAGES_MAX_WIDTH_MM - overhang - sig_w))
    sig_left = overhang
    placed_sig = PlacedImage(_data_uri(signature), sig_left, (height - sig_h) / 2, sig_w, sig_h)
    placed_seal = None
    if seal is not None:
        placed_seal = PlacedImage(
            _data_uri(seal), sig_left + sig_w / 3 - seal_w, (height - seal_h) / 2, seal_w, seal_h
        )
    return SignatureImages(
        width=sig_left + sig_w + right_pad, height=height, signature=placed_sig, seal=placed_seal
    )
