"""The signatures of a letter: the signer's (in the request, with the PIN they type), then the
agency's at issue (the PDF job), and recording the signed PDF on the directive.

The signer signs in their own request rather than through the PDF queue: signing the stored
bytes takes a fraction of a second, the signer sees at once whether their key and PIN worked,
and the PIN never leaves the request (a queued job would write it into the broker).

Idempotent: a letter whose signed PDF is already stored is not signed again; the PDF job of a
letter left pending (broker down at issue, worker killed) is resumed by the sweep."""

from __future__ import annotations

import datetime
import hashlib

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directives import jobs
from directives.documents.keys import unit_key, user_key
from directives.documents.keys.errors import (
    CertificateExpired,
    CertificateRevoked,
    PinRequired,
    SigningKeyError,
    WrongPin,
)
from directives.documents.revisions import seal_as_agency, sign_as_signer
from directives.documents.signing import (
    SigningKey,
    SigningNotConfigured,
    logger,
    render_and_sign_bytes,
)
from directives.errors import DirectiveError, SignerKeyError, TransitionError
from directives.models import ISSUED_STATES, Directive
from directives.services.access import ensure_can_sign_digitally
from directives.services.drafting import locked
from directives.services.events import event_record
from directives.services.issuing import assignments_snapshot_write
from directives.services.notices import people
from directives.services.seals import directive_attachments_seal
from recipients.models import User


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _signer_key(user: User, pin: str) -> SigningKey:
    """The signer's own key (documents/keys: the key store an administrator chose for them,
    else their PKCS#12 file in SIGNER_P12_DIR), its certificate checked: not expired, not
    revoked."""
    try:
        return user_key(user=user, pin=pin)
    except SigningKeyError as exc:
        logger.info("Signer %s could not sign: %s", user.pk, exc.detail or exc)
        raise SignerKeyError(exc.text) from exc


def directive_sign(*, directive: Directive, by: User, pin: str, ip: str | None = None) -> Directive:
    """The signer signs the numbered letter with their own key (the PIN opens it, and is not
    kept). Any failure - no certificate, a wrong PIN, an expired certificate, a key that is not
    there - raises with a message for the signer and leaves the letter as it was."""
    with transaction.atomic():
        numbered = locked(directive)
        if numbered.status != Directive.Status.NUMBERED:
            raise TransitionError(_("Only a numbered directive awaits the signer's signature."))
        ensure_can_sign_digitally(by, numbered)
        unsigned = numbered_pdf_read(numbered)
        key = _signer_key(by, pin)
        with key:
            signed, signed_at = sign_as_signer(numbered, key=key, pdf=unsigned)
        signer_signature_store(
            numbered, signed=signed, signed_at=signed_at, cert=key.signer.signing_cert, by=by, ip=ip
        )
    return numbered


def numbered_pdf_read(directive: Directive) -> bytes:
    """The numbered letter's unsigned bytes, which the signer's signature covers."""
    try:
        return _read(directive.unsigned_pdf)
    except (OSError, ValueError) as exc:
        raise DirectiveError(
            _(
                "The numbered PDF of this directive cannot be read. Ask the clerk to cancel "
                "the numbering and number it again."
            )
        ) from exc


def signer_signature_store(
    numbered: Directive,
    *,
    signed: bytes,
    signed_at: datetime.datetime,
    cert: asn1_x509.Certificate,
    by: User,
    ip: str | None,
    data: dict | None = None,
) -> None:
    """Keep the signer's signed PDF and make the letter SIGNED, inside the caller's transaction
    on the locked letter: the same for a key at hand and for a remote signature."""
    numbered.signer_pdf.save(numbered.pdf_filename, ContentFile(signed), save=False)
    try:
        numbered.status = Directive.Status.SIGNED
        numbered.signer_signed_at = signed_at
        numbered.save(update_fields=["status", "signer_pdf", "signer_signed_at", "updated_at"])
        event = event_record(
            directive=numbered,
            verb="signed",
            by=by,
            ip=ip,
            comment=cert.subject.human_friendly,
            data={
                "serial": str(cert.serial_number),
                "issuer": cert.issuer.human_friendly,
                "signed_at": signed_at.isoformat(),
                "sha256": hashlib.sha256(signed).hexdigest(),
                **(data or {}),
            },
        )
        people.directive_people_notify(
            directive=numbered, occasion=people.SIGNED, by=by, key=event.pk
        )
    except Exception:
        numbered.signer_pdf.delete(save=False)
        raise


def _pdf_file_ready(directive: Directive) -> bool:
    return bool(directive.pdf) and directive.pdf.storage.exists(directive.pdf.name)


def directive_render_and_sign(*, directive_id: int) -> bool:
    """Render, sign and store the issued letter's PDF once; True when the PDF is ready.

    Idempotent: a READY directive whose file exists is left alone. A missing key (production
    without SIGNING_P12), an expired or revoked agency certificate, a wrong PIN marks the PDF
    FAILED with the reason the clerk reads and returns False: retrying would not help. Any
    other failure marks it FAILED and raises OSError so that the Celery task retries with
    backoff. First the assignments the issue request left pending are written: the letter is
    delivered only after them."""
    assignments_snapshot_write(directive_id=directive_id)
    directive = Directive.objects.select_related("issuing_unit", "drafting_unit", "signer").get(
        pk=directive_id
    )
    if directive.pdf_status == Directive.PdfStatus.READY and _pdf_file_ready(directive):
        return _attachments_sealed(directive.pk)
    if directive.status not in ISSUED_STATES or directive.number is None:
        return False
    Directive.objects.filter(pk=directive.pk).update(pdf_status=Directive.PdfStatus.RENDERING)
    try:
        # The unit's key store (a token or an HSM on the server), else the PKCS#12 settings.
        with unit_key(unit=directive.issuing_unit) as key:
            if directive.signer_pdf:
                # The agency's signature as the second revision of the signer's signed bytes.
                signed, signed_at = seal_as_agency(
                    directive, key=key, pdf=_read(directive.signer_pdf)
                )
            else:  # a letter issued before the two-signature flow, asked for again
                signed, signed_at = render_and_sign_bytes(directive, key=key)
    except (SigningNotConfigured, *AGENCY_KEY_STOPS) as exc:
        # The clerk reads the message; the administrator the setting to fix. Retrying cannot
        # help until a new key or certificate is set up.
        _mark_failed(directive, _key_failure_text(exc))
        logger.error("PDF of directive %s not signed: %s", directive.pk, exc)
        return False
    except SigningKeyError as exc:  # a token unplugged, a service down: retried with backoff
        _mark_failed(directive, _key_failure_text(exc))
        raise OSError(f"Signing directive {directive.pk} failed: {exc!r}") from exc
    except Exception as exc:
        _mark_failed(directive, f"{type(exc).__name__}: {exc}")
        raise OSError(f"Rendering or signing directive {directive.pk} failed: {exc}") from exc
    stored = _store_signed(directive_id=directive.pk, signed=signed, signed_at=signed_at)
    return stored and _attachments_sealed(directive.pk)


# The agency's key cannot sign until an administrator acts: the PDF job stops at once.
AGENCY_KEY_STOPS = (CertificateExpired, CertificateRevoked, WrongPin, PinRequired)


def _key_failure_text(exc: Exception) -> str:
    """What the clerk reads on the letter (in the portal's language: the worker has no
    request), with the technical detail for the administrator."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(exc)
    detail = getattr(exc, "detail", "")
    return f"{text} ({detail})" if detail else text


def _attachments_sealed(directive_id: int) -> bool:
    """Hook (services/seals.py): the agency signs each attachment once the letter is stored."""
    try:
        directive_attachments_seal(directive_id=directive_id)
    except Exception as exc:  # the task retries with backoff; sealed files are kept
        raise OSError(f"Sealing the attachments of directive {directive_id} failed: {exc}") from exc
    return True


def _mark_failed(directive: Directive, message: str) -> None:
    with transaction.atomic():
        Directive.objects.filter(pk=directive.pk).update(
            pdf_status=Directive.PdfStatus.FAILED, pdf_error=message[:2000]
        )
        event_record(directive=directive, verb="pdf_failed", comment=message[:2000])


def _store_signed(*, directive_id: int, signed: bytes, signed_at: datetime.datetime) -> bool:
    digest = hashlib.sha256(signed).hexdigest()
    with transaction.atomic():
        directive = Directive.objects.select_for_update().get(pk=directive_id)
        if directive.pdf_status == Directive.PdfStatus.READY and _pdf_file_ready(directive):
            return True  # another worker finished first; its file stays, ours is dropped
        # The signed file is written once under a fresh name and never rewritten.
        directive.pdf.save(directive.pdf_filename, ContentFile(signed), save=False)
        directive.pdf_sha256 = digest
        directive.signed_at = signed_at
        directive.pdf_status = Directive.PdfStatus.READY
        directive.pdf_error = ""
        directive.save(update_fields=["pdf", "pdf_sha256", "signed_at", "pdf_status", "pdf_error"])
        event_record(
            directive=directive,
            verb="pdf_signed",
            data={"sha256": digest, "signed_at": signed_at.isoformat(), "bytes": len(signed)},
        )
    return True


def directives_pdf_stalled(
    *, older_than: datetime.timedelta, now: datetime.datetime | None = None
) -> list[int]:
    """Issued directives whose PDF job should have finished long ago: the broker was down at
    issue, or the worker died mid-render. Rendering is idempotent, so they are simply re-run."""
    return list(
        Directive.objects.filter(
            status__in=ISSUED_STATES,
            is_paper=False,
            number__isnull=False,
            pdf_status__in=[Directive.PdfStatus.PENDING, Directive.PdfStatus.RENDERING],
            issued_at__lt=(now or timezone.now()) - older_than,
        ).values_list("pk", flat=True)
    )


def pdf_jobs_resume(*, now: datetime.datetime | None = None) -> int:
    """Enqueue the PDF job again for every stalled directive; the count, for the sweep's log.

    Stalled: after NOTIFY_LOST_AFTER_SECONDS when the pdf queue holds no job (the broker lost
    it, or the worker died mid-render), after NOTIFY_SWEEP_AFTER_MINUTES when it is busy."""
    now = now or timezone.now()
    if jobs.queue_waiting("pdf") == 0:
        older_than = datetime.timedelta(seconds=settings.NOTIFY_LOST_AFTER_SECONDS)
    else:
        older_than = datetime.timedelta(minutes=settings.NOTIFY_SWEEP_AFTER_MINUTES)
    stalled = directives_pdf_stalled(older_than=older_than, now=now)
    for pk in stalled:
        jobs.pdf_render_enqueue(pk)
    return len(stalled)
