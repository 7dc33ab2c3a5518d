"""The receiving unit's work (văn bản đến, Nghị định 30/2020/NĐ-CP, Điều 20–22): receipt of a
letter of the portal (accept into the incoming book, or refuse with a reason back to the issuer),
and the officer's acknowledgement, which accepts a letter nobody accepted yet. A letter that
arrived from outside the portal (paper, e-mail) is entered by `services/outside.py`.

An accepted letter takes the next arrival number (số đến) of the unit's incoming book for the
calendar year, from 1 on 1 January, inside the accepting transaction and under a row lock on the
unit's `IncomingBook` row: clerks accepting at once queue on that lock, so the numbers run
without gap or repeat, and a failure after the number was taken rolls it back with the rest.
A refusal takes no number. Distribution inside the unit sets the entry's handler afterwards
(`handler_unit`, `handler_user`): the book shows it and the issuer then sees 04.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.errors import PermissionDeniedError, TransitionError
from directives.models import (
    Directive,
    Dispatch,
    IncomingBook,
    IncomingEntry,
)
from directives.selectors.moves import dispatch_moves
from directives.selectors.signatures import directive_pdf_signatures
from directives.services.events import event_record
from directives.services.notices import people
from directives.services.receipts import AckLinkWithdrawn
from directives.workdays import local_today
from recipients.models import Unit, User

NOTE_MAX = 1000


def incoming_number_take(*, unit: Unit, year: int) -> int:
    """The next arrival number of the unit's incoming book for `year`; call inside the
    accepting transaction (the row lock lasts until it ends)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("incoming_number_take must run inside the accepting transaction")
    if not IncomingBook.objects.filter(unit=unit, year=year).exists():
        try:
            # A savepoint: losing the race to create the row must not abort the caller.
            with transaction.atomic():
                IncomingBook.objects.create(unit=unit, year=year)
        except IntegrityError:
            pass
    book = IncomingBook.objects.select_for_update().get(unit=unit, year=year)
    book.last_number += 1
    book.save(update_fields=["last_number"])
    return book.last_number


def _locked_dispatch(dispatch: Dispatch) -> Dispatch:
    return (
        Dispatch.objects.select_for_update()
        .select_related("directive", "directive__issuing_unit", "unit")
        .get(pk=dispatch.pk)
    )


def _decided_already(dispatch: Dispatch) -> None:
    entry = IncomingEntry.objects.filter(dispatch=dispatch).first()
    if entry is None:
        return
    if entry.is_refused:
        raise TransitionError(_("Your unit has already refused this letter."))
    raise TransitionError(
        _("This letter is already in the incoming book under arrival number %(n)s/%(year)s.")
        % {"n": entry.arrival_number, "year": entry.year}
    )


def _letter_fields(dispatch: Dispatch) -> dict:
    """The letter as the book records it: a snapshot of the directive."""
    d = dispatch.directive
    return {
        "issuer_name": d.issuing_unit.name,
        "number": d.number_display,
        "symbol": d.symbol,
        "letter_date": d.issued_on,
        "doc_type_name": "Công văn" if d.is_cong_van else d.type_title.capitalize(),
        "subject": d.subject,
    }


@dataclass(frozen=True)
class SignatureFinding:
    valid: bool | None  # None: no signed PDF to check (a letter signed on paper)
    problems: list[str]


def _signatures_on_receipt(dispatch: Dispatch) -> SignatureFinding:
    """The letter's signatures checked from its PDF (cached by its hash)."""
    report = directive_pdf_signatures(dispatch.directive)
    if report is None:
        return SignatureFinding(None, [])
    return SignatureFinding(report.valid, [str(p) for p in report.problems])


def person_name(by: User) -> str:
    return (by.get_full_name() or by.username)[:150]


def _acknowledge_locked(
    current: Dispatch, *, person: User | None, name: str, ip: str | None, now
) -> None:
    """Record on the locked dispatch that the unit received the PDF it was sent."""
    directive = current.directive
    current.acknowledged_at = now
    current.acknowledged_by = person
    current.acknowledged_by_name = name
    current.acknowledged_ip = ip or None
    current.acknowledged_pdf_sha256 = directive.pdf_sha256
    fields = [
        "acknowledged_at",
        "acknowledged_by",
        "acknowledged_by_name",
        "acknowledged_ip",
        "acknowledged_pdf_sha256",
    ]
    if current.seen_at is None:
        current.seen_at, current.seen_by = now, person
        fields += ["seen_at", "seen_by"]
    current.save(update_fields=fields)
    event_record(
        directive=directive,
        verb="acknowledged",
        by=person,
        by_name=name,
        unit=current.unit,
        ip=ip,
        data={"dispatch": current.pk, "pdf_sha256": directive.pdf_sha256},
    )


def _accept_locked(
    current: Dispatch,
    *,
    person: User | None,
    name: str,
    note: str,
    ip: str | None,
    finding: SignatureFinding,
) -> IncomingEntry:
    """Into the book, on the locked dispatch: the next arrival number under the book's lock,
    the entry, the acknowledgement if nobody had made it, the events, the heads told."""
    now = timezone.now()
    year = local_today(now).year
    number = incoming_number_take(unit=current.unit, year=year)
    entry = IncomingEntry.objects.create(
        unit=current.unit,
        dispatch=current,
        source=IncomingEntry.Source.PORTAL,
        decision=IncomingEntry.Decision.ACCEPTED,
        year=year,
        arrival_number=number,
        arrived_at=now,
        signatures_valid=finding.valid,
        signature_problems=finding.problems,
        note=note,
        received_by=person,
        received_by_name=name,
        **_letter_fields(current),
    )
    if current.acknowledged_at is None:
        _acknowledge_locked(current, person=person, name=name, ip=ip, now=now)
    event_record(
        directive=current.directive,
        incoming_entry=entry,
        verb="incoming_accepted",
        by=person,
        by_name=name,
        unit=current.unit,
        ip=ip,
        comment=note,
        data={
            "dispatch": current.pk,
            "arrival_number": number,
            "year": year,
            "signatures_valid": finding.valid,
        },
    )
    people.entry_heads_notify(entry=entry, occasion=people.ARRIVED, by=person)
    return entry


def dispatch_accept(
    *, dispatch: Dispatch, by: User, note: str = "", ip: str | None = None
) -> IncomingEntry:
    """Accept the letter into the receiving unit's incoming book (tiếp nhận): the book's next
    arrival number of the year, today's date, the signatures as the portal found them; receipt
    is acknowledged to the issuer too if nobody had."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX}
        )
    finding = _signatures_on_receipt(dispatch)  # read-only, before the locks
    with transaction.atomic():
        current = _locked_dispatch(dispatch)
        _decided_already(current)
        if not dispatch_moves(dispatch=current, user=by).accept:
            if current.directive.status != current.directive.Status.ISSUED:
                raise TransitionError(
                    _("This letter has been recalled or replaced; it cannot be accepted.")
                )
            raise PermissionDeniedError(
                _("Only the receiving unit's clerk or officers can accept this letter.")
            )
        return _accept_locked(
            current, person=by, name=person_name(by), note=note, ip=ip, finding=finding
        )


def dispatch_acknowledge(
    *,
    dispatch: Dispatch,
    by: User | None = None,
    by_name: str = "",
    ip: str | None = None,
) -> Dispatch:
    """Record that the unit received the directive: who, when, from where, which PDF. The
    first acknowledgement of a letter nobody accepted or refused yet also accepts it into the
    unit's incoming book (the next arrival number, as `dispatch_accept` takes it, under the
    same lock), so an officer's one step, or the e-mail's one-click link, is a receipt the
    issuer sees as 03.

    Idempotent: a second acknowledgement of the same PDF changes nothing and writes no event.
    """
    undecided = not IncomingEntry.objects.filter(dispatch_id=dispatch.pk).exists()
    finding = _signatures_on_receipt(dispatch) if undecided else SignatureFinding(None, [])
    with transaction.atomic():
        # The row lock serialises two clicks on the same link (or link + inbox button), and an
        # acknowledgement with the clerk's acceptance.
        current = _locked_dispatch(dispatch)
        directive = current.directive
        if directive.status != Directive.Status.ISSUED:
            raise AckLinkWithdrawn(current)
        if (
            current.acknowledged_at is not None
            and current.acknowledged_pdf_sha256 == directive.pdf_sha256
        ):
            return current
        person = by if by is not None and by.is_authenticated else None
        # A person signed in acknowledges through their unit's move; a link holder through the
        # token the e-mail carried (checked by ack_token_read).
        if person is not None and not dispatch_moves(dispatch=current, user=person).acknowledge:
            raise PermissionDeniedError(
                _("Only officers of the receiving unit can acknowledge receipt.")
            )
        name = (by_name or (str(person) if person else "")).strip()[:150]
        if IncomingEntry.objects.filter(dispatch_id=current.pk).exists():
            _acknowledge_locked(current, person=person, name=name, ip=ip, now=timezone.now())
            return current
        if not undecided:
            finding = _signatures_on_receipt(current)  # decided, then undone meanwhile: rare
        _accept_locked(current, person=person, name=name, note="", ip=ip, finding=finding)
    return current


def dispatch_refuse(
    *, dispatch: Dispatch, by: User, reason: str, comment: str = "", ip: str | None = None
) -> IncomingEntry:
    """Refuse the letter with a reason (sent to the wrong unit, invalid signature, other): it
    takes no arrival number, the issuer sees 02 and the reason, the unit's tasks of it stop."""
    comment = (comment or "").strip()
    if reason not in IncomingEntry.RefusalReason.values:
        raise ValidationError(_("Choose why the letter is refused."))
    if reason == IncomingEntry.RefusalReason.OTHER and not comment:
        raise ValidationError(_("Say why the letter is refused."))
    if len(comment) > NOTE_MAX:
        raise ValidationError(
            _("The reason is too long (at most %(n)d characters).") % {"n": NOTE_MAX}
        )
    finding = _signatures_on_receipt(dispatch)
    with transaction.atomic():
        current = _locked_dispatch(dispatch)
        _decided_already(current)
        if not dispatch_moves(dispatch=current, user=by).refuse:
            if current.directive.status != current.directive.Status.ISSUED:
                raise TransitionError(
                    _("This letter has been recalled or replaced; it cannot be refused.")
                )
            raise PermissionDeniedError(
                _("Only the receiving unit's clerk or officers can refuse this letter.")
            )
        entry = IncomingEntry.objects.create(
            unit=current.unit,
            dispatch=current,
            source=IncomingEntry.Source.PORTAL,
            decision=IncomingEntry.Decision.REFUSED,
            arrived_at=timezone.now(),
            signatures_valid=finding.valid,
            signature_problems=finding.problems,
            refusal_reason=reason,
            refusal_comment=comment,
            received_by=by,
            received_by_name=person_name(by),
            **_letter_fields(current),
        )
        event_record(
            directive=current.directive,
            incoming_entry=entry,
            verb="incoming_refused",
            by=by,
            unit=current.unit,
            ip=ip,
            comment=" — ".join(p for p in (entry.get_refusal_reason_display(), comment) if p),
            data={"dispatch": current.pk, "reason": reason},
        )
    return entry
