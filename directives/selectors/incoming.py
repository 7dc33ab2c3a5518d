"""The receiving side as its users read it: the letters waiting for receipt, the incoming book
(Phụ lục IV) of a unit, the duplicate check of a letter entered from outside, and the edXML
status (01..06) the issuer sees for each unit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.models import (
    Assignment,
    Directive,
    Dispatch,
    Event,
    IncomingEntry,
    ReceivingStatus,
)
from directives.selectors.history import event_labels
from directives.selectors.scope import dispatches_visible_to, receiving_unit_ids
from recipients.models import Unit, User, fold_text

# ---------------------------------------------------------------------------------------------
# The status the issuer sees (edXML, QCVN 102:2016)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivingState:
    code: str  # "01".."06", or "" while the letter has not reached the unit
    words: str
    detail: str = ""  # the refusal's reason, for the issuer

    @property
    def label(self) -> str:
        return f"{self.code} {self.words}" if self.code else ""


def receiving_state(
    dispatch: Dispatch,
    entry: IncomingEntry | None,
    statuses: Iterable[str] = (),
    *,
    handed: bool = False,
) -> ReceivingState:
    """01 arrived (delivered, not yet accepted) · 02 refused · 03 accepted (in the book) ·
    04 assigned (a handler inside the unit is named, for the letter or one of its tasks) ·
    05 in progress (a task started, by the unit or its handler, or part of them reported) ·
    06 done (every task of the unit reported to the issuer, after the head's review where the
    unit distributes). A letter with no task for the unit is 05 once its handler starts on it
    and 06 once the head approves it handled. `statuses` are those of the unit's assignments
    of this letter; `handed`: the head named a handler for one of them."""
    if entry is None and dispatch.edxml_status:
        # An external unit on another system: what its portal's status messages said.
        return ReceivingState(
            dispatch.edxml_status,
            str(ReceivingStatus(dispatch.edxml_status).label),
            dispatch.edxml_status_text,
        )
    if entry is None:
        reached = (
            dispatch.delivery == Dispatch.Delivery.SENT
            or dispatch.seen_at is not None
            or dispatch.acknowledged_at is not None
        )
        if not reached:
            return ReceivingState("", "")
        return ReceivingState(ReceivingStatus.ARRIVED.value, str(ReceivingStatus.ARRIVED.label))
    if entry.is_refused:
        detail = " — ".join(
            p for p in (entry.get_refusal_reason_display(), entry.refusal_comment) if p
        )
        return ReceivingState(
            ReceivingStatus.REFUSED.value, str(ReceivingStatus.REFUSED.label), detail
        )
    statuses = list(statuses)
    finished = [s for s in statuses if s in Assignment.FINISHED_STATUSES]
    if statuses and len(finished) == len(statuses):
        code = ReceivingStatus.DONE
    elif finished or Assignment.Status.IN_PROGRESS in statuses:
        code = ReceivingStatus.IN_PROGRESS
    elif not statuses and entry.handled_at is not None:
        code = ReceivingStatus.DONE  # a letter with no task, handled and approved by the head
    elif not statuses and (entry.handling_started_at or entry.handler_reported_at):
        code = ReceivingStatus.IN_PROGRESS
    elif entry.handler_unit_id or entry.handler_user_id or handed:
        code = ReceivingStatus.ASSIGNED
    else:
        code = ReceivingStatus.ACCEPTED
    return ReceivingState(code.value, str(code.label))


def receiving_entries_of(directive: Directive) -> dict[int, IncomingEntry]:
    """Per dispatch of the directive, its entry in the receiving unit's book (one query)."""
    return {
        e.dispatch_id: e
        for e in IncomingEntry.objects.filter(dispatch__directive=directive).only(
            "pk",
            "dispatch_id",
            "decision",
            "refusal_reason",
            "refusal_comment",
            "handler_unit_id",
            "handler_user_id",
            "handling_started_at",
            "handler_reported_at",
            "handled_at",
        )
    }


# ---------------------------------------------------------------------------------------------
# The receiving unit's reads
# ---------------------------------------------------------------------------------------------


def receiving_units(user: User) -> list[Unit]:
    """The units whose book the user keeps, in the order of receiving_unit_ids."""
    ids = receiving_unit_ids(user)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [units[pk] for pk in ids if pk in units]


def incoming_entries_visible_to(user: User) -> QuerySet[IncomingEntry]:
    """The entries of the books the user keeps; any other unit's entry is a 404."""
    if not user.is_authenticated:
        return IncomingEntry.objects.none()
    if user.is_superuser or user.has_perm("directives.view_all_directives"):
        return IncomingEntry.objects.all()
    return IncomingEntry.objects.filter(unit_id__in=receiving_unit_ids(user))


def awaiting_receipt(user: User) -> QuerySet[Dispatch]:
    """Live letters delivered to the user's receiving units that nobody accepted or refused."""
    return (
        dispatches_visible_to(user)
        .filter(
            unit_id__in=receiving_unit_ids(user),
            directive__status=Directive.Status.ISSUED,
            incoming_entry__isnull=True,
        )
        .select_related("directive", "directive__issuing_unit", "unit")
        .order_by("-directive__issued_at", "-pk")
    )


def incoming_book_queryset(*, user: User, unit: Unit) -> QuerySet[IncomingEntry]:
    """The accepted entries of `unit`'s book (every year), by year and arrival number; empty
    for a book the user does not keep."""
    # Every accepted entry has its number (a check constraint); saying so lets PostgreSQL walk
    # the partial index of the numbers (unit, year, arrival_number) in the book's order and stop
    # after the page. The dispatch is not joined: no column of the book reads it, and the join
    # made the database hash every dispatch of ten years for a page of a hundred lines.
    return (
        incoming_entries_visible_to(user)
        .filter(unit=unit, decision=IncomingEntry.Decision.ACCEPTED, arrival_number__isnull=False)
        .select_related("handler_unit", "handler_user", "handler_opened_by")
        .order_by("year", "arrival_number", "pk")
    )


def _entry_text(entry: IncomingEntry) -> str:
    return fold_text(
        " ".join(
            (entry.issuer_name, entry.number_symbol, entry.doc_type_name, entry.subject, entry.note)
        )
    )


def incoming_book_search(queryset: QuerySet[IncomingEntry], text: str) -> QuerySet[IncomingEntry]:
    """Search issuer, number and symbol, type, subject and notes without accents or case
    ("chu pah" finds "Chư Păh"); a book holds a few thousand lines a year, folded in Python."""
    needle = fold_text(text)
    if not needle:
        return queryset
    hits = [e.pk for e in queryset.defer("signature_problems") if needle in _entry_text(e)]
    return queryset.filter(pk__in=hits)


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def signed_for(entry: IncomingEntry) -> str:
    """The book's "ký nhận" as the portal records it: who received the letter inside the unit
    and when (the handler's first opening of it, else the head's assignment to them). Empty
    when nobody inside the unit was handed it yet: the printed book keeps room for a signature
    on paper then."""
    when = entry.handler_opened_at or entry.assigned_at
    if when is None:
        return ""
    handler = entry.handler_user or entry.handler_unit
    if entry.handler_opened_at is not None and entry.handler_opened_by is not None:
        who = _person(entry.handler_opened_by)
        if entry.handler_user_id is None and entry.handler_unit is not None:
            who = f"{who} ({entry.handler_unit})"
        template = _("%(who)s, opened %(when)s")
    elif handler is not None:
        who = _person(handler) if isinstance(handler, User) else str(handler)
        template = _("%(who)s, assigned %(when)s")
    else:
        return ""
    return template % {"who": who, "when": timezone.localtime(when).strftime("%d/%m/%Y %H:%M")}


def recalled_note(entry: IncomingEntry) -> str:
    """What the book and the entry's page say of a letter its issuer recalled ("" if not)."""
    if not entry.is_recalled:
        return ""
    when = timezone.localtime(entry.recalled_at).strftime("%d/%m/%Y")
    text = _("Recalled by the issuer on %(day)s") % {"day": when}
    return f"{text}: {entry.recall_reason}" if entry.recall_reason else text


def incoming_book_lines(entries: Iterable[IncomingEntry]) -> list[dict]:
    """One dict per line with the columns of Phụ lục IV, for the page, the print and the XLSX:
    what each column shows is decided here."""
    lines = []
    for e in entries:
        handler = e.handler_user or e.handler_unit
        notes = [e.get_source_display()] if e.source != IncomingEntry.Source.PORTAL else []
        notes.append(recalled_note(e))
        if e.signatures_valid is False:
            notes.append("; ".join(e.signature_problems))
        if e.note:
            notes.append(e.note)
        lines.append(
            {
                "entry": e,
                "arrival_number": e.arrival_number,
                "arrived_at": timezone.localtime(e.arrived_at),
                "issuer": e.issuer_name,
                "number_symbol": e.number_symbol,
                "letter_date": e.letter_date,
                "type_subject": " – ".join(p for p in (e.doc_type_name, e.subject) if p),
                "handler": str(handler) if handler else "",
                "signed_for": signed_for(e),
                "notes": "; ".join(n for n in notes if n),
            }
        )
    return lines


# ---------------------------------------------------------------------------------------------
# The same letter entered twice
# ---------------------------------------------------------------------------------------------


def _same_number(a: str, b: str) -> bool:
    return (a or "").strip().lstrip("0") == (b or "").strip().lstrip("0")


def incoming_duplicates(
    *, unit: Unit, issuer_name: str, number: str, symbol: str, letter_date: datetime.date | None
) -> list[IncomingEntry]:
    """The unit's accepted entries of the same issuer, number, symbol and date (case, accents,
    spaces and leading zeros aside): the same letter, probably, entered once already."""
    candidates = IncomingEntry.objects.filter(
        unit=unit, decision=IncomingEntry.Decision.ACCEPTED, letter_date=letter_date
    ).order_by("year", "arrival_number")
    issuer, sym = fold_text(issuer_name), fold_text(symbol).replace(" ", "")
    return [
        e
        for e in candidates
        if fold_text(e.issuer_name) == issuer
        and fold_text(e.symbol).replace(" ", "") == sym
        and _same_number(e.number, number)
    ]


def incoming_entry_history(entry: IncomingEntry) -> tuple[list[tuple[Event, str]], list[dict]]:
    """The entry's events in order, each with its label, and the files of its edXML message
    that the upload checks refused (named, with the reason, by the event that entered it)."""
    labels = event_labels()
    history = [
        (e, labels.get(e.verb, e.verb))
        for e in Event.objects.filter(incoming_entry=entry).order_by("created_at", "pk")
    ]
    not_kept = next(
        (e.data.get("attachments_not_kept", []) for e, _ in history if e.verb == "incoming_edxml"),
        [],
    )
    return history, not_kept
