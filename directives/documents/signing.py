"""Signing the issued letter: PAdES (B-B, or B-T with a timestamp server), SHA-256, pyHanko.

The key and chain come from a PKCS#12 file: SIGNING_P12_DIR/<UNIT CODE>.p12 for an issuing unit
that has its own, else SIGNING_P12. In DEBUG with nothing configured, the development PKI
(documents/pki.py); never when DEBUG=False.

The visible stamp (organisation, signer, title, signing time, QR code of the verification URL)
is laid out by WeasyPrint in the signature block, so it prints in the letter's own font with
every Vietnamese diacritic; the signature field's widget is put over it, and the CMS signing
time is the very time printed on the stamp.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.stamp.noop import NoOpStampStyle

from directives.documents.pdf import (
    SIGNATURE_STAMP_ID,
    BoxOnPage,
    SignatureStamp,
    document_to_pdf,
    find_box,
    html_to_document,
    render_directive_html,
)
from directives.documents.pki import dev_pki_ensure, dev_signers_dir, dev_unit_p12, signer_files
from directives.documents.revocation import pades_lt_options
from directives.errors import SignerKeyError
from directives.models import Directive

logger = logging.getLogger(__name__)


SIGNATURE_FIELD = "ChuKySo"


class SigningNotConfigured(ImproperlyConfigured):
    """No key to sign with: retrying will not help until an administrator configures one."""


@dataclass(frozen=True)
class SigningKey:
    """A key ready to sign: any pyHanko Signer (PKCS#12, PKCS#11 session, remote service).

    `closer` releases what the backend holds open (a token session): call `close()`, or use the
    key as a context manager, once its signatures are made (documents/keys.py opens them)."""

    signer: signers.Signer
    organisation: str
    path: Path
    closer: Callable[[], None] | None = field(default=None, compare=False, repr=False)

    def close(self) -> None:
        if self.closer is not None:
            self.closer()

    def __enter__(self) -> SigningKey:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner that parses the private key once: pyHanko re-parses it on every signature,
    and cryptography's RSA key checks cost ~35 ms each time."""

    def __init__(self, loaded: signers.SimpleSigner):
        super().__init__(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        self._private_key = serialization.load_der_private_key(
            loaded.signing_key.dump(), password=None
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo == "rsassa_pkcs1v15" and isinstance(
            self._private_key, rsa.RSAPrivateKey
        ):
            hash_algo = getattr(hashes, digest_algorithm.upper())()
            return self._private_key.sign(data, padding.PKCS1v15(), hash_algo)
        return super().sign_raw(data, digest_algorithm)


# Room for the CMS container beyond the certificates it carries: the signature value and the
# signed attributes; a timestamp token (with the authority's own chain) needs much more.
SIGNATURE_ROOM = 1536


TIMESTAMP_ROOM = 12 * 1024


def signature_space(key: SigningKey, *, timestamped: bool) -> int:
    """The hex digits to reserve for the signature, sized from the key's certificate chain.

    Computed rather than fixed: a long chain from a commercial CA still fits, and the demo's
    short one does not pad every letter (each recipient gets the PDF by e-mail). Computed
    rather than estimated by pyHanko, which would sign twice."""
    certs = [key.signer.signing_cert, *key.signer.cert_registry]
    room = sum(len(cert.dump()) for cert in certs) + SIGNATURE_ROOM
    if timestamped:
        room += TIMESTAMP_ROOM
    return -(-2 * room // 1024) * 1024  # two hex digits a byte, rounded up to 1 KiB


_key_cache: dict[tuple[str, float, str], signers.SimpleSigner] = {}


_key_lock = threading.Lock()


def _load_p12(path: Path, password: str) -> signers.SimpleSigner:
    """Load (and cache per file version) the key and chain; decrypting a PKCS#12 takes time."""
    try:
        stamp = path.stat().st_mtime
    except OSError as exc:
        raise SigningNotConfigured(f"The signing key file {path} cannot be read: {exc}") from exc
    cache_key = (str(path), stamp, password)
    with _key_lock:
        signer = _key_cache.get(cache_key)
        if signer is None:
            loaded = signers.SimpleSigner.load_pkcs12(
                str(path), passphrase=password.encode() if password else None
            )
            if loaded is None:
                raise SigningNotConfigured(
                    f"The signing key file {path} could not be opened (wrong password?)."
                )
            signer = _LoadedKeySigner(loaded)
            _key_cache[cache_key] = signer
    return signer


def _organisation_of(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    return subject.get("organization_name") or subject.get("common_name") or ""


def signing_key_for(unit_code: str) -> SigningKey:
    """The key the issuing unit signs with; raises SigningNotConfigured with a clear message."""
    if settings.SIGNING_P12_DIR:
        per_unit = Path(settings.SIGNING_P12_DIR) / f"{unit_code}.p12"
        if per_unit.is_file():
            return _key(per_unit, settings.SIGNING_P12_PASSWORD)
    if settings.SIGNING_P12:
        return _key(Path(settings.SIGNING_P12), settings.SIGNING_P12_PASSWORD)
    if settings.DEBUG:
        files = dev_pki_ensure()
        own = dev_unit_p12(unit_code)  # another issuing unit's development seal key
        return _key(own if own.is_file() else files.org_p12, files.password)
    raise SigningNotConfigured(
        "No signing key is configured: set SIGNING_P12 and SIGNING_P12_PASSWORD (or put "
        f"{unit_code}.p12 in SIGNING_P12_DIR). The development key is not used when DEBUG=False."
    )


def _key(path: Path, password: str) -> SigningKey:
    signer = _load_p12(path, password)
    return SigningKey(signer=signer, organisation=_organisation_of(signer.signing_cert), path=path)


def signers_dir() -> Path | None:
    """Where the signers' PKCS#12 files are looked for; None when nowhere is configured."""
    if settings.SIGNER_P12_DIR:
        return Path(settings.SIGNER_P12_DIR)
    if settings.DEBUG:
        return dev_signers_dir()
    return None


def signer_key_for(*, user, pin: str) -> SigningKey:
    """The signer's own key, opened with the PIN they typed (never stored).

    The PKCS#12 file of a signer with no key store (SIGNER_P12_DIR, or the development PKI in
    DEBUG); `documents.keys.user_key` opens it and checks its certificate (expired, revoked)
    as it checks every other key. Raises SignerKeyError with a message for the signer when the
    key cannot be opened; nothing is signed then."""
    directory = signers_dir()
    files = signer_files(directory, user.get_username()) if directory else None
    if files is None or not (files.p12.exists() or files.cert_pem.exists()):
        raise SignerKeyError(
            _(
                "You have no digital signature certificate in the portal. Ask the administrator "
                "to register your certificate before signing."
            )
        )
    if not files.p12.is_file():
        raise SignerKeyError(
            _(
                "Your signing key cannot be reached (the token is not connected or the key file "
                "is missing). Connect it and try again."
            )
        )
    if not pin:
        raise SignerKeyError(_("Enter the PIN of your signing key."))
    try:
        loaded = signers.SimpleSigner.load_pkcs12(str(files.p12), passphrase=pin.encode())
    except (OSError, ValueError):
        loaded = None
    if loaded is None:
        raise SignerKeyError(_("The PIN is wrong: nothing was signed. Try again."))
    return SigningKey(
        signer=_LoadedKeySigner(loaded),
        organisation=_organisation_of(loaded.signing_cert),
        path=files.p12,
    )


class PdfSignerAt(signers.PdfSigner):
    """A PdfSigner whose signing time is the one already printed on the visible stamp."""

    def __init__(self, *args, system_time: datetime.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._system_time = system_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._system_time
        return session


def sign_pdf_bytes(
    pdf: bytes,
    *,
    key: SigningKey,
    signed_at: datetime.datetime,
    box: BoxOnPage | None,
    reason: str = "",
    location: str = "",
    field_name: str = SIGNATURE_FIELD,
    stamp_style=None,
) -> bytes:
    """Sign with PAdES baseline: B-B, or B-T when SIGNING_TSA_URL names a timestamp server.

    The signature is an incremental revision adding only its field and widget; `stamp_style`
    draws the widget (an image, see documents/revisions.py), invisible by default."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    field_spec = fields.SigFieldSpec(
        sig_field_name=field_name,
        on_page=box.page if box else 0,
        box=(box.x1, box.y1, box.x2, box.y2) if box else None,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        **pades_lt_options(key.path),  # seals: B-LT / B-LTA where a CRL is at hand
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.SIGNING_TSA_URL) if settings.SIGNING_TSA_URL else None
    )
    signer = PdfSignerAt(
        meta,
        key.signer,
        timestamper=timestamper,
        stamp_style=stamp_style or NoOpStampStyle(),
        new_field_spec=field_spec,
        system_time=signed_at,
    )
    out = BytesIO()
    reserved = signature_space(key, timestamped=timestamper is not None)
    signer.sign_pdf(writer, output=out, bytes_reserved=reserved)
    return out.getvalue()


def verify_url(directive: Directive) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse(
        "directives:verify_token", kwargs={"token": directive.verify_token}
    )


def render_and_sign_bytes(
    directive: Directive, *, key: SigningKey
) -> tuple[bytes, datetime.datetime]:
    """Render the issued letter with its stamp and sign it; returns (signed PDF, signing time)."""
    signed_at = timezone.now().replace(microsecond=0)
    stamp = SignatureStamp(
        organisation=key.organisation or directive.issuing_unit.name,
        signer=directive.signer_name or (str(directive.signer) if directive.signer else ""),
        title=(directive.signer_title or directive.head_title or "").capitalize(),
        signed_at=signed_at,
        verify_url=verify_url(directive),
    )
    document = html_to_document(render_directive_html(directive, draft=False, stamp=stamp))
    box = find_box(document, SIGNATURE_STAMP_ID)
    pdf = document_to_pdf(document)
    signed = sign_pdf_bytes(
        pdf,
        key=key,
        signed_at=signed_at,
        box=box,
        reason=f"Ban hành văn bản {directive.number_symbol}",
        location=directive.place,
    )
    return signed, signed_at
