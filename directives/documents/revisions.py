"""The letter's two signatures (Nghị định 30/2020/NĐ-CP, Điều 5), on the same final bytes.

The clerk numbers the letter: it is rendered once, with its number and date, and stored unsigned
(`render_numbered_pdf`); the places of the signature and seal images are kept empty in the page
and remembered (PDF points). The signer signs those bytes (`sign_as_signer`): an incremental
revision adding the signer's field, whose widget draws the blue signature image. The clerk then
seals them (`seal_as_agency`): a second revision adding the agency's field, whose widget draws
the red seal over the left third of the signature. Nothing of the page content changes after a
signature, and no image shows where no key signed: each image belongs to its signature.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from io import BytesIO

from django.utils import timezone
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.stamp.static import StaticStampStyle

from directives.documents.keys.deferred import PendingSignature, begin_remote_signature
from directives.documents.pdf import (
    SIGNATURE_STAMP_ID,
    BoxOnPage,
    SignatureStamp,
    document_to_pdf,
    find_box,
    html_to_document,
    render_directive_html,
)
from directives.documents.signature_images import _read_png
from directives.documents.signing import (
    SIGNATURE_FIELD,
    SigningKey,
    sign_pdf_bytes,
    verify_url,
)
from directives.models import Directive
from recipients.models import SigningKeyStore

SIGNER_FIELD = "ChuKyNguoiKy"
AGENCY_FIELD = SIGNATURE_FIELD
SIGNATURE_IMAGE_ID = "signature-image"
SEAL_IMAGE_ID = "seal-image"
LAYOUT_BOXES = {"stamp": SIGNATURE_STAMP_ID, "signature": SIGNATURE_IMAGE_ID, "seal": SEAL_IMAGE_ID}


@dataclass(frozen=True)
class NumberedPdf:
    pdf: bytes
    layout: dict  # "stamp", "signature", "seal": BoxOnPage as a dict, when laid out


def render_numbered_pdf(directive: Directive) -> NumberedPdf:
    """The final letter, numbered and dated, unsigned: the bytes both signatures will cover."""
    stamp = SignatureStamp(
        organisation=directive.issuing_unit.name,
        signer=directive.signer_name or (str(directive.signer) if directive.signer else ""),
        title=(directive.signer_title or directive.head_title or "").capitalize(),
        signed_at=None,
        verify_url=verify_url(directive),
    )
    html = render_directive_html(directive, draft=False, stamp=stamp, image_rooms=True)
    document = html_to_document(html)
    boxes = {}
    for name, element_id in LAYOUT_BOXES.items():
        box = find_box(document, element_id)
        if box is not None:
            boxes[name] = asdict(box)
    return NumberedPdf(pdf=document_to_pdf(document), layout=boxes)


def _box(layout_boxes: dict, name: str) -> BoxOnPage | None:
    found = (layout_boxes or {}).get(name)
    return BoxOnPage(**found) if found else None


def image_stamp_style(png: bytes) -> StaticStampStyle:
    """A widget appearance that is only the image (transparency kept), filling the widget."""
    from PIL import Image

    image = Image.open(BytesIO(png))
    image.load()
    return StaticStampStyle(
        background=PdfImage(image, writer=None),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        ),
    )


def _sign(
    pdf: bytes,
    *,
    key: SigningKey,
    field_name: str,
    box: BoxOnPage | None,
    image_file,
    reason: str,
    location: str,
) -> tuple[bytes, datetime.datetime]:
    signed_at = timezone.now().replace(microsecond=0)
    png = _read_png(image_file) if box is not None else None
    signed = sign_pdf_bytes(
        pdf,
        key=key,
        signed_at=signed_at,
        box=box,
        reason=reason,
        location=location,
        field_name=field_name,
        stamp_style=image_stamp_style(png.data) if png else None,
    )
    return signed, signed_at


def _signer_signature(directive: Directive) -> dict:
    """Where and how the signer's signature goes: its field, its box, its image and words."""
    return {
        "field_name": SIGNER_FIELD,
        "box": _box(directive.signature_layout, "signature"),
        "image_file": directive.signer.signature_image if directive.signer else None,
        "reason": f"Ký văn bản {directive.number_symbol}",
        "location": directive.place,
    }


def sign_as_signer(
    directive: Directive, *, key: SigningKey, pdf: bytes
) -> tuple[bytes, datetime.datetime]:
    """The competent person's signature (Phụ lục I, II.7d): the signature image in blue,
    centred in the signature block, drawn by this signature's own widget."""
    return _sign(pdf, key=key, **_signer_signature(directive))


def begin_as_signer(
    directive: Directive, *, store: SigningKeyStore, pdf: bytes
) -> tuple[PendingSignature, datetime.datetime]:
    """The same signature as `sign_as_signer`, its key at a remote service: the revision is
    prepared now (field, widget and image, signing time) and the hash waits for the signer's
    confirmation (documents/keys/deferred.py)."""
    signed_at = timezone.now().replace(microsecond=0)
    args = _signer_signature(directive)
    image_file = args.pop("image_file")
    png = _read_png(image_file) if args["box"] is not None else None
    pending = begin_remote_signature(
        pdf,
        store=store,
        signed_at=signed_at,
        stamp_style=image_stamp_style(png.data) if png else None,
        **args,
    )
    return pending, signed_at


def seal_as_agency(
    directive: Directive, *, key: SigningKey, pdf: bytes
) -> tuple[bytes, datetime.datetime]:
    """The agency's signature (Phụ lục I, II.8a), last, over the signer's revision: the seal
    image in red at its true size over the left third of the signature image. Without a seal
    image the (invisible) widget lies over the printed stamp, as before."""
    seal_box = _box(directive.signature_layout, "seal")
    box = seal_box or _box(directive.signature_layout, "stamp")
    return _sign(
        pdf,
        key=key,
        field_name=AGENCY_FIELD,
        box=box,
        image_file=directive.issuing_unit.seal_image if seal_box else None,
        reason=f"Ban hành văn bản {directive.number_symbol}",
        location=directive.place,
    )
