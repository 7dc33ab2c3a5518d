"""Each digital signature of a PDF, checked from the file's own bytes with pyHanko.

For every signature: who signed (the certificate's name, organisation, serial and issuer), whether
it is a person's or an agency's certificate, when (the signing time, Asia/Ho_Chi_Minh), whether it
is intact and trusted, and its PAdES level:

- B-B: a CAdES signature and nothing more;
- B-T: a signature timestamp token is embedded in the signature (PdfSignatureStatus
  .timestamp_validity is set);
- B-LT: B-T, and the document's /DSS holds revocation data (CRLs or OCSP responses, in the DSS
  or in this signature's /VRI entry), so the signature can be checked after the certificate
  expires;
- B-LTA: B-LT, and a document timestamp (/DocTimeStamp) seals the file after it.

Person or agency (Nghị định 30/2020, Điều 5 wants both). The rule, from the signing certificate's
subject, first match wins:
1. an identity number in UID or serialNumber: CMND:/CCCD:/HC: (identity card, citizen identity,
   passport) is a person; MST:/MNS:/QD: (tax code, budget code, establishment decision) is an
   agency (the way Vietnamese CAs mark their certificates);
2. a given name, surname or pseudonym is a person;
3. an "organisation-only" subject is the agency: no common name, or a common name that merely
   repeats the organisation (O) or one of its units (OU);
4. otherwise the common name names someone inside the organisation: a person.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from directives.documents.revocation import only_validation_data_after

logger = logging.getLogger(__name__)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

PERSONAL = "personal"
AGENCY = "agency"

PERSONAL_ID_PREFIXES = ("CMND:", "CCCD:", "HC:")
AGENCY_ID_PREFIXES = ("MST:", "MNS:", "QD:")

ERROR_DAMAGED = "damaged"


def _values(subject: dict, key: str) -> list[str]:
    value = subject.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return norm(a) == norm(b)


def certificate_kind(cert: asn1_x509.Certificate) -> str:
    """PERSONAL or AGENCY, by the rule in the module's docstring."""
    subject = cert.subject.native
    for number in _values(subject, "user_id") + _values(subject, "serial_number"):
        upper = number.strip().upper()
        if upper.startswith(PERSONAL_ID_PREFIXES):
            return PERSONAL
        if upper.startswith(AGENCY_ID_PREFIXES):
            return AGENCY
    if any(_values(subject, key) for key in ("given_name", "surname", "pseudonym")):
        return PERSONAL
    names = _values(subject, "common_name")
    organisations = _values(subject, "organization_name") + _values(
        subject, "organizational_unit_name"
    )
    if not names or any(_same_name(n, o) for n in names for o in organisations):
        return AGENCY
    return PERSONAL


@dataclass
class SignatureReport:
    field_name: str = ""
    signer: str = ""  # the certificate's common name: the person, or the agency
    organisation: str = ""
    serial: str = ""
    issuer: str = ""
    kind: str = ""  # PERSONAL or AGENCY
    signed_at: datetime.datetime | None = None  # the time the signer's software put in the CMS
    timestamped_at: datetime.datetime | None = None  # the signature timestamp token's time
    timestamp_ok: bool | None = None  # None: no timestamp token
    revocation_embedded: bool = False
    archive_timestamped: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    # Signed an earlier revision; only what the modification policy allows (a later
    # signature, validation data) was added after it.
    later_changes_allowed: bool = False
    error_code: str = ""

    @property
    def error(self) -> str:
        return _("The signature is damaged and could not be checked.") if self.error_code else ""

    @property
    def is_personal(self) -> bool:
        return self.kind == PERSONAL

    @property
    def is_agency(self) -> bool:
        return self.kind == AGENCY

    @property
    def coverage_ok(self) -> bool:
        return self.covers_whole_file or self.later_changes_allowed

    @property
    def ok(self) -> bool:
        return (
            not self.error_code
            and self.intact
            and self.valid
            and self.trusted
            and self.coverage_ok
            and self.timestamp_ok is not False
        )

    @property
    def level(self) -> str:
        if self.timestamp_ok is None:
            return "B-B"
        if not self.revocation_embedded:
            return "B-T"
        return "B-LTA" if self.archive_timestamped else "B-LT"

    @property
    def signed_at_local(self) -> datetime.datetime | None:
        moment = self.timestamped_at or self.signed_at
        return moment.astimezone(VN_TZ) if moment else None


def _describe(cert: asn1_x509.Certificate, result: SignatureReport) -> None:
    subject = cert.subject.native
    result.signer = ", ".join(_values(subject, "common_name"))
    result.organisation = ", ".join(
        _values(subject, "organizational_unit_name") + _values(subject, "organization_name")
    )
    result.serial = format(cert.serial_number, "X")
    issuer = cert.issuer.native
    result.issuer = ", ".join(_values(issuer, "common_name") + _values(issuer, "organization_name"))
    result.kind = certificate_kind(cert)


def _validation_context(
    reader: PdfFileReader, roots: list[asn1_x509.Certificate]
) -> tuple[ValidationContext, DocumentSecurityStore | None]:
    """A context that trusts `roots` only, fetches nothing, and knows the file's DSS data."""
    kwargs = {"trust_roots": roots, "allow_fetching": False}
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return ValidationContext(**kwargs), None
    return dss.as_validation_context(kwargs), dss


def _revocation_embedded(dss: DocumentSecurityStore | None, sig) -> bool:
    if dss is None:
        return False
    if dss.crls or dss.ocsps:
        return True
    # The VRI key: SHA-1 of the signature's contents, as pyHanko writes it (hex) or raw.
    contents = sig.pkcs7_content
    for form in (contents.hex().encode("ascii"), contents):
        try:
            vri = dss.vri_entries.get(DocumentSecurityStore.sig_content_identifier(form))
            vri = vri.get_object() if vri is not None else None
        except Exception:  # noqa: BLE001, S112 - a malformed VRI is no revocation data
            continue
        if vri and (vri.get("/CRL") or vri.get("/OCSP")):
            return True
    return False


def check_signatures(reader: PdfFileReader, roots: list[asn1_x509.Certificate]):
    """The report of each regular signature of the file, in signing order."""
    signatures = list(reader.embedded_regular_signatures)
    timestamps = list(reader.embedded_timestamp_signatures)
    archived = any(_archive_timestamp_ok(ts, roots) for ts in timestamps)
    reports = []
    for sig in signatures:
        context, dss = _validation_context(reader, roots)
        report = _check_one(sig, context)
        report.revocation_embedded = _revocation_embedded(dss, sig)
        report.archive_timestamped = archived
        reports.append(report)
    return reports


def _archive_timestamp_ok(ts, roots) -> bool:
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_timestamp(ts, validation_context=context)
    except Exception:  # noqa: BLE001 - a broken document timestamp is no archive timestamp
        return False
    return bool(status.intact and status.valid)


def _check_one(sig, context: ValidationContext) -> SignatureReport:
    result = SignatureReport(field_name=sig.field_name or "")
    # A broken certificate leaves the names empty; the status below reports the signature.
    with contextlib.suppress(Exception):
        _describe(sig.signer_cert, result)
    try:
        status = validate_pdf_signature(sig, signer_validation_context=context)
    except Exception as exc:  # noqa: BLE001 - a hostile file never crashes the page
        logger.info("Signature could not be validated: %s", exc)
        result.error_code = ERROR_DAMAGED
        return result
    result.intact = bool(status.intact)
    result.valid = bool(status.valid)
    result.trusted = bool(status.trusted)
    # Validation data added after the last signature (the /DSS of B-LT, a document timestamp of
    # B-LTA) leaves the document as it was signed.
    result.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        only_validation_data_after(status)
    )
    level = status.modification_level
    result.later_changes_allowed = not result.covers_whole_file and (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
        and status.docmdp_ok is not False
    )
    result.signed_at = status.signer_reported_dt
    stamp = status.timestamp_validity
    if stamp is not None:
        result.timestamp_ok = bool(stamp.intact and stamp.valid)
        result.timestamped_at = stamp.timestamp
    return result
