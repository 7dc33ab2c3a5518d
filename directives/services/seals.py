"""The agency's signature on each attachment of an issued letter, after the letter's own
signed PDF is stored (services/signing.py): a signed PDF for a PDF, a .p7s for anything else.

Idempotent: an attachment already sealed is left alone; the signing runs outside the
transaction, the rows and one Event are written in one."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from directives.documents.seals import cades_detached, is_pdf, seal_pdf
from directives.documents.signing import signing_key_for
from directives.models import Attachment, AttachmentSeal, Directive
from directives.services.events import event_record


def _sealed(attachment: Attachment, *, key, number_symbol: str, signed_at) -> AttachmentSeal:
    with attachment.file.open("rb") as handle:
        data = handle.read()
    if is_pdf(data):
        try:
            signed = seal_pdf(data, key=key, number_symbol=number_symbol, signed_at=signed_at)
        except Exception:  # a damaged PDF still gets the agency's signature, as a .p7s
            signed = None
        if signed is not None:
            return AttachmentSeal(
                attachment=attachment,
                kind=AttachmentSeal.Kind.PADES,
                file=ContentFile(signed, name=attachment.name),
                name=attachment.name,
                sha256=hashlib.sha256(signed).hexdigest(),
                signed_at=signed_at,
            )
    signature = cades_detached(data, key=key, signed_at=signed_at)
    name = f"{attachment.name}.p7s"
    return AttachmentSeal(
        attachment=attachment,
        kind=AttachmentSeal.Kind.CADES,
        file=ContentFile(signature, name=PurePath(name).name),
        name=name,
        sha256=hashlib.sha256(signature).hexdigest(),
        signed_at=signed_at,
    )


def directive_attachments_seal(*, directive_id: int) -> int:
    """Seal every attachment of the issued letter not sealed yet; returns how many were."""
    directive = Directive.objects.select_related("issuing_unit").get(pk=directive_id)
    pending = list(directive.attachments.filter(seal__isnull=True))
    if not pending or not directive.number_symbol:
        return 0
    key = signing_key_for(directive.issuing_unit.code)
    signed_at = timezone.now().replace(microsecond=0)
    seals = [
        _sealed(item, key=key, number_symbol=directive.number_symbol, signed_at=signed_at)
        for item in pending
    ]
    with transaction.atomic():
        Directive.objects.select_for_update().filter(pk=directive.pk).exists()
        done = set(
            AttachmentSeal.objects.filter(attachment__in=pending).values_list(
                "attachment_id", flat=True
            )
        )
        fresh = [seal for seal in seals if seal.attachment_id not in done]
        for seal in fresh:
            seal.save()
        if fresh:
            event_record(
                directive=directive,
                verb="attachments_sealed",
                data={
                    "signed_at": signed_at.isoformat(),
                    "files": [{"name": s.name, "kind": s.kind, "sha256": s.sha256} for s in fresh],
                },
            )
    return len(fresh)


def sealed_download(attachment: Attachment) -> tuple:
    """(file, name, content type) that a recipient downloads for an attachment: the signed PDF
    in place of a sealed PDF, the file itself otherwise (its .p7s is a download of its own)."""
    seal = getattr(attachment, "seal", None)
    if seal is not None and seal.kind == AttachmentSeal.Kind.PADES:
        return seal.file, attachment.name, "application/pdf"
    return attachment.file, attachment.name, attachment.content_type


def attachment_links(directive: Directive) -> list[tuple[str, str]]:
    """(name, absolute URL) of each file a recipient downloads with the letter: the signed PDF
    attachments, the other files and their .p7s (for the delivery e-mail; login required)."""
    from django.conf import settings
    from django.urls import reverse

    links = []
    for item in directive.attachments.select_related("seal"):
        url = reverse("directives:attachment_file", args=[item.pk])
        links.append((item.name, settings.SITE_URL + url))
        seal = getattr(item, "seal", None)
        if seal is not None and seal.kind == AttachmentSeal.Kind.CADES:
            url = reverse("directives:attachment_signature", args=[item.pk])
            links.append((seal.name, settings.SITE_URL + url))
    return links
