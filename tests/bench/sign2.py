"""Benchmark of the two-signature flow on a PKCS#11 token: the portal's path against the floor.

(a) the portal's path for a one-page letter: render the numbered letter
    (`revisions.render_numbered_pdf`, as numbering does), open the signer's key and sign
    (`keys.user_key` + `revisions.sign_as_signer`, with the signature image), open the agency's
    key and seal (`keys.unit_key` + `revisions.seal_as_agency`, with the seal image);
(b) the floor, in the same process and the same rounds: a bare WeasyPrint render of the same
    HTML and two bare pyHanko signatures (`signers.sign_pdf`, PKCS11Signer on the same keys,
    sessions opened in the round, no stamps; the signature's room given as the portal sizes
    it: left to pyHanko's estimate, each signature is made twice, about 25 ms more a signature).

Both keys are on a SoftHSM2 token built by directives/documents/keys/devtoken.py. Reports
medians of BENCH_SIGN2_ROUNDS rounds (default 7) after a warm-up, their spread, and the ratio
(a)/(b); target ratio <= 1.5. Skipped when SoftHSM2 is not installed. A throwaway test database and
media folder are created and destroyed.
"""

from __future__ import annotations

import datetime
import os
import statistics
import tempfile
import time
from io import BytesIO
from pathlib import Path

from tests.bench.pdf import _with_test_db
from tests.directives.keys.token import AGENCY, SOFTHSM_MODULE, softhsm_available

ROUNDS = int(os.environ.get("BENCH_SIGN2_ROUNDS", "7"))
TARGET = 1.5


def _letter():
    from django.core.files.base import ContentFile

    from directives.models import Directive
    from tests.directives.pdf.test_images import seal_png, signature_png
    from tests.factories import DirectiveFactory

    directive = DirectiveFactory(
        number=15,
        symbol="STTTT-TTBCXB",
        issued_on=datetime.date(2026, 3, 12),
        register_year=2026,
        status=Directive.Status.NUMBERED,
        body="\n\n".join(
            "Sở Thông tin và Truyền thông đề nghị các đơn vị quán triệt, triển khai thực hiện "
            "nghiêm túc Bộ Quy tắc ứng xử trên mạng xã hội; báo cáo kết quả trước ngày 30."
            for _ in range(4)
        ),
    )
    directive.signer.signature_image.save("sig.png", ContentFile(signature_png()))
    directive.issuing_unit.seal_image.save("seal.png", ContentFile(seal_png()))
    return directive


def _stores(directive, token) -> None:
    from recipients.models import SigningKeyStore

    common = {
        "backend": SigningKeyStore.Backend.PKCS11,
        "pkcs11_module": token.module,
        "token_label": token.label,
    }
    SigningKeyStore.objects.create(user=directive.signer, key_label="lanhdao", **common)
    SigningKeyStore.objects.create(unit=directive.issuing_unit, key_label="agency", **common)


def _portal(directive, pin: str) -> tuple[dict, bytes]:
    from directives.documents.keys import unit_key, user_key
    from directives.documents.revisions import render_numbered_pdf, seal_as_agency, sign_as_signer

    t0 = time.perf_counter()
    numbered = render_numbered_pdf(directive)
    directive.signature_layout = numbered.layout
    t1 = time.perf_counter()
    with user_key(user=directive.signer, pin=pin) as key:
        signed, _ = sign_as_signer(directive, key=key, pdf=numbered.pdf)
    t2 = time.perf_counter()
    with unit_key(unit=directive.issuing_unit, pin=pin) as key:
        sealed, _ = seal_as_agency(directive, key=key, pdf=signed)
    t3 = time.perf_counter()
    return {"render": t1 - t0, "signer": t2 - t1, "agency": t3 - t2, "total": t3 - t0}, sealed


def _bare_sign(pdf: bytes, *, token, key_label: str, field: str) -> bytes:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    from directives.documents.signing import SIGNATURE_ROOM

    session = open_pkcs11_session(
        token.module, token_criteria=TokenCriteria(label=token.label), user_pin=token.pin
    )
    try:
        signer = PKCS11Signer(session, cert_label=key_label, key_label=key_label)
        meta = signers.PdfSignatureMetadata(
            field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        # The room sized as the portal sizes it: pyHanko's own estimate would sign twice.
        reserved = -(-2 * (len(signer.signing_cert.dump()) + SIGNATURE_ROOM) // 1024) * 1024
        return signers.sign_pdf(writer, meta, signer, bytes_reserved=reserved).getvalue()
    finally:
        session.close()


def _floor(html: str, token) -> tuple[dict, bytes]:
    from weasyprint import HTML

    t0 = time.perf_counter()
    pdf = HTML(string=html).write_pdf()
    t1 = time.perf_counter()
    signed = _bare_sign(pdf, token=token, key_label="lanhdao", field="Sig1")
    sealed = _bare_sign(signed, token=token, key_label="agency", field="Sig2")
    t2 = time.perf_counter()
    return {"render": t1 - t0, "sign": t2 - t1, "total": t2 - t0}, sealed


def _html(directive) -> str:
    """The HTML `render_numbered_pdf` gives WeasyPrint (same stamp, same image rooms)."""
    from directives.documents.pdf import SignatureStamp, render_directive_html
    from directives.documents.signing import verify_url

    stamp = SignatureStamp(
        organisation=directive.issuing_unit.name,
        signer=directive.signer_name,
        title=directive.signer_title.capitalize(),
        signed_at=None,
        verify_url=verify_url(directive),
    )
    return render_directive_html(directive, draft=False, stamp=stamp, image_rooms=True)


def _signature_count(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return len(PdfFileReader(BytesIO(pdf)).embedded_signatures)


def _ms(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:.0f} ms "
        f"({min(values) * 1000:.0f}–{max(values) * 1000:.0f})"
    )


def run() -> list[str]:
    if not softhsm_available():
        return [f"skipped: SoftHSM2 is not installed ({SOFTHSM_MODULE}; Debian package softhsm2)"]
    from django.test import override_settings

    from directives.documents.pki import pki_create
    from tests.directives.keys.token import softhsm_token_at

    def work():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "softhsm").mkdir()
            ca = pki_create(directory=root / "pki", organisation=AGENCY, password="bench")
            with (
                override_settings(
                    MEDIA_ROOT=str(root / "media"), SIGNING_TSA_URL="", SIGNING_CRLS=[]
                ),
                softhsm_token_at(root / "softhsm", ca) as token,
            ):
                directive = _letter()
                _stores(directive, token)
                html = _html(directive)
                _, sealed = _portal(directive, token.pin)  # warm-up: fonts, templates, token
                _, bare = _floor(html, token)
                counts = (_signature_count(sealed), _signature_count(bare))
                portal, floor, ratios = [], [], []
                for _ in range(ROUNDS):
                    a, _ = _portal(directive, token.pin)
                    b, _ = _floor(html, token)
                    portal.append(a)
                    floor.append(b)
                    ratios.append(a["total"] / b["total"])
                return portal, floor, ratios, counts

    portal, floor, ratios, counts = _with_test_db(work)
    a = statistics.median(p["total"] for p in portal)
    b = statistics.median(f["total"] for f in floor)
    ratio = a / b

    def col(rows: list[dict], name: str) -> str:
        return _ms([row[name] for row in rows])

    return [
        f"(a) portal, one-page letter on the SoftHSM2 token ({counts[0]} signatures): "
        f"{col(portal, 'total')} = render {col(portal, 'render')} "
        f"+ signer {col(portal, 'signer')} + agency {col(portal, 'agency')}",
        f"(b) floor, bare WeasyPrint + 2 bare pyHanko PKCS#11 signatures ({counts[1]} signatures): "
        f"{col(floor, 'total')} = render {col(floor, 'render')} + signatures {col(floor, 'sign')}",
        f"ratio (a)/(b) of the medians {ratio:.2f} (target <= {TARGET})"
        f"{'' if ratio <= TARGET else '  MISSED'}; per-round ratios "
        f"{min(ratios):.2f}–{max(ratios):.2f}",
        f"(medians of {ROUNDS} rounds after a warm-up, min–max in brackets)",
    ]
