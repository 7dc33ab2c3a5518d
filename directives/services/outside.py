"""A letter that arrived from outside the portal (on paper, by e-mail), entered in the
receiving unit's incoming book by its clerk with its scanned PDF: it takes the book's next
arrival number like a letter of the portal accepted (`incoming_number_take`, under the same
lock); the same issuer, number, symbol and date entered before is warned about."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import check_upload
from directives.errors import DirectiveError, PermissionDeniedError
from directives.models import DOCUMENT_TYPE_TITLES, DocumentType, IncomingEntry
from directives.selectors.incoming import incoming_duplicates
from directives.selectors.moves import can_receive_for
from directives.services.events import event_record
from directives.services.incoming import NOTE_MAX, incoming_number_take, person_name
from directives.workdays import local_today
from recipients.models import Unit, User

OUTSIDE_SOURCES = (IncomingEntry.Source.PAPER, IncomingEntry.Source.EMAIL)


class DuplicateLetterWarning(DirectiveError):
    """The same issuer, number, symbol and date are in the book already; `existing` lists them.
    The clerk may confirm to enter the letter anyway."""

    def __init__(self, message, existing: list[IncomingEntry]) -> None:
        super().__init__(message)
        self.existing = existing


def _clean_outside(
    *,
    issuer_name: str,
    number: str,
    symbol: str,
    letter_date: datetime.date | None,
    subject: str,
    source: str,
) -> tuple[str, str, str, str]:
    issuer_name, number = (issuer_name or "").strip(), (number or "").strip()
    symbol, subject = (symbol or "").strip(), (subject or "").strip()
    if source not in OUTSIDE_SOURCES:
        raise ValidationError(_("Say how the letter arrived: on paper or by e-mail."))
    if not issuer_name:
        raise ValidationError(_("Enter the issuer of the letter."))
    if not subject:
        raise ValidationError(_("Enter the subject of the letter."))
    if letter_date is None:
        raise ValidationError(_("Enter the date of the letter."))
    if letter_date > local_today():
        raise ValidationError(_("The date of the letter cannot be in the future."))
    if number and not number.isdigit():
        raise ValidationError(_("The number of the letter is digits only, e.g. 1038."))
    return issuer_name, number, symbol, subject


def outside_letter_enter(
    *,
    by: User,
    unit: Unit,
    source: str,
    issuer_name: str,
    number: str,
    symbol: str,
    letter_date: datetime.date | None,
    subject: str,
    scan: UploadedFile,
    doc_type: str = "",
    note: str = "",
    confirm_duplicate: bool = False,
    ip: str | None = None,
) -> IncomingEntry:
    """Enter in the unit's incoming book a letter that arrived on paper or by e-mail, with its
    scanned PDF (checked by content and size). The same issuer, number, symbol and date entered
    before raise DuplicateLetterWarning unless the clerk confirms."""
    issuer_name, number, symbol, subject = _clean_outside(
        issuer_name=issuer_name,
        number=number,
        symbol=symbol,
        letter_date=letter_date,
        subject=subject,
        source=source,
    )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX}
        )
    if doc_type and doc_type not in DocumentType.values:
        raise ValidationError(_("Choose the type of the letter from the list."))
    if not can_receive_for(by, unit.pk):
        raise PermissionDeniedError(_("You do not keep the incoming book of this unit."))
    if scan is None:
        raise ValidationError(_("Attach the scanned letter (PDF)."))
    checked = check_upload(scan, allowed=("pdf",))
    type_name = DOCUMENT_TYPE_TITLES.get(doc_type, "").capitalize() or "Công văn"
    with transaction.atomic():
        now = timezone.now()
        year = local_today(now).year
        # The book's lock first: two clerks entering the same letter at once queue here, and
        # the second one sees the first one's entry.
        number_taken = incoming_number_take(unit=unit, year=year)
        existing = incoming_duplicates(
            unit=unit,
            issuer_name=issuer_name,
            number=number,
            symbol=symbol,
            letter_date=letter_date,
        )
        if existing and not confirm_duplicate:
            raise DuplicateLetterWarning(
                _(
                    "This letter seems to be in the book already: %(entries)s. Check it; if it "
                    "is another letter, confirm to enter it."
                )
                % {
                    "entries": ", ".join(
                        _("arrival number %(n)s/%(year)s") % {"n": e.arrival_number, "year": e.year}
                        for e in existing
                    )
                },
                existing,
            )  # the rollback gives the number back
        entry = IncomingEntry(
            unit=unit,
            source=source,
            decision=IncomingEntry.Decision.ACCEPTED,
            year=year,
            arrival_number=number_taken,
            arrived_at=now,
            issuer_name=issuer_name[:255],
            number=number,
            symbol=symbol[:64],
            letter_date=letter_date,
            doc_type_name=type_name,
            subject=subject,
            note=note,
            scan_name=(scan.name or "scan.pdf")[:255],
            scan_size=checked.size,
            scan_sha256=checked.sha256,
            received_by=by,
            received_by_name=person_name(by),
        )
        entry.scan.save(f"{unit.code}-{year}-{number_taken}.pdf", scan, save=False)
        try:
            entry.save()
            event_record(
                directive=None,
                incoming_entry=entry,
                verb="incoming_entered",
                by=by,
                unit=unit,
                ip=ip,
                comment=entry.number_symbol,
                data={
                    "arrival_number": number_taken,
                    "year": year,
                    "source": source,
                    "duplicate_of": [e.pk for e in existing],
                    "scan_sha256": checked.sha256,
                },
            )
        except Exception:
            entry.scan.delete(save=False)  # a refused entry must not keep its file
            raise
    return entry
