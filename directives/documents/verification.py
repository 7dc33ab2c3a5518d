"""Is this PDF a letter the portal issued, unaltered, signed by a trusted key, still in force?

Anyone may ask (the public /verify/ pages). The answer rests on two independent checks: the file's
SHA-256 against the register of issued PDFs, and the PAdES signature validated by pyHanko against
the configured trust roots (the development CA only in DEBUG).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from directives.documents.revocation import only_validation_data_after
from directives.models import ISSUED_STATES, Directive

logger = logging.getLogger(__name__)


def _certs_from_file(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The CAs a portal signature must chain to: SIGNING_TRUST_ROOTS files, plus the
    development CA in DEBUG."""
    roots: list[asn1_x509.Certificate] = []
    for name in settings.SIGNING_TRUST_ROOTS:
        try:
            roots.extend(_certs_from_file(Path(name)))
        except (OSError, ValueError) as exc:
            logger.error("Trust root %s cannot be read: %s", name, exc)
    if settings.DEBUG:
        dev_ca = Path(settings.DEV_PKI_DIR) / "ca.pem"
        if dev_ca.is_file():
            roots.extend(_certs_from_file(dev_ca))
    return roots


@dataclass
class SignatureReport:
    signer: str = ""
    signed_at: str = ""
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.covers_whole_file


@dataclass
class VerificationReport:
    sha256: str
    size: int
    directive: Directive | None = None
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""

    @property
    def issued_here(self) -> bool:
        """The exact file the portal issued (byte for byte)."""
        return self.directive is not None

    @property
    def signature_ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def in_force(self) -> bool:
        return self.directive is not None and self.directive.status == Directive.Status.ISSUED

    @property
    def genuine(self) -> bool:
        return self.issued_here and self.signature_ok


def issued_directives() -> QuerySet[Directive]:
    """Public lookups see only issued letters (never drafts)."""
    return Directive.objects.filter(status__in=ISSUED_STATES).select_related("issuing_unit")


def check_verify_upload(upload: UploadedFile) -> bytes:
    """The uploaded file's bytes if it is a PDF within the size limit; else a clear error."""
    limit = settings.VERIFY_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _(
                "The file is %(size)s MB; files larger than %(limit)s MB cannot be checked. "
                "Upload the PDF exactly as you received it."
            )
            % {"size": round(upload.size / (1024 * 1024), 1), "limit": limit // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    if b"%PDF-" not in head:
        raise ValidationError(
            _(
                "This file is not a PDF. Only the PDF of a letter issued by the portal "
                "can be checked."
            )
        )
    data = b"".join(upload.chunks())
    if len(data) > limit:  # the declared size may lie
        raise ValidationError(_("The file is too large to be checked."))
    return data


def verify_pdf_bytes(data: bytes) -> VerificationReport:
    """Check a PDF: is it a file the portal issued, and are its signatures sound and trusted?"""
    digest = hashlib.sha256(data).hexdigest()
    report = VerificationReport(sha256=digest, size=len(data))
    report.directive = (
        issued_directives().filter(pdf_sha256=digest).first() if len(digest) == 64 else None
    )
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged or hostile file: say so, never crash the page
        logger.info("Unreadable PDF uploaded for verification: %s", exc)
        report.error = _("The PDF could not be read; it may be damaged.")
        return report
    roots = trust_roots()
    for sig in embedded:
        report.signatures.append(_check_signature(sig, roots))
    return report


def _check_signature(sig, roots: list[asn1_x509.Certificate]) -> SignatureReport:
    result = SignatureReport()
    try:
        cert = sig.signer_cert
        result.signer = cert.subject.human_friendly
    except Exception:  # noqa: S110 - the status below reports a broken signature anyway
        pass
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(sig, signer_validation_context=context)
        result.intact = bool(status.intact)
        result.valid = bool(status.valid)
        result.trusted = bool(status.trusted)
        result.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        result.covers_whole_file |= only_validation_data_after(status)  # seals: B-LT's /DSS
        if status.signer_reported_dt is not None:
            result.signed_at = status.signer_reported_dt.isoformat()
    except Exception as exc:
        logger.info("Signature could not be validated: %s", exc)
        result.error = _("The signature is damaged and could not be checked.")
    return result
