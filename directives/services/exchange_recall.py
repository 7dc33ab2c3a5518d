"""edXML recall and replacement in (QCVN 102:2016, BussinessDocType 1 and 3): the issuer on
another system withdraws a letter one of the portal's units entered from an edXML message.

The unit's entry of that letter (found by its DocumentId) is closed as a recalled letter of the
portal is: marked recalled with the issuer's reason, no move left on it (`entry_moves`), the
book and the entry's page saying so, the unit's heads told. The issuer hears 13 (the recall
request taken), then 15 (accepted) or 16 (refused: the letter was handled already, its work
cannot be undone). A replacement enters the new letter as any letter and closes the old one
the same way (15 or 16 about the old DocumentId). Decided by the rules, at once: no clerk's
step on the receiving side, as for the 01/03 of a letter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directives.exchange import edxml
from directives.exchange.transport import PeerUnreachable
from directives.models import Event, IncomingEntry
from directives.services.events import event_record
from directives.services.exchange import status_send
from directives.services.notices import people
from recipients.models import Unit

logger = logging.getLogger(__name__)

RECALL_REQUESTED, RECALL_ACCEPTED, RECALL_REFUSED = "13", "15", "16"


@dataclass
class RecallTaken:
    """The entry a recall was about, its outcome (15 or 16; "" for a recall taken before, with
    the `reason`), and the statuses sent back."""

    entry: IncomingEntry
    outcome: str = ""
    reason: str = ""
    statuses: list[str] = field(default_factory=list)


RECALL_VERBS = ("incoming_recalled", "incoming_recall_refused")


def _recall_decided_before(entry: IncomingEntry) -> tuple[str, str] | None:
    """The outcome and its text of a recall of the entry recorded before, if any."""
    event = Event.objects.filter(incoming_entry=entry, verb__in=RECALL_VERBS).first()
    if event is None:
        return None
    return str(event.data.get("code", "")), str(event.data.get("text", ""))


def _recall_decide(*, entry: IncomingEntry, reason: str, verb_data: dict) -> tuple[str, str] | None:
    """Close the entry as recalled (15) or say why it can no longer be (16: handled already);
    inside the caller's transaction, the entry locked. None: a recall of it came before."""
    if _recall_decided_before(entry) is not None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        if entry.handled_at is not None:
            text = _(
                "The letter was handled on %(day)s (arrival number %(n)s/%(year)s); it can no "
                "longer be recalled."
            ) % {
                "day": timezone.localtime(entry.handled_at).strftime("%d/%m/%Y"),
                "n": entry.arrival_number,
                "year": entry.year,
            }
            outcome = RECALL_REFUSED
        else:
            text = _("Recalled: arrival number %(n)s/%(year)s is closed, its handling stopped.") % {
                "n": entry.arrival_number,
                "year": entry.year,
            }
            outcome = RECALL_ACCEPTED
    if outcome == RECALL_ACCEPTED:
        entry.recalled_at = timezone.now()
        entry.recall_reason = reason[:2000]
        entry.save(update_fields=["recalled_at", "recall_reason"])
    event_record(
        directive=None,
        incoming_entry=entry,
        verb="incoming_recalled" if outcome == RECALL_ACCEPTED else "incoming_recall_refused",
        by_name="edXML",
        unit=entry.unit,
        comment=reason[:500],
        data={**verb_data, "code": outcome, "text": text},
    )
    return outcome, text


def _entry_answer(entry: IncomingEntry, code: str, text: str) -> bool:
    """The status `code` about the entry's letter to its issuer, once. An issuer's portal out of
    reach does not undo what was decided: the status goes when the issuer posts the recall
    again (its retry), which finds it decided and sends what did not go."""
    response = edxml.ResponseFor(
        organ_id=entry.edxml_document_id.split(",", 1)[0],
        code=entry.number_symbol,
        promulgation_date=entry.letter_date,
        document_id=entry.edxml_document_id,
    )
    try:
        return status_send(
            letter=None, unit=entry.unit, code=code, description=text, response=response
        )
    except PeerUnreachable as exc:
        logger.warning("edXML status %s for %s not posted: %s", code, response.document_id, exc)
        return False


def _answers(entry: IncomingEntry, decided: tuple[str, str]) -> list[str]:
    """13, then the outcome, each once: the codes that went by this call."""
    with translation.override(settings.LANGUAGE_CODE):
        requested = _("The recall of the letter has arrived.")
    return [
        code
        for code, text in ((RECALL_REQUESTED, requested), decided)
        if code and _entry_answer(entry, code, text)
    ]


def recall_take(*, letter: edxml.LetterMessage, unit: Unit) -> RecallTaken:
    """A recall (BussinessDocType 1) of a letter the unit entered from its DocumentId: the entry
    is closed as recalled and its handling stops (15), unless it was handled already (16);
    13 (the recall request taken) goes first. Only the letter's issuer recalls it: the
    DocumentId's OrganId is the recall's From/OrganId. A recall of a letter never entered
    here is refused (02), nothing saved; the same recall again is a duplicate, answered by
    nothing (the first one's statuses went)."""
    if letter.document_id.split(",", 1)[0] != letter.sender.organ_id:
        raise edxml.EdxmlRefused(
            edxml.UNKNOWN_DOCUMENT,
            f"{letter.sender.organ_id} cannot recall {letter.document_id}, issued by another",
        )
    with transaction.atomic():
        entry = (
            IncomingEntry.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(
                unit=unit,
                edxml_document_id=letter.document_id,
                source=IncomingEntry.Source.EDXML,
                decision=IncomingEntry.Decision.ACCEPTED,
            )
            .first()
        )
        if entry is None:
            raise edxml.EdxmlRefused(
                edxml.UNKNOWN_DOCUMENT, f"DocumentId {letter.document_id} was never entered"
            )
        decided = _recall_decide(
            entry=entry,
            reason=letter.business_doc_reason,
            verb_data={"document_id": letter.document_id, "from": letter.sender.organ_id},
        )
        if decided is None:
            logger.warning("edXML recall of %s taken before", letter.document_id)
            before = _recall_decided_before(entry)
        elif decided[0] == RECALL_ACCEPTED:
            people.entry_heads_notify(entry=entry, occasion=people.RECALLED, by=None)
    if decided is None:
        # A duplicate: refused, but what of the first answer did not go (the issuer's portal
        # was out of reach) goes now; a status that went is never written twice.
        return RecallTaken(
            entry=entry,
            reason=f"the recall of {letter.document_id} was received before",
            statuses=_answers(entry, before) if before else [],
        )
    return RecallTaken(entry=entry, outcome=decided[0], statuses=_answers(entry, decided))


def replaced_take(
    *, letter: edxml.LetterMessage, unit: Unit, document_id: str, new: IncomingEntry
) -> None:
    """A replacement (BussinessDocType 3) entered as `new`: the unit's entry of the letter it
    replaces is closed as a recalled one is (15 about the old letter), unless handled (16). A
    replaced letter never entered here changes nothing (the new one is in the book)."""
    if document_id.split(",", 1)[0] != letter.sender.organ_id:
        return
    with transaction.atomic():
        old = (
            IncomingEntry.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(unit=unit, edxml_document_id=document_id, source=IncomingEntry.Source.EDXML)
            .exclude(pk=new.pk)
            .first()
        )
        if old is None or old.is_refused:
            return
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Replaced by %(new)s (arrival number %(n)s/%(year)s).") % {
                "new": new.number_symbol,
                "n": new.arrival_number,
                "year": new.year,
            }
        decided = _recall_decide(
            entry=old, reason=reason, verb_data={"document_id": document_id, "replaced_by": new.pk}
        )
    if decided is not None:
        _entry_answer(old, *decided)
