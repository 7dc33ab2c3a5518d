"""The clerk numbers an approved letter ("Cấp số") before anyone signs it, and may cancel the
numbering of a letter that is not issued yet.

Numbering takes the register's next number and the date, renders the final letter once and
stores it unsigned: the signer's and the agency's signatures then cover these very bytes, so
the number and date are inside both signed revisions. The rendering happens inside the
numbering transaction: if it fails, the rollback gives the number back.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.documents.revisions import render_numbered_pdf
from directives.documents.symbols import register_kind_for, symbol_for
from directives.errors import TransitionError
from directives.models import (
    ISSUED_STATES,
    SIGNING_STATES,
    Directive,
    RegisterKind,
    RemoteSignature,
)
from directives.services.access import ensure_can_cancel_number, ensure_can_number
from directives.services.drafting import locked
from directives.services.events import event_record
from directives.services.notices import people
from directives.services.register import register_give_back, register_take_next
from directives.workdays import local_today
from recipients.models import User

NUMBERING_FIELDS = [
    "number",
    "register_kind",
    "register_year",
    "symbol",
    "issued_on",
    "numbered_at",
    "signer_signed_at",
    "status",
    "unsigned_pdf",
    "signer_pdf",
    "signature_layout",
    "updated_at",
]


def directive_number(
    *,
    directive: Directive,
    by: User,
    ip: str | None = None,
    on: datetime.date | None = None,
) -> Directive:
    """Give the approved letter its number and date and store its final PDF, unsigned.

    `on` is the register date, today in Asia/Ho_Chi_Minh unless given; only the demo loader
    gives one (the sample letter of 2021)."""
    with transaction.atomic():
        approved = locked(directive)
        if approved.status in (*SIGNING_STATES, *ISSUED_STATES):
            raise TransitionError(
                _("This directive already has its number %(number)s.")
                % {"number": approved.number_symbol}
            )
        if approved.status != Directive.Status.APPROVED:
            raise TransitionError(_("Only an approved directive can be numbered."))
        ensure_can_number(by, approved)
        day = on or local_today()
        approved.register_kind = register_kind_for(approved)
        approved.number = register_take_next(
            unit=approved.issuing_unit, year=day.year, kind=approved.register_kind
        )
        approved.register_year = day.year
        approved.symbol = symbol_for(approved)
        approved.issued_on = day
        approved.numbered_at = timezone.now()
        approved.status = Directive.Status.NUMBERED
        numbered = render_numbered_pdf(approved)
        approved.signature_layout = numbered.layout
        approved.unsigned_pdf.save(approved.pdf_filename, ContentFile(numbered.pdf), save=False)
        try:
            approved.save(update_fields=NUMBERING_FIELDS)
            event = event_record(
                directive=approved,
                verb="numbered",
                by=by,
                ip=ip,
                comment=approved.number_symbol,
                data={"number": approved.number, "symbol": approved.symbol},
            )
            people.directive_people_notify(
                directive=approved, occasion=people.NUMBERED, by=by, key=event.pk
            )
        except Exception:
            approved.unsigned_pdf.delete(save=False)
            raise
    return approved


def directive_number_cancel(*, directive: Directive, by: User, ip: str | None = None) -> Directive:
    """Abandon the signing of a numbered (or signer-signed) letter: it goes back to approved,
    its PDFs are dropped, and its number goes back to the register if it is still the last one
    given, else it stays in the register as a cancelled line."""
    with transaction.atomic():
        current = locked(directive)
        if current.status not in SIGNING_STATES:
            raise TransitionError(
                _("Only a numbered directive that is not issued yet can have its number cancelled.")
            )
        ensure_can_cancel_number(by, current)
        number, symbol, year = current.number, current.number_symbol, current.register_year
        given_back = register_give_back(directive=current, by=by)
        # A remote signature still awaiting confirmation covers the dropped bytes: withdrawn.
        RemoteSignature.objects.filter(directive=current).delete()
        files = [f for f in (current.unsigned_pdf, current.signer_pdf) if f]
        storage = current.unsigned_pdf.storage
        names = [f.name for f in files]
        current.number = None
        current.register_kind = RegisterKind.GENERAL
        current.register_year = None
        current.symbol = ""
        current.issued_on = None
        current.numbered_at = None
        current.signer_signed_at = None
        current.status = Directive.Status.APPROVED
        current.unsigned_pdf = ""
        current.signer_pdf = ""
        current.signature_layout = {}
        current.save(update_fields=NUMBERING_FIELDS)
        event_record(
            directive=current,
            verb="numbering_cancelled",
            by=by,
            ip=ip,
            comment=symbol,
            data={"number": number, "year": year, "given_back": given_back},
        )

        def drop_files() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(drop_files, robust=True)
    return current
