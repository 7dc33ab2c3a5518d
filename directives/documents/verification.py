"""Is this PDF a letter the portal issued, unaltered, signed by a trusted key, still in force?

Anyone may ask (the public /verify/ pages); the unit's letter page and the clerk's page show the
same check of the issued file. The answer rests on independent checks: the file's SHA-256 against
the register of issued PDFs, and each PAdES signature validated by pyHanko against the configured
trust roots (the development CA only in DEBUG), see `signature_check`. A valid electronic letter
carries the competent person's and the agency's signatures, the agency's last (Nghị định 30/2020,
Điều 5). The signatures' check depends only on the bytes and the trust roots, so it is cached by
SHA-256: a letter's pages do not validate the same immutable PDF on every view.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.documents.signature_check import SignatureReport, check_signatures
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


CACHE_SECONDS = 24 * 3600  # the file never changes; the clock (certificate expiry) does
CACHE_VERSION = 1

ERROR_UNREADABLE = "unreadable"


@dataclass
class PdfSignaturesCheck:
    """What the PDF's bytes say about its signatures: cached per SHA-256 and trust roots."""

    signatures: list[SignatureReport] = field(default_factory=list)
    error_code: str = ""

    @property
    def error(self) -> str:
        if self.error_code == ERROR_UNREADABLE:
            return _("The PDF could not be read; it may be damaged.")
        return ""

    @property
    def has_personal(self) -> bool:
        return any(s.is_personal for s in self.signatures)

    @property
    def has_agency(self) -> bool:
        return any(s.is_agency for s in self.signatures)

    @property
    def problems(self) -> list[str]:
        """Why the file is not a valid electronic letter (Nghị định 30/2020, Điều 5); empty
        when it carries the competent person's and the agency's signatures, both sound."""
        if self.error_code:
            return [self.error]
        if not self.signatures:
            return [_("The file carries no digital signature.")]
        problems = []
        if not all(s.ok for s in self.signatures):
            problems.append(_("A signature is broken or not trusted."))
        if not self.has_personal:
            problems.append(_("Missing the signature of the competent person."))
        if not self.has_agency:
            problems.append(_("Missing the signature of the agency."))
        if self.has_personal and self.has_agency and not self.signatures[-1].is_agency:
            problems.append(_("The agency's signature must come last, over the final document."))
        return problems

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class VerificationReport:
    sha256: str
    size: int
    directive: Directive | None = None
    check: PdfSignaturesCheck = field(default_factory=PdfSignaturesCheck)

    @property
    def signatures(self) -> list[SignatureReport]:
        return self.check.signatures

    @property
    def error(self) -> str:
        return self.check.error

    @property
    def problems(self) -> list[str]:
        return self.check.problems

    @property
    def valid(self) -> bool:
        """A valid electronic letter: both signatures present, intact and trusted."""
        return self.check.valid

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
    report.directive = issued_directives().filter(pdf_sha256=digest).first()
    report.check = check_pdf_signatures(digest, lambda: data)
    return report


def _roots_fingerprint(roots: list[asn1_x509.Certificate]) -> str:
    digest = hashlib.sha256()
    for der in sorted(root.dump() for root in roots):
        digest.update(der)
    return digest.hexdigest()[:16]


def check_pdf_signatures(
    sha256: str, load: Callable[[], bytes], *, roots: list[asn1_x509.Certificate] | None = None
) -> PdfSignaturesCheck:
    """The signatures of the file whose SHA-256 is `sha256`, from the cache when known; `load`
    gives the bytes only when they must be validated (the caller vouches for the hash)."""
    roots = trust_roots() if roots is None else roots
    key = f"pdf-signatures:v{CACHE_VERSION}:{_roots_fingerprint(roots)}:{sha256}"
    try:
        check = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - a cache that is down only costs time
        logger.warning("Cache unavailable for a PDF signature check: %s", exc)
        check = None
    if isinstance(check, PdfSignaturesCheck):
        return check
    check = _check_bytes(load(), roots)
    try:
        cache.set(key, check, CACHE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Cache unavailable for a PDF signature check: %s", exc)
    return check


def _check_bytes(data: bytes, roots: list[asn1_x509.Certificate]) -> PdfSignaturesCheck:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        list(reader.embedded_signatures)
    except Exception as exc:  # a damaged or hostile file: say so, never crash the page
        logger.info("Unreadable PDF uploaded for verification: %s", exc)
        return PdfSignaturesCheck(error_code=ERROR_UNREADABLE)
    try:
        return PdfSignaturesCheck(signatures=check_signatures(reader, roots))
    except Exception as exc:  # noqa: BLE001 - e.g. a broken DSS
        logger.info("PDF signatures could not be checked: %s", exc)
        return PdfSignaturesCheck(error_code=ERROR_UNREADABLE)
