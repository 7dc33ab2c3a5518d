"""The signer's signature when their key is at a remote signing service (the Vietnamese
services work this way, and the Cloud Signature Consortium API that documents/keys speaks):
the hash goes out, the signer confirms, the signature comes back.

"Ký số" asks for the signature (`directive_remote_sign_begin`): the numbered letter's next
revision is prepared with the signer's field and image (documents/keys/deferred.py) and kept in
a `RemoteSignature` row while the letter shows "chờ ký số". The signer confirms with the code
the service asks for (their PIN, or the one-time password sent to their phone) and the portal
finishes the signature (`directive_remote_sign_finish`): the letter becomes SIGNED exactly as
with a key at hand. The signer may withdraw the request (`directive_remote_sign_cancel`): the
letter stays numbered, with its number, nothing signed. The code is used for that request only
and never stored nor queued, so the signature is finished in the signer's request.
"""

from __future__ import annotations

import base64

from asn1crypto import x509 as asn1_x509
from django.db import transaction
from django.utils.translation import gettext as _
from pyhanko.sign.general import SigningError

from directives.documents.keys.deferred import PendingSignature, finish_remote_signature
from directives.documents.keys.errors import RemoteSigningUnavailable, SigningKeyError
from directives.documents.revisions import begin_as_signer
from directives.documents.signing import logger
from directives.errors import SignerKeyError, TransitionError
from directives.models import Directive, RemoteSignature
from directives.services.access import ensure_can_sign_digitally
from directives.services.drafting import locked
from directives.services.events import event_record
from directives.services.signing import numbered_pdf_read, signer_signature_store
from recipients.models import SigningKeyStore, User


def _numbered(directive: Directive) -> Directive:
    numbered = locked(directive)
    if numbered.status != Directive.Status.NUMBERED:
        raise TransitionError(_("Only a numbered directive awaits the signer's signature."))
    return numbered


def _refused(user: User, exc: Exception) -> SignerKeyError:
    """The service's refusal (or its silence) as the signer reads it; nothing was signed."""
    logger.info("Remote signature of signer %s refused: %r", user.pk, exc)
    if isinstance(exc, SigningKeyError):
        return SignerKeyError(exc.text)
    return SignerKeyError(RemoteSigningUnavailable(repr(exc), reason=str(exc) or "?").text)


def directive_remote_sign_begin(
    *, directive: Directive, by: User, ip: str | None = None
) -> RemoteSignature:
    """Ask the signer's remote service for their signature of the numbered letter: the letter
    then awaits the signer's confirmation ("chờ ký số"). The service unreachable, an expired or
    revoked certificate: a message, the letter as it was."""
    with transaction.atomic():
        numbered = _numbered(directive)
        ensure_can_sign_digitally(by, numbered, "sign_remote")
        store = SigningKeyStore.objects.get(
            user=by, is_active=True, backend=SigningKeyStore.Backend.REMOTE
        )
        unsigned = numbered_pdf_read(numbered)
        try:
            pending, signed_at = begin_as_signer(numbered, store=store, pdf=unsigned)
        except (SigningKeyError, SigningError, ValueError, OSError) as exc:
            raise _refused(by, exc) from exc
        request = RemoteSignature.objects.create(
            directive=numbered,
            store=store,
            requested_by=by,
            signed_at=signed_at,
            prepared_pdf=pending.prepared_pdf,
            document_digest=pending.document_digest,
            reserved_region_start=pending.reserved_region_start,
            reserved_region_end=pending.reserved_region_end,
            signed_attrs=pending.signed_attrs,
            certificates=[base64.b64encode(der).decode("ascii") for der in pending.certificates],
            hash_b64=pending.hash_b64,
        )
        event_record(
            directive=numbered,
            verb="remote_signature_requested",
            by=by,
            ip=ip,
            comment=store.service_url,
            data={"hash": pending.hash_b64, "credential": store.credential_id},
        )
    return request


def _pending_of(request: RemoteSignature) -> PendingSignature:
    return PendingSignature(
        prepared_pdf=bytes(request.prepared_pdf),
        document_digest=bytes(request.document_digest),
        reserved_region_start=request.reserved_region_start,
        reserved_region_end=request.reserved_region_end,
        signed_attrs=bytes(request.signed_attrs),
        certificates=tuple(base64.b64decode(der) for der in request.certificates),
    )


def directive_remote_sign_finish(
    *, directive: Directive, by: User, pin: str, ip: str | None = None
) -> Directive:
    """The signer has confirmed: the service signs the hash that went out (with `pin`, the PIN
    or one-time code it asks for) and the letter becomes SIGNED. A wrong code or a refusal:
    a message, the request still waiting, nothing signed."""
    with transaction.atomic():
        numbered = _numbered(directive)
        ensure_can_sign_digitally(by, numbered, "sign_confirm")
        request = (
            RemoteSignature.objects.select_for_update()
            .select_related("store")
            .get(directive=numbered)
        )
        pending = _pending_of(request)
        try:
            signed = finish_remote_signature(pending, store=request.store, pin=pin)
        except (SigningKeyError, SigningError, ValueError, OSError) as exc:
            raise _refused(by, exc) from exc
        signer_signature_store(
            numbered,
            signed=signed,
            signed_at=request.signed_at,
            cert=asn1_x509.Certificate.load(pending.certificates[0]),
            by=by,
            ip=ip,
            data={"remote": request.store.service_url, "hash": request.hash_b64},
        )
        request.delete()
    return numbered


def directive_remote_sign_cancel(
    *, directive: Directive, by: User, ip: str | None = None
) -> Directive:
    """The signer withdraws the signature asked for: nothing is signed, the letter stays
    numbered with its number, and "Ký số" asks again."""
    with transaction.atomic():
        numbered = _numbered(directive)
        ensure_can_sign_digitally(by, numbered, "sign_cancel")
        request = RemoteSignature.objects.select_for_update().get(directive=numbered)
        event_record(
            directive=numbered,
            verb="remote_signature_cancelled",
            by=by,
            ip=ip,
            data={"hash": request.hash_b64},
        )
        request.delete()
    return numbered
