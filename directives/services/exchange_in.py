"""edXML in (QCVN 102:2016): a message from another system enters the addressed unit's incoming
book, or is refused with its reason and nothing saved.

In order: the size and the XML (no DTD, no entity, no network), the XML signature against the
portal's trust roots (what follows reads only what it covers), the letter's fields, the unit
named by To/OrganId (an active unit of the portal with that identifier code), the DocumentId
not seen before by that unit, each attachment within its limit, and the signed PDF by its
content (the upload checks). The PDF's own signatures are checked as a delivered letter's are,
and kept on the entry (shown to the clerk), as the portal does for its own letters. The entry
takes the next arrival number under the book's lock (`incoming_number_take`), in one
transaction with its Event; a DocumentId entered at the same moment by another worker loses on
the database's unique constraint and is refused as seen before. A status message goes back to
the issuer: 01 (arrived) and 03 (entered in the book), or 02 (refused) with the reason.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.uploads import check_upload
from directives.documents.verification import check_pdf_signatures, trust_roots
from directives.exchange import edxml
from directives.exchange.transport import transport
from directives.models import Dispatch, Event, IncomingAttachment, IncomingEntry
from directives.services.events import event_record
from directives.services.exchange import document_id_of, status_send
from directives.services.exchange_recall import recall_take, replaced_take
from directives.services.incoming import incoming_number_take
from directives.services.notices import people
from directives.workdays import local_today
from recipients.models import Unit, normalize_identifier_code

logger = logging.getLogger(__name__)

ARRIVED, REFUSED, ACCEPTED = "01", "02", "03"


def refusal_text(code: str) -> str:
    """The reason of a refusal as the issuer reads it in the status 02."""
    texts = {
        edxml.MALFORMED: _("The message is not a well-formed edXML letter."),
        edxml.BAD_SIGNATURE: _("The digital signature of the message is not valid."),
        edxml.TOO_LARGE: _("The message or one of its files is too large."),
        edxml.UNKNOWN_ORGAN: _("No unit of this portal has the addressee's identifier code."),
        edxml.DUPLICATE: _("This letter was received before."),
        edxml.BAD_PDF: _("The PDF of the letter is missing or cannot be accepted."),
        edxml.UNKNOWN_DOCUMENT: _("The recalled letter was never entered here."),
    }
    return texts.get(code, _("The message cannot be accepted."))


@dataclass
class Received:
    """What became of one message: the entry, or the refusal (`code`, `reason`)."""

    entry: IncomingEntry | None = None
    status: str = ""  # a status message recorded (its StatusCode), not a letter
    code: str = ""
    reason: str = ""
    statuses: list[str] = field(default_factory=list)
    recalled: IncomingEntry | None = None  # the entry a recall closed (or could not: 16)

    @property
    def refused(self) -> bool:
        return self.entry is None and not self.status


def _receiving_unit(letter: edxml.LetterMessage) -> Unit:
    ids = [organ.organ_id for organ in letter.recipients if organ.organ_id]
    units = Unit.objects.filter(identifier_code__in=ids, is_active=True, is_external=False)
    found = {unit.identifier_code: unit for unit in units}
    for organ_id in ids:
        if organ_id in found:
            return found[organ_id]
    raise edxml.EdxmlRefused(
        edxml.UNKNOWN_ORGAN, f"no unit of this portal has the identifier code {', '.join(ids)}"
    )


def _letter_pdf(letter: edxml.LetterMessage) -> edxml.EdxmlAttachment:
    for attachment in letter.attachments:
        if attachment.content_type == "application/pdf" or attachment.name.lower().endswith(".pdf"):
            return attachment
    raise edxml.EdxmlRefused(edxml.BAD_PDF, "the message carries no PDF of the letter")


def _checked_pdf(pdf: edxml.EdxmlAttachment):
    upload = SimpleUploadedFile(pdf.name or "letter.pdf", pdf.data, "application/pdf")
    try:
        return check_upload(upload, allowed=("pdf",), max_bytes=settings.EDXML_ATTACHMENT_MAX_BYTES)
    except ValidationError as exc:
        raise edxml.EdxmlRefused(edxml.BAD_PDF, " ".join(exc.messages)) from exc


@dataclass(frozen=True)
class _Kept:
    attachment: edxml.EdxmlAttachment
    checked: object  # common.uploads.CheckedFile


def _other_files(
    letter: edxml.LetterMessage, pdf: edxml.EdxmlAttachment
) -> tuple[list[_Kept], list[dict]]:
    """The letter's other attachments the upload checks accept (as for a file a person
    uploads: by content and size), and those they do not, each with the reason: the letter is
    taken either way (a detached signature, an archive or an old Office file is named in the
    entry's history, not kept)."""
    kept, left = [], []
    for attachment in letter.attachments:
        if attachment is pdf:
            continue
        name = (attachment.name or "file")[:255]
        upload = SimpleUploadedFile(name, attachment.data, attachment.content_type or "")
        try:
            checked = check_upload(upload, max_bytes=settings.EDXML_ATTACHMENT_MAX_BYTES)
        except ValidationError as exc:
            left.append({"name": name, "reason": " ".join(exc.messages)[:300]})
            continue
        kept.append(_Kept(attachment, checked))
    return kept, left


def _seen_before(unit: Unit, document_id: str) -> None:
    if IncomingEntry.objects.filter(unit=unit, edxml_document_id=document_id).exists():
        raise edxml.EdxmlRefused(edxml.DUPLICATE, f"DocumentId {document_id} was received before")


class _Refused(Exception):
    """A refusal with whom to answer: the message's DocumentId and sender, when it says them."""

    def __init__(self, refusal: edxml.EdxmlRefused, answer_to: tuple[str, str]) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal
        self.answer_to = answer_to


def _letter_of(data: bytes) -> tuple[edxml.LetterMessage, str]:
    root = edxml.safe_parse(data, max_bytes=settings.EDXML_MAX_BYTES)
    try:
        return _signed_letter(root)
    except edxml.EdxmlRefused as refusal:
        raise _Refused(refusal, edxml.addressing(root)) from refusal
    except _StatusArrived:
        raise
    except Exception as exc:  # a shape nobody foresaw: refused, never a crash of the reader
        logger.exception("edXML message could not be read")
        refusal = edxml.EdxmlRefused(edxml.MALFORMED, f"unreadable message: {type(exc).__name__}")
        raise _Refused(refusal, edxml.addressing(root)) from exc


class _StatusArrived(Exception):
    def __init__(self, status: edxml.StatusMessage, signer_sha256: str) -> None:
        super().__init__(status.status_code)
        self.status = status
        self.signer_sha256 = signer_sha256


def sender_certificate_check(organ_id: str, signer_sha256: str) -> None:
    """A unit that names the certificates its system signs with (Unit.edxml_certificates): a
    message in its name signed by any other certificate is refused, however trusted its CA (a
    certificate of another agency's system chains to the same national CA)."""
    sender = (
        Unit.objects.filter(identifier_code=normalize_identifier_code(organ_id))
        .exclude(edxml_certificates="")
        .only("edxml_certificates")
        .first()
    )
    if sender is not None and signer_sha256 not in sender.edxml_fingerprints:
        raise edxml.EdxmlRefused(
            edxml.BAD_SIGNATURE,
            f"signed by a certificate that is not one of {organ_id}'s "
            f"(SHA-256 {signer_sha256 or 'unknown'})",
        )


def _signed_letter(root) -> tuple[edxml.LetterMessage, str]:
    checked = edxml.signature_check(root, roots=trust_roots())
    if edxml.is_status(checked.root):
        # Checked against its sender in _status_record: a status is never answered, even
        # refused.
        raise _StatusArrived(edxml.status_parse(checked.root), checked.signer_sha256)
    letter = edxml.letter_parse(
        checked.root, attachment_max_bytes=settings.EDXML_ATTACHMENT_MAX_BYTES
    )
    sender_certificate_check(letter.sender.organ_id, checked.signer_sha256)
    if letter.business_doc_type == edxml.UPDATE:
        # The portal never changes an issued letter: a correction is a replacement (3).
        raise edxml.EdxmlRefused(
            edxml.MALFORMED, "update messages (BussinessDocType 2) are not taken"
        )
    return letter, checked.signer_subject


def _entry_create(
    *, letter: edxml.LetterMessage, unit: Unit, pdf: edxml.EdxmlAttachment, signer: str
) -> IncomingEntry:
    checked = _checked_pdf(pdf)
    report = check_pdf_signatures(checked.sha256, lambda: pdf.data)
    with translation.override(settings.LANGUAGE_CODE):
        kept, left = _other_files(letter, pdf)
    stored: list[IncomingAttachment] = []
    with transaction.atomic():
        now = timezone.now()
        year = local_today(now).year
        number = incoming_number_take(unit=unit, year=year)
        _seen_before(unit, letter.document_id)  # under the book's lock
        entry = IncomingEntry(
            unit=unit,
            source=IncomingEntry.Source.EDXML,
            decision=IncomingEntry.Decision.ACCEPTED,
            year=year,
            arrival_number=number,
            arrived_at=now,
            issuer_name=(letter.sender.organ_name or letter.sender.organ_id)[:255],
            number=letter.code_number[:16],
            symbol=letter.code_notation[:64],
            letter_date=letter.promulgation_date,
            doc_type_name=letter.type_name[:100],
            subject=letter.subject,
            signatures_valid=report.valid,
            signature_problems=[str(p) for p in report.problems],
            scan_name=(pdf.name or "letter.pdf")[:255],
            scan_size=checked.size,
            scan_sha256=checked.sha256,
            received_by_name="edXML",
            edxml_document_id=letter.document_id,
        )
        entry.scan.save(f"{unit.code}-{year}-{number}.pdf", ContentFile(pdf.data), save=False)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError as exc:
            entry.scan.delete(save=False)
            raise edxml.EdxmlRefused(
                edxml.DUPLICATE, f"DocumentId {letter.document_id} was received before"
            ) from exc
        try:
            for position, item in enumerate(kept, start=1):
                row = IncomingAttachment(
                    entry=entry,
                    position=position,
                    name=(item.attachment.name or "file")[:255],
                    description=item.attachment.description[:255],
                    content_type=item.checked.content_type,
                    size=item.checked.size,
                    sha256=item.checked.sha256,
                )
                suffix = PurePath(row.name).suffix.lower()
                row.file.save(
                    f"{unit.code}-{year}-{number}-{position}{suffix}",
                    ContentFile(item.attachment.data),
                    save=False,
                )
                stored.append(row)
                row.save()
            event_record(
                directive=None,
                incoming_entry=entry,
                verb="incoming_edxml",
                by_name="edXML",
                unit=unit,
                comment=entry.number_symbol,
                data={
                    "arrival_number": number,
                    "year": year,
                    "document_id": letter.document_id,
                    "from": letter.sender.organ_id,
                    "xml_signer": signer,
                    "scan_sha256": checked.sha256,
                    "attachments": [a.name for a in letter.attachments],
                    "attachments_not_kept": left,
                },
            )
            people.entry_heads_notify(entry=entry, occasion=people.ARRIVED, by=None)
        except Exception:
            # The files reached the storage before the rows: a refused entry keeps none.
            entry.scan.delete(save=False)
            for row in stored:
                row.file.delete(save=False)
            raise
    return entry


def edxml_message_receive(*, data: bytes) -> Received:
    """Enter one incoming edXML letter in the addressed unit's book, or refuse it (nothing
    saved); the status messages back to the issuer are written either way when its sender is
    known."""
    letter = unit = None
    answer_to = ("", "")
    try:
        try:
            letter, signer = _letter_of(data)
        except _StatusArrived as arrived:
            return _status_record(arrived.status, signer_sha256=arrived.signer_sha256)
        except _Refused as refused:
            answer_to = refused.answer_to
            raise refused.refusal from refused
        unit = _receiving_unit(letter)
        if letter.business_doc_type == edxml.RECALL:
            taken = recall_take(letter=letter, unit=unit)
            if not taken.outcome:
                return Received(code=edxml.DUPLICATE, reason=taken.reason)
            return Received(status=taken.outcome, recalled=taken.entry, statuses=taken.statuses)
        _seen_before(unit, letter.document_id)
        entry = _entry_create(letter=letter, unit=unit, pdf=_letter_pdf(letter), signer=signer)
    except edxml.EdxmlRefused as refusal:
        logger.warning("edXML message refused (%s): %s", refusal.code, refusal.reason)
        with translation.override(settings.LANGUAGE_CODE):
            text = f"{refusal_text(refusal.code)} ({refusal.reason})"
        result = Received(code=refusal.code, reason=text)
        if status_send(
            letter=letter,
            unit=unit,
            code=REFUSED,
            description=text,
            document_id=answer_to[0],
            sender_organ_id=answer_to[1],
        ):
            result.statuses.append(REFUSED)
        return result
    result = Received(entry=entry)
    with translation.override(settings.LANGUAGE_CODE):
        texts = (
            (ARRIVED, _("The letter has arrived.")),
            (
                ACCEPTED,
                _("Entered in the incoming book, arrival number %(n)s/%(year)s.")
                % {"n": entry.arrival_number, "year": entry.year},
            ),
        )
    for code, text in texts:
        if status_send(letter=letter, unit=unit, code=code, description=text):
            result.statuses.append(code)
    for replaced in letter.replacements:
        if not replaced.organ_ids or unit.identifier_code in replaced.organ_ids:
            replaced_take(letter=letter, unit=unit, document_id=replaced.document_id, new=entry)
    return result


# The order a letter goes through at the receiving unit: a status never goes back down (a
# refusal of a copy posted again after a lost reply does not undo the letter's acceptance).
# A recall's answer comes after any of them (the recall is the letter's last step): 13 the
# request taken, then 15 accepted or 16 refused, whatever handling status arrives late.
STATUS_RANK = {"01": 1, "02": 2, "03": 3, "04": 4, "05": 5, "06": 6, "13": 7, "15": 8, "16": 8}


def _status_dispatch(status: edxml.StatusMessage) -> Dispatch:
    """The dispatch of this portal's letter (ResponseFor/DocumentId) to the external unit that
    sent the status (From/OrganId)."""
    response = status.response_for
    try:
        organ_id, day, _number = response.document_id.split(",", 2)
        issued_on = datetime.datetime.strptime(day, "%Y/%m/%d").date()
    except ValueError as exc:
        raise edxml.EdxmlRefused(edxml.MALFORMED, "ResponseFor/DocumentId is malformed") from exc
    candidates = Dispatch.objects.filter(
        directive__issuing_unit__identifier_code=organ_id,
        directive__issued_on=issued_on,
        unit__identifier_code=status.sender.organ_id,
        unit__is_external=True,
    ).select_related("directive", "directive__issuing_unit", "unit")
    for dispatch in candidates:
        if document_id_of(dispatch.directive) == response.document_id:
            return dispatch
    raise edxml.EdxmlRefused(
        edxml.UNKNOWN_ORGAN,
        f"no letter {response.document_id} of this portal went to {status.sender.organ_id}",
    )


def _status_record(status: edxml.StatusMessage, *, signer_sha256: str) -> Received:
    """A status message about one of this portal's letters, from the external unit's system:
    recorded once (an Event per code), the dispatch showing the furthest step. No status is
    sent back for a status, even refused (two portals must not answer each other forever)."""
    code = status.status_code
    try:
        if code not in STATUS_RANK:
            raise edxml.EdxmlRefused(edxml.MALFORMED, f"StatusCode {code!r} is not taken")
        sender_certificate_check(status.sender.organ_id, signer_sha256)
        dispatch = _status_dispatch(status)
        with transaction.atomic():
            dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
            if Event.objects.filter(
                directive=dispatch.directive_id,
                verb="edxml_status",
                unit=dispatch.unit_id,
                data__code=code,
            ).exists():
                raise edxml.EdxmlRefused(edxml.DUPLICATE, f"status {code} was received before")
            event_record(
                directive=dispatch.directive,
                verb="edxml_status",
                by_name="edXML",
                unit=dispatch.unit,
                comment=status.description[:500],
                data={"code": code, "document_id": status.response_for.document_id},
            )
            if STATUS_RANK[code] > STATUS_RANK.get(dispatch.edxml_status, 0):
                dispatch.edxml_status = code
                dispatch.edxml_status_at = timezone.now()
                dispatch.edxml_status_text = status.description[:500]
                dispatch.save(
                    update_fields=["edxml_status", "edxml_status_at", "edxml_status_text"]
                )
    except edxml.EdxmlRefused as refusal:
        logger.warning("edXML status refused (%s): %s", refusal.code, refusal.reason)
        return Received(code=refusal.code, reason=refusal.reason)
    return Received(status=code)


def edxml_inbox_read() -> dict[str, int]:
    """Take every message waiting in the transport's inbox: entered or refused, each once."""
    inbox = transport()
    counts = {"entered": 0, "refused": 0}
    for item in inbox.incoming(max_bytes=settings.EDXML_MAX_BYTES):
        result = edxml_message_receive(data=item.data)
        digest = hashlib.sha256(item.data).hexdigest()[:16]
        if result.refused:
            counts["refused"] += 1
            inbox.done(item, refused_reason=f"{result.code}: {result.reason}")
            logger.info("edXML %s (%s) refused: %s", item.name, digest, result.reason)
        else:
            counts["entered"] += 1
            inbox.done(item)
    return counts
