"""The deferred (interrupted) shape of remote signing: the hash goes out, the signature comes back
later, after the signer has confirmed (on a phone, for the Vietnamese services).

`begin_remote_signature` prepares the PDF with its signature placeholder (pyHanko's interrupted
signing) and returns a `PendingSignature`: plain bytes and numbers that a caller can keep in the
database while the letter shows "chờ ký số". `finish_remote_signature`, in another request or
worker, asks the service to sign exactly that hash and embeds the signature. Cancelling is
dropping the pending state: the letter's own bytes were never touched.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import aiohttp
from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.stamp.noop import NoOpStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from directives.documents.keys import check_certificate
from directives.documents.keys.errors import RemoteSigningUnavailable
from directives.documents.keys.remote import PinAuthorization, _credential, _post
from directives.documents.pdf import BoxOnPage
from directives.documents.signing import (
    SIGNATURE_FIELD,
    PdfSignerAt,
    SigningKey,
    signature_space,
)
from recipients.models import SigningKeyStore

DIGEST = "sha256"


@dataclass(frozen=True)
class PendingSignature:
    """A signature waiting for the signer's confirmation; everything in it can be stored."""

    prepared_pdf: bytes  # the letter with its new revision and an empty signature placeholder
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attrs: bytes  # DER of the CMS signed attributes: what the service signs
    certificates: tuple[bytes, ...]  # DER, the signer's first

    @property
    def hash_b64(self) -> str:
        """The hash that goes out to the service (and is shown to the signer to confirm)."""
        return base64.b64encode(hashlib.sha256(self.signed_attrs).digest()).decode("ascii")


def _external(certificates, signature: bytes | None = None) -> signers.ExternalSigner:
    certs = [asn1_x509.Certificate.load(der) for der in certificates]
    registry = SimpleCertificateStore()
    registry.register_multiple(certs)
    return signers.ExternalSigner(certs[0], registry, signature_value=signature or 256)


def _timestamper():
    return (
        timestamps.HTTPTimeStamper(settings.SIGNING_TSA_URL) if settings.SIGNING_TSA_URL else None
    )


def begin_remote_signature(
    pdf: bytes,
    *,
    store: SigningKeyStore,
    signed_at: datetime.datetime,
    box: BoxOnPage | None,
    reason: str = "",
    location: str = "",
    field_name: str = SIGNATURE_FIELD,
    stamp_style=None,
) -> PendingSignature:
    """Prepare `pdf`'s next revision with an empty signature of the store's credential (its
    widget drawn by `stamp_style`, invisible by default); nothing is signed yet. An expired or
    revoked certificate, or a service that cannot be reached, raises a SigningKeyError."""
    info, credential = asyncio.run(_credential(store))
    check_certificate(credential.signing_cert)
    certificates = (credential.signing_cert.dump(), *(c.dump() for c in credential.chain))
    external = _external(certificates)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    pdf_signer = PdfSignerAt(
        meta,
        external,
        stamp_style=stamp_style or NoOpStampStyle(),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=box.page if box else 0,
            box=(box.x1, box.y1, box.x2, box.y2) if box else None,
        ),
        system_time=signed_at,
    )
    reserved = signature_space(
        SigningKey(signer=external, organisation="", path=Path(store.credential_id)),
        timestamped=_timestamper() is not None,
    )

    async def prepare():
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=reserved
        )
        attrs = await external.signed_attrs(digest.document_digest, DIGEST, use_pades=True)
        return digest, output, attrs

    digest, output, attrs = asyncio.run(prepare())
    return PendingSignature(
        prepared_pdf=output.getvalue(),
        document_digest=digest.document_digest,
        reserved_region_start=digest.reserved_region_start,
        reserved_region_end=digest.reserved_region_end,
        signed_attrs=attrs.dump(),
        certificates=certificates,
    )


def finish_remote_signature(
    pending: PendingSignature, *, store: SigningKeyStore, pin: str | None
) -> bytes:
    """Have the service sign the pending hash (the signer confirms with `pin` or on their
    phone) and return the signed PDF; a refusal raises a SigningKeyError, nothing is signed."""

    async def finish() -> bytes:
        info, credential = await _credential(store)
        if credential.signing_cert.dump() != pending.certificates[0]:
            raise RemoteSigningUnavailable(
                "the credential's certificate changed", reason="certificate changed"
            )
        check_certificate(credential.signing_cert)  # revoked meanwhile: nothing is signed
        hashes_out = [pending.hash_b64]
        mechanism = _external(pending.certificates).get_signature_mechanism_for_digest(DIGEST)
        auth = await PinAuthorization(info, credential, pin).authorize_signature(hashes_out)
        body = {
            "credentialID": info.credential_id,
            "SAD": auth.sad,
            "hashAlgo": algos.DigestAlgorithmId(DIGEST).dotted,
            "signAlgo": mechanism["algorithm"].dotted,
            "hash": hashes_out,
        }
        async with aiohttp.ClientSession() as http:
            data = await _post(http, info, "signatures/signHash", body, headers=info.auth_headers)
        try:
            signature = base64.b64decode(data["signatures"][0])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise RemoteSigningUnavailable(repr(data), reason="no signature returned") from exc
        external = _external(pending.certificates, signature)
        signed_cms = await external.async_sign_prescribed_attributes(
            DIGEST,
            signed_attrs=cms.CMSAttributes.load(pending.signed_attrs),
            timestamper=_timestamper(),
        )
        output = BytesIO(pending.prepared_pdf)
        await PdfTBSDocument.async_finish_signing(
            output,
            PreparedByteRangeDigest(
                document_digest=pending.document_digest,
                reserved_region_start=pending.reserved_region_start,
                reserved_region_end=pending.reserved_region_end,
            ),
            signed_cms,
        )
        return output.getvalue()

    return asyncio.run(finish())
