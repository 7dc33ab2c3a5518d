"""The printed letter: one print template laid out per Nghị định 30/2020/NĐ-CP, rendered by
WeasyPrint.

The HTML comes from templates/directives/pdf/letter.html with its own print stylesheet (inlined).
The only resources WeasyPrint may fetch are the portal's own static files (the letter's bundled
fonts, static/fonts) and media files (signature and seal images), through `PortalURLFetcher`;
the network and arbitrary paths are refused so that a drafter's text can never make the worker
read /etc/passwd or call another host.
"""

from __future__ import annotations

import datetime
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from directives.documents.header_lines import header_lines
from directives.documents.richtext import body_to_html, plain_to_html_lines
from directives.documents.signature_images import signature_images_for
from directives.models import CopyRecipient, Directive

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
SIGNATURE_BLOCK_ID = "signature-block"
SIGNATURE_STAMP_ID = "signature-stamp"


@dataclass(frozen=True)
class SignatureStamp:
    """What the visible stamp of the digital signature says; printed in the signature block."""

    organisation: str
    signer: str
    title: str
    signed_at: datetime.datetime | None  # None: the letter is rendered before it is signed
    verify_url: str

    @property
    def signed_at_iso(self) -> str:
        """ISO 8601 in Vietnam's time, e.g. 2021-06-24T09:15:02+07:00, as the decree asks."""
        local = timezone.localtime(self.signed_at).replace(microsecond=0)
        return local.isoformat()


def vietnamese_date_line(place: str, day: datetime.date | None) -> str:
    """ "Gia Lai, ngày 24 tháng 6 năm 2021". The decree puts a leading zero on days under 10
    and on months 1 and 2 ("ngày 05 tháng 02 năm 2026"); a draft leaves the date blank."""
    if day is None:
        return f"{place}, ngày      tháng      năm {timezone.localdate().year}"
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {day.year}"


def _with_ending(lines: list[str], *, last: str = ".") -> list[str]:
    """Each line ends with ";", the last with "." (Kính gửi list, legal bases)."""
    cleaned = [line.strip().rstrip(";.,").rstrip() for line in lines if line.strip()]
    return [f"{line}{last if i == len(cleaned) - 1 else ';'}" for i, line in enumerate(cleaned)]


_OWN_ENDING = (".", ";", ",", ":", "!", "?", "…")


def _as_typed(lines: list[str]) -> list[str]:
    """Nơi nhận as the drafter typed it (inner spaces kept): ";" after a line that has no
    punctuation of its own, and "." after the last only when it has none of its own; a last line
    left with a list separator (";" or ",") ends with the decree's "." instead."""
    kept = [line.strip() for line in lines if line.strip()]
    out = []
    for index, line in enumerate(kept):
        if index == len(kept) - 1:
            if line.endswith((";", ",")):
                line = line[:-1].rstrip()
            if not line.endswith(_OWN_ENDING):
                line += "."
        elif not line.endswith(_OWN_ENDING):
            line += ";"
        out.append(line)
    return out


def authority_lines(directive: Directive) -> list[str]:
    """The upper-case lines above the signature: authority, head's title, signer's own title."""
    head = (directive.head_title or directive.issuing_unit.head_title or "").upper()
    own = (directive.signer_title or "").upper()
    body = (directive.collective_body or "").upper()
    kind = directive.signing_authority
    if kind == "TM":
        return [f"TM. {body}", own or head]
    if kind == "TM_KT":
        return [f"TM. {body}", f"KT. {head}", own]
    if kind in ("KT", "TL", "TUQ"):
        return [f"{kind}. {head}", own]
    if kind == "Q":
        return [f"Q. {head or own}"]
    return [own or head]


def recipients_lines(directive: Directive) -> list[str]:
    """Nơi nhận: "Như trên" for the Kính gửi list, the copy recipients, then the Lưu line."""
    lines: list[str] = []
    archive = ""
    if directive.addressees.exists():
        lines.append("Như trên")
    for copy in directive.copy_recipients.all():
        label = copy.label.strip().lstrip("-").strip()
        if label.lower().startswith("lưu") or copy.purpose == CopyRecipient.Purpose.ARCHIVE:
            archive = label
            continue
        lines.append(label)
    if not archive:
        archive = f"Lưu: VT, {directive.drafting_unit.symbol_abbreviation}"
        if directive.drafter_initials:
            archive += f", {directive.drafter_initials}"
    lines.append(archive)
    return [f"- {line}" for line in _as_typed(lines)]


def letter_context(
    directive: Directive,
    *,
    draft: bool,
    stamp: SignatureStamp | None = None,
    image_rooms: bool = False,
) -> dict:
    addressees = [a.printed_label for a in directive.addressees.all()]
    symbol = directive.symbol or _draft_symbol(directive)
    if draft or directive.number is None:
        number_line = f"Số:{' ' * 6}/{symbol}"
    else:
        number_line = f"Số: {directive.number_display}/{symbol}"
    return {
        "d": directive,
        "draft": draft,
        "stamp": stamp,
        "quoc_hieu": QUOC_HIEU,
        "tieu_ngu": TIEU_NGU,
        # The header's names as lines that fit their column (typed breaks kept, long ones wrapped).
        "parent_body": header_lines(directive.parent_body, bold=False),
        "issuer": header_lines(directive.issuer_name or directive.issuing_unit.name),
        "number_line": number_line,
        "date_line": vietnamese_date_line(directive.place, None if draft else directive.issued_on),
        "type_title": "" if directive.is_cong_van else directive.type_title,
        "legal_bases": _with_ending(plain_to_html_lines(directive.legal_bases)),
        "addressees": _with_ending(addressees),
        "body_html": mark_safe(body_to_html(directive.body)),  # noqa: S308 sanitised by nh3
        "attachments": [a.name for a in directive.attachments.all()],
        "authority_lines": [line for line in authority_lines(directive) if line.strip()],
        "signer_name": directive.signer_name or (str(directive.signer) if directive.signer else ""),
        "recipients": recipients_lines(directive),
        "stylesheet": mark_safe(render_to_string("directives/pdf/letter.css")),  # noqa: S308
        "signature_block_id": SIGNATURE_BLOCK_ID,
        "signature_stamp_id": SIGNATURE_STAMP_ID,
        "qr_svg": mark_safe(qr_svg(stamp.verify_url)) if stamp else "",  # noqa: S308
        # Only the signed letter carries the images: the seal goes on with the agency's key,
        # never on a draft or an unsigned print that could pass for the issued letter.
        "signature_images": signature_images_for(directive) if stamp and not draft else None,
        # Rendered before signing: the images' places are kept empty, and each image is drawn
        # by its own signature's widget (documents/revisions.py), so none shows unsigned.
        "image_rooms": image_rooms,
    }


def _draft_symbol(directive: Directive) -> str:
    """The symbol the register will give, so the draft reads as the issued letter will."""
    from directives.documents.symbols import symbol_for

    return symbol_for(directive)


def qr_svg(url: str) -> str:
    """The QR code of the verification URL as inline SVG (vector, no file to fetch)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=0)
    return image.to_string(encoding="unicode")


def render_directive_html(
    directive: Directive,
    *,
    draft: bool,
    stamp: SignatureStamp | None = None,
    image_rooms: bool = False,
) -> str:
    """The letter as print HTML; `draft` adds the DỰ THẢO watermark and leaves the number out."""
    return render_to_string(
        "directives/pdf/letter.html",
        letter_context(directive, draft=draft, stamp=stamp, image_rooms=image_rooms),
    )


# --- WeasyPrint -------------------------------------------------------------------------------


def _portal_base_url() -> str:
    return f"{settings.SITE_URL}/"


def _inside(root: Path, relative: str) -> Path | None:
    """root/relative if it stays inside root (no "..", no symlink escape), else None."""
    try:
        root = Path(root).resolve()
        candidate = (root / relative).resolve()
    except (OSError, ValueError):
        return None
    if candidate != root and root in candidate.parents and candidate.is_file():
        return candidate
    return None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PortalURLFetcher(URLFetcher):
        """Serves only the portal's static files (through the staticfiles finders) and media
        files; everything else - other hosts, file:// paths, "..", ftp - is refused."""

        def fetch(self, url: str, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)  # inline data: nothing is read from outside
            parts = urlsplit(url)
            site = urlsplit(_portal_base_url())
            if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
                raise ValueError(f"Refused to fetch {url!r}: not a portal static or media file")
            path = posixpath.normpath(unquote(parts.path))
            found: Path | None = None
            if path.startswith(settings.STATIC_URL):
                relative = path[len(settings.STATIC_URL) :]
                if ".." not in relative.split("/"):
                    hit = finders.find(relative)
                    found = Path(hit) if isinstance(hit, str) else None
            elif path.startswith(settings.MEDIA_URL):
                found = _inside(settings.MEDIA_ROOT, path[len(settings.MEDIA_URL) :])
            if found is None:
                raise ValueError(f"Refused to fetch {url!r}: not a portal static or media file")
            return URLFetcherResponse(url, found.read_bytes())

    return PortalURLFetcher


def portal_url_fetcher():
    """A WeasyPrint URL fetcher limited to the portal's own static and media files."""
    return _fetcher_class()(timeout=5, allow_redirects=False)


def html_to_document(html: str):
    """Lay the HTML out with WeasyPrint (the layout is reused to find the signature block)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=_portal_base_url(), url_fetcher=portal_url_fetcher()).render()


def document_to_pdf(document) -> bytes:
    return document.write_pdf(pdf_version="1.7", pdf_identifier=False)


def render_directive_pdf_bytes(
    directive: Directive, *, draft: bool, stamp: SignatureStamp | None = None
) -> bytes:
    """The letter as PDF bytes (unsigned)."""
    return document_to_pdf(
        html_to_document(render_directive_html(directive, draft=draft, stamp=stamp))
    )


@dataclass(frozen=True)
class BoxOnPage:
    """A box of the layout in PDF user space (points, origin bottom left), on a 0-based page."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


def find_box(document, element_id: str) -> BoxOnPage | None:
    """Where WeasyPrint put the element with this id: used to lay the signature field over the
    visible stamp. CSS px are 0.75 pt; the PDF's y axis runs upwards."""
    for index, page in enumerate(document.pages):
        found = _find_in(page._page_box, element_id)
        if found is not None:
            height_pt = page.height * 0.75
            x, y, w, h = found
            return BoxOnPage(
                page=index,
                x1=x * 0.75,
                y1=height_pt - (y + h) * 0.75,
                x2=(x + w) * 0.75,
                y2=height_pt - y * 0.75,
            )
    return None


def _find_in(box, element_id: str):
    element = getattr(box, "element", None)
    if element is not None and element.get("id") == element_id and hasattr(box, "border_width"):
        return (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())
    for child in getattr(box, "children", ()) or ():
        found = _find_in(child, element_id)
        if found is not None:
            return found
    return None
