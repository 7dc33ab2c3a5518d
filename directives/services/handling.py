"""A letter handled inside the receiving unit as a whole (Nghị định 30/2020/NĐ-CP, Điều 24): a
letter that gives the unit no task (for information, to carry out without a report) does not
stop once the head assigned it. Its handler starts (the issuer sees 05), then marks it handled
with a short text for the head; the head approves (the letter is done: 06) or returns it with a
reason. Also the first opening of a letter by its handler, the book's "ký nhận".

Every function is one transaction, checks its move in `selectors/moves.py` and writes an Event.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directives import jobs
from directives.errors import PermissionDeniedError
from directives.models import Assignment, Event, IncomingEntry
from directives.selectors.moves import entry_moves, handles
from directives.services.events import event_record
from directives.services.notices import people
from recipients.models import User

HANDLED_MAX = 2000


def _lock(entry: IncomingEntry) -> IncomingEntry:
    return (
        # The dispatch is an outer join (a letter from outside has none): lock the row itself.
        IncomingEntry.objects.select_for_update(of=("self",))
        .select_related("unit", "dispatch", "dispatch__directive")
        .get(pk=entry.pk)
    )


def _record(
    entry: IncomingEntry, *, verb: str, by: User, ip: str | None, comment: str = ""
) -> Event:
    return event_record(
        directive=entry.dispatch.directive if entry.dispatch_id else None,
        incoming_entry=entry,
        verb=verb,
        by=by,
        unit=entry.unit,
        ip=ip,
        comment=comment,
        data={"entry": entry.pk},
    )


def _edxml_status(entry: IncomingEntry, code: str) -> None:
    """A letter that came by edXML: its issuer, on another system, hears of the step."""
    if entry.source == IncomingEntry.Source.EDXML:
        entry_id = entry.pk
        transaction.on_commit(lambda: jobs.edxml_status_enqueue(entry_id, code))


def incoming_entry_start(*, entry: IncomingEntry, by: User, ip: str | None = None) -> IncomingEntry:
    """The handler starts on a letter with no task for the unit: the issuer sees 05."""
    with transaction.atomic():
        entry = _lock(entry)
        if not entry_moves(entry=entry, user=by).start:
            raise PermissionDeniedError(
                _("Only the handler of this letter can start on it, once, until it is handled.")
            )
        entry.handling_started_at = timezone.now()
        entry.save(update_fields=["handling_started_at"])
        _record(entry, verb="incoming_started", by=by, ip=ip)
        _edxml_status(entry, "05")
    return entry


def incoming_entry_mark_handled(
    *, entry: IncomingEntry, by: User, text: str, ip: str | None = None
) -> IncomingEntry:
    """The handler says how the letter was handled; it goes to the head for review."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Say in a few words how the letter was handled."))
    if len(text) > HANDLED_MAX:
        raise ValidationError(
            _("The text is too long (at most %(n)d characters).") % {"n": HANDLED_MAX}
        )
    with transaction.atomic():
        entry = _lock(entry)
        if not entry_moves(entry=entry, user=by).mark_handled:
            raise PermissionDeniedError(
                _("Only the handler of this letter can mark it handled, until it is reviewed.")
            )
        now = timezone.now()
        if entry.handling_started_at is None:
            entry.handling_started_at = now
        entry.handler_report = text
        entry.handler_reported_at, entry.handler_reported_by = now, by
        entry.head_review = IncomingEntry.HeadReview.WAITING
        entry.save(
            update_fields=[
                "handling_started_at",
                "handler_report",
                "handler_reported_at",
                "handler_reported_by",
                "head_review",
            ]
        )
        _record(entry, verb="incoming_marked_handled", by=by, ip=ip, comment=text)
        _edxml_status(entry, "05")  # sent once: nothing if the start said it already
        people.entry_heads_notify(
            entry=entry, occasion=people.REVIEW, by=by, key=f"entry:{now:%s%f}"
        )
    return entry


def incoming_entry_head_approve(
    *, entry: IncomingEntry, by: User, ip: str | None = None
) -> IncomingEntry:
    """The head approves the handler's account: the letter is done (the issuer sees 06)."""
    with transaction.atomic():
        entry = _lock(entry)
        if not entry_moves(entry=entry, user=by).head_approve:
            raise PermissionDeniedError(
                _("Only the head of the unit can review a letter waiting for review.")
            )
        entry.handled_at, entry.handled_approved_by = timezone.now(), by
        entry.head_review = IncomingEntry.HeadReview.NONE
        entry.head_comment = ""
        entry.save(
            update_fields=["handled_at", "handled_approved_by", "head_review", "head_comment"]
        )
        _record(entry, verb="incoming_handled", by=by, ip=ip, comment=entry.handler_report)
        _edxml_status(entry, "06")
    return entry


def incoming_entry_head_return(
    *, entry: IncomingEntry, by: User, reason: str, ip: str | None = None
) -> IncomingEntry:
    """The head returns the handler's account with a reason: back to the handler."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say what the handler should complete or correct."))
    if len(reason) > HANDLED_MAX:
        raise ValidationError(
            _("The text is too long (at most %(n)d characters).") % {"n": HANDLED_MAX}
        )
    with transaction.atomic():
        entry = _lock(entry)
        if not entry_moves(entry=entry, user=by).head_return:
            raise PermissionDeniedError(
                _("Only the head of the unit can review a letter waiting for review.")
            )
        entry.head_review = IncomingEntry.HeadReview.RETURNED
        entry.head_comment = reason
        entry.save(update_fields=["head_review", "head_comment"])
        _record(entry, verb="incoming_returned_by_head", by=by, ip=ip, comment=reason)
    return entry


def incoming_entry_mark_opened(*, entry: IncomingEntry, by: User) -> bool:
    """The first time a handler of the letter (its own, or one of its tasks') opens it inside
    the unit: the book's "ký nhận" (who and when). True when this call recorded it."""
    if entry.handler_opened_at is not None:
        return False
    tasks = Assignment.objects.filter(dispatch_id=entry.dispatch_id) if entry.dispatch_id else []
    named = handles(by, entry) or any(handles(by, a) for a in tasks)
    if not named:
        return False
    with transaction.atomic():
        now = timezone.now()
        # Conditional update: of two simultaneous first openings, only one is recorded.
        updated = IncomingEntry.objects.filter(pk=entry.pk, handler_opened_at__isnull=True).update(
            handler_opened_at=now, handler_opened_by=by
        )
        if updated:
            entry.handler_opened_at, entry.handler_opened_by = now, by
            _record(entry, verb="incoming_opened_by_handler", by=by, ip=None)
    return bool(updated)
