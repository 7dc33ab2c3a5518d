"""Rendering and signing an issued letter, and recording the signed PDF on the directive.

Idempotent: a letter whose signed PDF is already stored is not signed again; the PDF job of a
letter left pending (broker down at issue, worker killed) is resumed by the sweep."""

from __future__ import annotations

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from directives import jobs
from directives.documents.signing import (
    SigningNotConfigured,
    logger,
    render_and_sign_bytes,
    signing_key_for,
)
from directives.models import ISSUED_STATES, Directive
from directives.services.events import event_record
from directives.services.seals import directive_attachments_seal


def _pdf_file_ready(directive: Directive) -> bool:
    return bool(directive.pdf) and directive.pdf.storage.exists(directive.pdf.name)


def directive_render_and_sign(*, directive_id: int) -> bool:
    """Render, sign and store the issued letter's PDF once; True when the PDF is ready.

    Idempotent: a READY directive whose file exists is left alone. A missing key (production
    without SIGNING_P12) marks the PDF FAILED and returns False; any other failure marks it
    FAILED and raises OSError so that the Celery task retries with backoff."""
    directive = Directive.objects.select_related("issuing_unit", "drafting_unit", "signer").get(
        pk=directive_id
    )
    if directive.pdf_status == Directive.PdfStatus.READY and _pdf_file_ready(directive):
        return _attachments_sealed(directive.pk)
    if directive.status not in ISSUED_STATES or directive.number is None:
        return False
    Directive.objects.filter(pk=directive.pk).update(pdf_status=Directive.PdfStatus.RENDERING)
    try:
        key = signing_key_for(directive.issuing_unit.code)
        signed, signed_at = render_and_sign_bytes(directive, key=key)
    except SigningNotConfigured as exc:
        _mark_failed(directive, str(exc))
        logger.error("PDF of directive %s not signed: %s", directive.pk, exc)
        return False
    except Exception as exc:
        _mark_failed(directive, f"{type(exc).__name__}: {exc}")
        raise OSError(f"Rendering or signing directive {directive.pk} failed: {exc}") from exc
    stored = _store_signed(directive_id=directive.pk, signed=signed, signed_at=signed_at)
    return stored and _attachments_sealed(directive.pk)


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


def directives_pdf_stalled(*, older_than: datetime.timedelta) -> list[int]:
    """Issued directives whose PDF job should have finished long ago: the broker was down at
    issue, or the worker died mid-render. Rendering is idempotent, so they are simply re-run."""
    return list(
        Directive.objects.filter(
            status__in=ISSUED_STATES,
            is_paper=False,
            number__isnull=False,
            pdf_status__in=[Directive.PdfStatus.PENDING, Directive.PdfStatus.RENDERING],
            issued_at__lt=timezone.now() - older_than,
        ).values_list("pk", flat=True)
    )


def pdf_jobs_resume(*, older_than: datetime.timedelta) -> int:
    """Enqueue the PDF job again for every stalled directive; the count, for the sweep's log."""

    stalled = directives_pdf_stalled(older_than=older_than)
    for pk in stalled:
        jobs.pdf_render_enqueue(pk)
    return len(stalled)
