"""edXML out (QCVN 102:2016): an issued letter to each external unit that has an identifier code
(mã định danh), and the receiving unit's status messages back to an issuer on another system.

The letter goes once its signed PDF is ready (the fan-out enqueues `jobs.edxml_send_enqueue`):
one message per external unit, signed with the issuing unit's key, written by the transport
under a name made of its DocumentId and the unit's identifier code. The transport writes a
name once only, so a job run twice (a retry, a second worker, the sweep) sends nothing twice.
The fields are mapped in docs/edxml.md.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Callable
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.documents.keys import SigningKeyError, unit_key
from directives.documents.signing import SigningKey, SigningNotConfigured, signing_key_for
from directives.exchange import edxml
from directives.exchange.transport import PeerRefused, PeerUnreachable, message_name, transport
from directives.models import AttachmentSeal, Directive, Dispatch, IncomingEntry, Task, Urgency
from directives.services.events import event_record
from directives.services.notices.withdrawal import withdrawal_of
from recipients.models import Unit

logger = logging.getLogger(__name__)

# OtherInfo/Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc.
PRIORITY = {Urgency.NORMAL: "0", Urgency.URGENT: "1", Urgency.VERY_URGENT: "2", Urgency.FLASH: "3"}
COMPETENCE = {"TM": "TM.", "TM_KT": "TM.", "KT": "KT.", "TL": "TL.", "TUQ": "TUQ.", "Q": "Q."}


def organ_of(unit: Unit) -> edxml.Organ:
    parent = unit.parent.name if unit.parent_id else ""
    emails = [e.strip() for e in (unit.contact_emails or "").split(",") if e.strip()]
    return edxml.Organ(
        organ_id=unit.identifier_code,
        organ_name=unit.name,
        organization_in_charge=parent,
        email=emails[0] if emails else "",
    )


def document_id_of(directive: Directive) -> str:
    return edxml.document_id_for(
        organ_id=directive.issuing_unit.identifier_code,
        on=directive.issued_on,
        number=directive.number_display,
        notation=directive.symbol,
    )


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _page_count(pdf: bytes) -> int:
    try:
        return int(PdfFileReader(BytesIO(pdf), strict=False).root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 - the count is information, never a reason to stop
        return 0


def _attachments(directive: Directive, pdf: bytes) -> tuple[edxml.EdxmlAttachment, ...]:
    """The signed letter first, then each attachment as the agency sealed it."""
    files = [
        edxml.EdxmlAttachment(
            name=directive.pdf_filename,
            content_type="application/pdf",
            data=pdf,
            description=directive.subject[:255],
        )
    ]
    for item in directive.attachments.select_related("seal").order_by("pk"):
        seal = getattr(item, "seal", None)
        if seal is not None and seal.kind == AttachmentSeal.Kind.PADES:
            files.append(edxml.EdxmlAttachment(seal.name, "application/pdf", _read(seal.file)))
            continue
        files.append(edxml.EdxmlAttachment(item.name, item.content_type, _read(item.file)))
        if seal is not None:
            files.append(
                edxml.EdxmlAttachment(seal.name, "application/pkcs7-signature", _read(seal.file))
            )
    return tuple(files)


def _to_places(directive: Directive) -> tuple[str, ...]:
    lines = [a.printed_label for a in directive.addressees.select_related("unit", "group")]
    lines += [c.label for c in directive.copy_recipients.all()]
    return tuple(line for line in lines if line)


def _due_date(directive: Directive, unit: Unit) -> datetime.date | None:
    """The earliest deadline of the unit's tasks in the letter."""
    deadlines = Task.objects.filter(
        directive=directive, assignments__dispatch__unit=unit, deadline__isnull=False
    ).values_list("deadline", flat=True)
    return min(deadlines, default=None)


def letter_message_for(
    directive: Directive,
    unit: Unit,
    *,
    pdf: bytes,
    replaces: tuple[edxml.ReplacementInfo, ...] = (),
) -> edxml.LetterMessage:
    """The edXML letter of an issued directive to one external unit: a new letter, or a
    replacement (BussinessDocType 3) of the letters in `replaces` that went to the unit."""
    issuer = directive.issuing_unit
    clerk_event = directive.events.filter(verb="issued").select_related("actor").first()
    staff = edxml.Staff(
        department=issuer.name,
        staff=(clerk_event.actor_name if clerk_event else ""),
        email=organ_of(issuer).email,
    )
    has_tasks = directive.tasks.exists()
    return edxml.LetterMessage(
        sender=organ_of(issuer),
        recipients=(organ_of(unit),),
        document_id=document_id_of(directive),
        code_number=directive.number_display,
        code_notation=directive.symbol,
        place=directive.place,
        promulgation_date=directive.issued_on,
        type="2" if directive.is_normative else "1",
        type_detail=directive.doc_type,
        type_name="Công văn" if directive.is_cong_van else directive.type_title.capitalize(),
        subject=directive.subject,
        timestamp=(directive.issued_at or timezone.now()).replace(microsecond=0),
        content=directive.body,
        signer_competence=" ".join(
            p for p in (COMPETENCE.get(directive.signing_authority, ""), directive.head_title) if p
        ),
        signer_position=directive.signer_title,
        signer_full_name=directive.signer_name,
        due_date=_due_date(directive, unit),
        to_places=_to_places(directive),
        priority=PRIORITY.get(directive.urgency, "0"),
        typer_notation=directive.drafter_initials,
        promulgation_amount=directive.copies,
        page_amount=_page_count(pdf),
        steering_type="1" if has_tasks else "0",
        business_doc_type=edxml.REPLACE if replaces else edxml.NEW,
        business_doc_reason=(
            _replacement_reason(directive.replaces) if replaces and directive.replaces else ""
        ),
        staff=staff,
        replacements=replaces,
        attachments=_attachments(directive, pdf),
    )


def _replacement_reason(old: Directive) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(_REPLACES) % {"old": old.number_symbol}


_REPLACES = gettext_lazy("Replaces letter %(old)s.")


def recall_message_for(directive: Directive, unit: Unit, *, pdf: bytes) -> edxml.LetterMessage:
    """The recall (BussinessDocType 1) of a letter that went to the unit: the letter's own
    header (its DocumentId above all), the clerk's reason, no file."""
    message = letter_message_for(directive, unit, pdf=pdf)
    when = directive.recalled_at or directive.updated_at or timezone.now()
    reason = directive.recall_reason
    if directive.status == Directive.Status.REPLACED:
        new = withdrawal_of(directive)
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(_REPLACED_BY) % {"new": new.number_symbol if new else ""}
    return dataclasses.replace(
        message,
        business_doc_type=edxml.RECALL,
        business_doc_reason=reason,
        timestamp=when.replace(microsecond=0),
        attachments=(),
    )


_REPLACED_BY = gettext_lazy("Replaced by letter %(new)s, which is not sent to this unit.")


def edxml_units(directive: Directive) -> list[Unit]:
    """The external units of the letter reached by edXML: those with an identifier code."""
    return [
        d.unit
        for d in Dispatch.objects.filter(
            directive=directive, unit__is_external=True, unit__is_active=True
        )
        .exclude(unit__identifier_code="")
        .select_related("unit", "unit__parent")
        .order_by("unit__sort_order", "unit__name")
    ]


def letter_message_name(directive: Directive, unit: Unit) -> str:
    return message_name(document_id_of(directive), unit.identifier_code)


def recall_message_name(directive: Directive, unit: Unit) -> str:
    return message_name(document_id_of(directive), unit.identifier_code, "recall")


def _issued_letter(directive_id: int, statuses: tuple[str, ...]) -> Directive | None:
    """The letter if it is in one of `statuses`, has its signed PDF and an issuing unit with
    an identifier code (the last missing is logged for the administrator)."""
    directive = (
        Directive.objects.select_related("issuing_unit", "issuing_unit__parent", "replaces")
        .filter(pk=directive_id)
        .first()
    )
    if directive is None or directive.status not in statuses:
        return None
    if directive.pdf_status != Directive.PdfStatus.READY or not directive.pdf:
        return None
    if not directive.issuing_unit.identifier_code:
        if edxml_units(directive):
            logger.error(
                "Directive %s not sent by edXML: unit %s has no identifier code",
                directive.pk,
                directive.issuing_unit.code,
            )
        return None
    return directive


def _send_each(
    directive: Directive,
    units: list[Unit],
    *,
    name: Callable[[Directive, Unit], str],
    build: Callable[[Unit, bytes], edxml.LetterMessage],
    verb: str,
) -> int:
    """Write one signed message per unit through the transport, each once: the number written
    by this call. A peer out of reach for one unit does not hold the others back; the job's
    backoff retries it (PeerUnreachable raised at the end)."""
    out = transport()
    waiting = [u for u in units if not out.sent(name(directive, u))]
    if not waiting:
        return 0
    pdf = _read(directive.pdf)
    written = 0
    unreachable: PeerUnreachable | None = None
    with unit_key(unit=directive.issuing_unit) as key:
        for unit in waiting:
            message = build(unit, pdf)
            data = edxml.message_sign(edxml.letter_build(message), key=key)
            try:
                if not out.send(name(directive, unit), data, to=unit.identifier_code):
                    continue
            except PeerRefused as refusal:  # for good: kept under outbox/refused/, not retried
                logger.error("edXML %s refused by %s: %s", directive.pk, unit.code, refusal)
                continue
            except PeerUnreachable as exc:  # the others go; the job's backoff retries this one
                logger.warning("edXML %s to %s not posted: %s", directive.pk, unit.code, exc)
                unreachable = unreachable or exc
                continue
            written += 1
            with transaction.atomic():
                event_record(
                    directive=directive,
                    verb=verb,
                    unit=unit,
                    data={
                        "document_id": message.document_id,
                        "to": unit.identifier_code,
                        "type": message.business_doc_type,
                    },
                )
    if unreachable is not None:
        raise unreachable
    return written


def _replaces_for(directive: Directive, unit: Unit) -> tuple[edxml.ReplacementInfo, ...]:
    """The letter `directive` replaces, when that one went to the unit by edXML."""
    old = directive.replaces
    if old is None or not old.issuing_unit.identifier_code or old.issued_on is None:
        return ()
    if not transport().sent(letter_message_name(old, unit)):
        return ()
    return (edxml.ReplacementInfo(document_id_of(old), (unit.identifier_code,)),)


def directive_edxml_send(*, directive_id: int) -> int:
    """Write the letter's edXML message for each of its external units once; the number of
    messages written by this call. A letter not issued, without a ready PDF, or whose issuing
    unit has no identifier code sends nothing. A replacement goes as BussinessDocType 3 to the
    units that had the letter it replaces by edXML. A letter recalled while this ran: the
    units it reached hear of the recall at once."""
    directive = _issued_letter(directive_id, (Directive.Status.ISSUED,))
    if directive is None:
        return 0
    written = _send_each(
        directive,
        edxml_units(directive),
        name=letter_message_name,
        build=lambda unit, pdf: letter_message_for(
            directive, unit, pdf=pdf, replaces=_replaces_for(directive, unit)
        ),
        verb="edxml_sent",
    )
    if (
        written
        and not Directive.objects.filter(pk=directive_id, status=Directive.Status.ISSUED).exists()
    ):
        directive_edxml_recall_send(directive_id=directive_id)
    return written


def recall_units(directive: Directive) -> list[Unit]:
    """The external units the letter went to by edXML (the transport's record says so) and
    that must hear of its recall: for a replaced letter, those the replacement does not reach
    by edXML (the replacement itself tells the others)."""
    out = transport()
    units = [u for u in edxml_units(directive) if out.sent(letter_message_name(directive, u))]
    if directive.status == Directive.Status.REPLACED:
        new = withdrawal_of(directive)
        reached = {u.pk for u in edxml_units(new)} if new is not None else set()
        units = [u for u in units if u.pk not in reached]
    return units


def directive_edxml_recall_send(*, directive_id: int) -> int:
    """Tell each external unit that had the letter by edXML that it is recalled (a message
    with BussinessDocType 1 and its DocumentId), once per unit; the number written."""
    directive = _issued_letter(directive_id, (Directive.Status.RECALLED, Directive.Status.REPLACED))
    if directive is None:
        return 0
    return _send_each(
        directive,
        recall_units(directive),
        name=recall_message_name,
        build=lambda unit, pdf: recall_message_for(directive, unit, pdf=pdf),
        verb="edxml_recall_sent",
    )


# --- status messages --------------------------------------------------------------------------


def _status_key(unit: Unit | None) -> SigningKey:
    if unit is not None:
        return unit_key(unit=unit)
    return signing_key_for("")  # the portal's own key (SIGNING_P12)


def status_send(
    *,
    letter: edxml.LetterMessage | None,
    unit: Unit | None,
    code: str,
    description: str,
    document_id: str = "",
    sender_organ_id: str = "",
    response: edxml.ResponseFor | None = None,
) -> bool:
    """Write a signed status message (StatusCode `code`) back to the letter's issuer, once per
    letter, unit and code; False when there is nobody to answer (the sender is unknown), no key
    to sign with, or that status went already."""
    if response is None:
        response = edxml.ResponseFor(
            organ_id=letter.sender.organ_id if letter else sender_organ_id,
            code=f"{letter.code_number}/{letter.code_notation}" if letter else "",
            promulgation_date=letter.promulgation_date if letter else None,
            document_id=letter.document_id if letter else document_id,
        )
    if not response.document_id or not response.organ_id:
        return False
    sender = organ_of(unit) if unit is not None else edxml.Organ(organ_id="")
    message = edxml.StatusMessage(
        sender=sender,
        response_for=response,
        status_code=code,
        description=description,
        timestamp=timezone.now().replace(microsecond=0),
        staff=edxml.Staff(department=unit.name if unit else "", email=sender.email),
    )
    name = message_name(response.document_id, sender.organ_id or "portal", f"status-{code}")
    out = transport()
    if out.sent(name):
        return False
    try:
        with _status_key(unit) as key:
            data = edxml.message_sign(edxml.status_build(message), key=key)
    except (SigningKeyError, SigningNotConfigured) as exc:
        logger.error("edXML status %s for %s not signed: %s", code, response.document_id, exc)
        return False
    try:
        return out.send(name, data, to=response.organ_id)
    except PeerRefused as refusal:
        logger.error("edXML status %s for %s refused: %s", code, response.document_id, refusal)
        return False


def incoming_entry_status_send(*, entry_id: int, code: str) -> bool:
    """The status `code` of an entry that came by edXML, back to its issuer (04 once the head
    assigned it: the handler named in the Description)."""
    entry = (
        IncomingEntry.objects.select_related("unit", "handler_unit", "handler_user")
        .filter(pk=entry_id, source=IncomingEntry.Source.EDXML)
        .exclude(edxml_document_id="")
        .first()
    )
    if entry is None or code not in STATUS_TEXTS:
        return False
    handler = entry.handler_unit or entry.handler_user
    handler_name = (
        (handler.get_full_name() or handler.username) if entry.handler_user else str(handler or "")
    )
    with translation.override(settings.LANGUAGE_CODE):
        description = str(STATUS_TEXTS[code]) % {"handler": handler_name}
    response = edxml.ResponseFor(
        organ_id=entry.edxml_document_id.split(",", 1)[0],
        code=entry.number_symbol,
        promulgation_date=entry.letter_date,
        document_id=entry.edxml_document_id,
    )
    return status_send(
        letter=None, unit=entry.unit, code=code, description=description, response=response
    )


STATUS_TEXTS = {
    "04": gettext_lazy("Assigned inside the unit to %(handler)s."),
    "05": gettext_lazy("%(handler)s has started handling the letter."),
    "06": gettext_lazy("The letter has been handled."),
}
