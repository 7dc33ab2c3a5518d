"""Sending outbox e-mails: a unit's delivery job and a single notice's send job. Each claims its
rows before sending and records every row's outcome; passing errors are retried with backoff.

A unit's delivery goes out as one e-mail to all its addresses (its contact addresses in To, its
officers in Cc): one SMTP transaction in which the server answers for each recipient, so each
address still gets exactly one copy and each row its own outcome.
"""

from __future__ import annotations

import datetime
import logging
import os
import smtplib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from email.mime.application import MIMEApplication
from itertools import groupby
from operator import attrgetter
from typing import TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from common.backoff import backoff_jittered
from directives.models import Directive, Dispatch, Notification
from directives.services.notices.delivery import (
    DELIVERY,
    UnitRows,
    deliverable,
    dispatch_delivery_update,
    dispatches_for_delivery,
    dispatches_lock,
    dispatches_mark_sent,
    dispatches_notices_write,
    notifications_mark_sent,
    reached_q,
    still_issued,
)
from directives.services.notices.letter_mail import (
    delivery_email_bytes,
    delivery_html,
    email_message,
)
from directives.services.notices.transport import (
    TRANSIENT_ERRORS,
    email_bytes_deliver,
    email_deliver,
    email_reusable,
)
from directives.services.notices.withdrawal import STOPPED, withdrawal_notices_for, withdrawal_of

logger = logging.getLogger(__name__)
# A database that dropped the connection or is restarting: worth retrying on a new connection.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)
T = TypeVar("T")


def database_retry_countdown(attempts: int) -> float:
    """Seconds before a job that met a database error runs again: short, since the database
    is usually back within seconds, and capped at a minute."""
    return backoff_jittered(attempts, base=1.0, cap=60.0)


def retry_countdown(attempts: int) -> float:
    """Seconds before try number `attempts + 1`: exponential, capped, with jitter.

    The jitter only shortens the wait (x0.5..1), so the longest chain stays within
    NOTIFY_LONGEST_RETRY_SECONDS and thus within the broker's visibility timeout.
    """
    return backoff_jittered(
        attempts, base=settings.NOTIFY_RETRY_BASE_SECONDS, cap=settings.NOTIFY_RETRY_MAX_SECONDS
    )


def email_message_build(row: Notification) -> EmailMultiAlternatives:
    """The e-mail of a notice row (not a delivery): plain text and HTML."""
    context = {"row": row, "site_url": settings.SITE_URL, "directive": row.directive}
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("email/notice.html", context)
    return email_message([row], html=html)


# The signed PDF as a MIME part, by its SHA-256: a fan-out attaches the same PDF to a thousand
# e-mails, and a worker reads and encodes it once. A few directives' worth at most.
_pdf_parts: dict[str, MIMEApplication] = {}
PDF_PARTS_KEPT = 4


def _pdf_part(directive: Directive) -> MIMEApplication:
    part = _pdf_parts.get(directive.pdf_sha256)
    if part is None:
        with directive.pdf.open("rb") as handle:
            part = MIMEApplication(handle.read(), "pdf")
        part.add_header("Content-Disposition", "attachment", filename=directive.pdf_filename)
        while len(_pdf_parts) >= PDF_PARTS_KEPT:
            _pdf_parts.pop(next(iter(_pdf_parts)))
        _pdf_parts[directive.pdf_sha256] = part
    return part


def _delivery_message(
    dispatch: Dispatch, rows: Sequence[Notification]
) -> EmailMultiAlternatives | _Wire:
    """The delivery e-mail of one unit to the addresses of `rows`: over a kept SMTP connection,
    encoded from its letter's (letter_mail); otherwise Django's message."""
    directive = dispatch.directive
    attachment = _pdf_part(directive) if dispatch.pdf_attached else None
    contacts = frozenset(a.lower() for a in dispatch.unit.email_list)
    if email_reusable():
        with translation.override(settings.LANGUAGE_CODE):
            wire = delivery_email_bytes(
                directive, dispatch, rows, attachment=attachment, contacts=contacts
            )
        if wire is not None:
            return _Wire(*wire)
    link, subject = rows[0].link, rows[0].subject
    with translation.override(settings.LANGUAGE_CODE):
        html = delivery_html(directive, dispatch, link=link, subject=subject)
    return email_message(rows, html=html, attachment=attachment, contacts=contacts)


@dataclass(frozen=True)
class _Wire:
    """An e-mail encoded for SMTP: its sender, {recipient as sent: as given}, its bytes."""

    sender: str
    given: dict[str, str]
    data: bytes


def _claim(pk: int) -> bool:
    """pending -> sending, as one conditional update: of two jobs, only one sends the row."""
    return bool(
        Notification.objects.filter(
            pk=pk, status=Notification.Status.PENDING, channel=Notification.Channel.EMAIL
        ).update(status=Notification.Status.SENDING, claimed_at=timezone.now())
    )


def reclaim_after() -> datetime.timedelta:
    """How long a claim lasts: a job that held a row "sending" longer than this has died (the
    SMTP dialogue of one e-mail times out well before), and the row may be taken back."""
    return datetime.timedelta(seconds=settings.NOTIFY_RECLAIM_AFTER_SECONDS)


def stale_claim_take(row: Notification, *, now: datetime.datetime) -> bool:
    """Take back a row a dead job left "sending": sending again, one attempt spent; failed for
    good when that was the last attempt (an e-mail that kills every worker that sends it)."""
    stale = Notification.objects.filter(
        pk=row.pk, status=Notification.Status.SENDING, claimed_at__lt=now - reclaim_after()
    )
    attempts = row.attempts + 1
    if attempts > settings.NOTIFY_MAX_RETRIES:
        stale.update(
            status=Notification.Status.FAILED,
            attempts=attempts,
            last_error="The worker stopped while sending, too many times.",
        )
        return False
    if not stale.update(claimed_at=now, attempts=attempts):
        return False
    row.status, row.claimed_at, row.attempts = Notification.Status.SENDING, now, attempts
    return True


def _record(row: Notification, **fields) -> None:
    """The outcome of a claimed row, on the row object too (its job reads it back)."""
    Notification.objects.filter(pk=row.pk, status=Notification.Status.SENDING).update(**fields)
    for name, value in fields.items():
        setattr(row, name, value)


def _record_sent(rows: Sequence[Notification]) -> None:
    now = timezone.now()
    notifications_mark_sent(notification_ids=[row.pk for row in rows], now=now)
    for row in rows:
        row.status, row.attempts, row.sent_at, row.last_error = "sent", row.attempts + 1, now, ""


def _record_error(row: Notification, error: str, *, permanent: bool) -> float | None:
    """A failed attempt: retried later (returns the wait), or failed for good after a 5xx
    answer (an unknown mailbox, a policy refusal: waiting changes nothing) or the cap."""
    attempts = row.attempts + 1
    error = error[:2000]
    if permanent or attempts > settings.NOTIFY_MAX_RETRIES:
        logger.warning("E-mail %s to %s failed for good: %s", row.pk, row.address, error)
        _record(row, status=Notification.Status.FAILED, attempts=attempts, last_error=error)
        return None
    _record(row, status=Notification.Status.PENDING, attempts=attempts, last_error=error)
    return retry_countdown(attempts)


@dataclass
class _Outcome:
    """What the mail server said of one e-mail: the rows it accepted, and the others' errors
    (row, error, permanent). Nothing is recorded yet: the caller records it in one go."""

    sent: list[Notification] = field(default_factory=list)
    errors: list[tuple[Notification, str, bool]] = field(default_factory=list)

    def record(self) -> float | None:
        """Record every row's outcome; the wait before retrying the passing errors, or None."""
        if self.sent:
            _record_sent(self.sent)
        return self.record_errors()

    def record_errors(self) -> float | None:
        """Record the failed rows; the wait before retrying the passing errors, or None."""
        waits = [_record_error(row, error, permanent=p) for row, error, p in self.errors]
        return min((w for w in waits if w is not None), default=None)


def _send(
    rows: Sequence[Notification],
    message: EmailMultiAlternatives | _Wire,
    *,
    before_data: Callable[[], None] | None = None,
) -> _Outcome:
    """Send one e-mail to claimed rows: which addresses the server accepted, which not and why
    (a worker that dies after the server accepted leaves at most these rows in "sending")."""
    try:
        if isinstance(message, _Wire):
            refused = email_bytes_deliver(
                message.sender, message.given, message.data, before_data=before_data
            )
        else:
            refused = email_deliver(message, before_data=before_data)
    except _RecordFailed:
        raise  # the previous e-mail's record, not this e-mail: nothing was handed over
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients  # every recipient refused, each with its own answer
    except TRANSIENT_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"
        permanent = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
        return _Outcome(errors=[(row, error, permanent) for row in rows])
    except Exception as exc:
        # A bug or bad data: retrying would fail the same way; the clerk sees it and can resend.
        logger.exception("E-mail %s could not be built or sent", [row.pk for row in rows])
        return _Outcome(errors=[(row, f"{type(exc).__name__}: {exc}", True) for row in rows])
    outcome = _Outcome()
    for row in rows:
        answer = refused.get(row.address)
        if answer is None:
            outcome.sent.append(row)
            continue
        code, text = answer
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        outcome.errors.append((row, f"SMTP {code}: {text}", code >= 500))
    return outcome


def notification_send(*, notification_id: int) -> float | None:
    """Send one pending e-mail row; returns the seconds to wait before retrying, or None.

    A directive's delivery e-mail is left to its unit's delivery job. Any job for a row that
    another job claimed, or that is sent or failed, does nothing.
    """
    row = (
        Notification.objects.select_related("directive__issuing_unit")
        .filter(pk=notification_id, channel=Notification.Channel.EMAIL)
        .first()
    )
    if row is None:
        return None
    if row.kind == DELIVERY and row.dispatch_id:
        return dispatches_deliver(dispatch_ids=[row.dispatch_id]).countdown
    if not _claim(row.pk):
        return None
    try:
        message = email_message_build(row)
    except Exception as exc:
        logger.exception("E-mail %s could not be built", row.pk)
        _record_error(row, f"{type(exc).__name__}: {exc}", permanent=True)
        return None
    return _send([row], message).record()


@dataclass
class DeliveryResult:
    """What a delivery job leaves to its next run: the units to try again, and when."""

    retry_ids: list[int] = field(default_factory=list)
    countdown: float | None = None

    def later(self, dispatch_id: int, wait: float) -> None:
        self.retry_ids.append(dispatch_id)
        self.countdown = wait if self.countdown is None else min(self.countdown, wait)


@dataclass
class _UnitSend:
    unit: UnitRows
    mine: list[Notification]
    outcome: _Outcome
    all_held: bool = True  # every accepted row was still this job's when recorded sent
    recorded_rows: bool = False  # its accepted rows recorded sent (_unit_sent_record)

    @property
    def delivered(self) -> bool:
        """This job wrote all the unit's rows and saw every e-mail accepted (the usual case):
        the batch's record marks the unit delivered without reading its rows again."""
        return self.all_held and self.unit.written and not self.outcome.errors


def dispatches_deliver(*, dispatch_ids: Sequence[int]) -> DeliveryResult:
    """The delivery job of a batch of units: write their notices, send each unit its one
    e-mail (each address once, all on this process's SMTP connection), record the outcomes
    and the units' delivery status. Returns the units to try again and when.

    A job that runs past half its soft time limit (a slow mail server) hands the units it has
    not reached to its next run at once, their claims released, rather than be killed
    mid-send.
    """
    started = time.monotonic()
    result = DeliveryResult()
    dispatches = dispatches_for_delivery(dispatch_ids)
    for _letter, group in groupby(dispatches, key=attrgetter("directive_id")):
        _letter_deliver(list(group), result=result, started=started)
    return result


def _letter_deliver(group: list[Dispatch], *, result: DeliveryResult, started: float) -> None:
    directive = group[0].directive
    if directive.status != Directive.Status.ISSUED:
        _withdrawn_rows_fail(group)
        return
    if not deliverable(directive):
        return  # the PDF job starts delivery when the PDF is ready
    units = dispatches_notices_write(group)
    if units is None:  # recalled or replaced while this job waited
        _withdrawn_rows_fail(group)
        return
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    sends: list[_UnitSend] = []
    recorder = _Recorder(threaded=not connection.in_atomic_block)
    try:
        for unit in units:
            if time.monotonic() - started > budget:
                _claims_release(unit)
                result.later(unit.dispatch.pk, 0)
                continue
            mine, wait = (unit.emails, None) if unit.written else _claim_rows(unit.emails)
            if wait is not None:
                result.later(unit.dispatch.pk, wait)
            if mine and not _claims_renew(mine):
                continue  # taken back meanwhile by a sweep: that hand sends them
            send = _UnitSend(unit, mine, _send_unit(unit.dispatch, mine, recorder.wait))
            # At once, not at the end of the batch: a worker killed later in the batch must
            # leave these rows sent, or they would go out again. The next e-mail is built and
            # its recipients named meanwhile; it goes over once this record has landed.
            recorder.record(lambda send=send: _until_recorded(lambda: _unit_sent_record(send)))
            sends.append(send)
        recorder.wait()
    except _RecordFailed as exc:
        raise exc.__cause__ from None  # the job's own handling: a database error is retried
    if sends:
        waits = _until_recorded(lambda: _sends_record(directive.pk, sends))
        for dispatch_id, wait in waits:
            result.later(dispatch_id, wait)


def _send_unit(
    dispatch: Dispatch, mine: list[Notification], before_data: Callable[[], None]
) -> _Outcome:
    if not mine:
        return _Outcome()
    try:
        return _send(mine, _delivery_message(dispatch, mine), before_data=before_data)
    except _RecordFailed:
        raise
    except Exception as exc:
        logger.exception("Delivery e-mail of dispatch %s could not be built", dispatch.pk)
        return _Outcome(errors=[(row, f"{type(exc).__name__}: {exc}", True) for row in mine])


class _RecordFailed(Exception):
    """The record of the previous e-mail failed (its cause): the job stops as if it had failed
    in line, before handing over anything more."""


_record_pool: ThreadPoolExecutor | None = None


def _record_thread() -> ThreadPoolExecutor:
    """The process's one recording thread (with its own database connection)."""
    global _record_pool
    if _record_pool is None:
        _record_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="delivery-record")
    return _record_pool


def _forget_record_thread() -> None:
    global _record_pool
    _record_pool = None  # a forked child has no thread of its parent's


os.register_at_fork(after_in_child=_forget_record_thread)


class _Recorder:
    """A delivery job's records of accepted e-mails, each made while the job builds the next
    e-mail and names its recipients to the server, on a thread of its own: a commit waits for
    the disk, which then costs the fan-out little. The next e-mail's message goes over only
    once the previous record has landed (`wait`, before DATA), so that at any moment at most
    one accepted e-mail is unrecorded, exactly as when recording in line: a worker killed
    anywhere sends nothing twice. In line (`threaded` false) inside a caller's transaction,
    which another connection could not see."""

    def __init__(self, *, threaded: bool):
        self.threaded = threaded
        self.pending: Future | None = None

    def record(self, write: Callable[[], object]) -> None:
        self.wait()
        if self.threaded:
            self.pending = _record_thread().submit(write)
        else:
            try:
                write()
            except Exception as exc:
                raise _RecordFailed() from exc

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        try:
            pending.result()
        except Exception as exc:
            raise _RecordFailed() from exc


def _claim_rows(emails: list[Notification]) -> tuple[list[Notification], float | None]:
    """The unit's e-mail rows this job may send: pending ones, and those a dead job left
    "sending" past the claim's life. For rows another job holds now, the seconds until their
    claim runs out (the job is tried again then, in case that job died)."""
    now = timezone.now()
    mine: list[Notification] = []
    wait: float | None = None
    for row in emails:
        if row.status == Notification.Status.PENDING and _claim(row.pk):
            row.status, row.claimed_at = Notification.Status.SENDING, now
            mine.append(row)
        elif row.status == Notification.Status.SENDING and row.claimed_at is not None:
            if stale_claim_take(row, now=now):
                mine.append(row)
            elif row.status == Notification.Status.SENDING:
                left = (row.claimed_at + reclaim_after() - now).total_seconds() + 1
                wait = max(left, 1.0) if wait is None else min(wait, max(left, 1.0))
    return mine, wait


def _claims_renew(mine: list[Notification]) -> bool:
    """Before sending, a claim older than half its life is renewed, so that a slow batch is
    never taken for dead; False when another hand took the rows back meanwhile."""
    now = timezone.now()
    claimed = min(row.claimed_at for row in mine)
    if now - claimed < reclaim_after() / 2:
        return True
    renewed = Notification.objects.filter(
        pk__in=[row.pk for row in mine], status=Notification.Status.SENDING, claimed_at=claimed
    ).update(claimed_at=now)
    if renewed != len(mine):
        return False
    for row in mine:
        row.claimed_at = now
    return True


def _claims_release(unit: UnitRows) -> None:
    """Rows this job wrote claimed but will not send: pending again for its next run."""
    if unit.written and unit.emails:
        Notification.objects.filter(
            pk__in=[row.pk for row in unit.emails], status=Notification.Status.SENDING
        ).update(status=Notification.Status.PENDING, claimed_at=None)


def _unit_sent_record(send: _UnitSend) -> None:
    """The rows the server accepted, sent: one statement that commits alone, the one write a
    fan-out makes for each unit (a commit waits for the disk).

    The unit's delivery status follows in the batch's record (_sends_record), one statement for
    all its units. Should the worker die in between, the unit's rows are all sent, and the
    redelivered job or the sweep records it delivered from them; nothing goes out again."""
    if send.recorded_rows or not send.outcome.sent:
        return
    accepted = [row.pk for row in send.outcome.sent]
    held = notifications_mark_sent(notification_ids=accepted, now=timezone.now())
    send.all_held, send.recorded_rows = held == len(accepted), True


def _sends_record(directive_id: int, sends: list[_UnitSend]) -> list[tuple[int, float]]:
    """The failures of the batch and the delivery status of its units, in one transaction after
    the SMTP exchanges (no transaction waits on the mail server): the units this job saw
    delivered in one statement, the others each from its rows.
    If the letter was recalled meanwhile, the units that have just received it are told."""
    waits: list[tuple[int, float]] = []
    ids = [send.unit.dispatch.pk for send in sends]
    with transaction.atomic():
        dispatches_lock(ids)
        dispatches_mark_sent(
            dispatch_ids=[send.unit.dispatch.pk for send in sends if send.delivered],
            now=timezone.now(),
        )
        for send in sends:
            wait = send.outcome.record_errors()
            if wait is not None:
                waits.append((send.unit.dispatch.pk, wait))
            if not send.delivered:
                dispatch_delivery_update(dispatch_id=send.unit.dispatch.pk)
        if not still_issued(directive_id):
            _withdrawn_told(directive_id, ids)
    return waits


def _withdrawn_told(directive_id: int, dispatch_ids: list[int]) -> None:
    """The letter was recalled while this job sent it: its recall told the units it had
    reached then; these units received it since, and are told now."""
    directive = Directive.objects.get(pk=directive_id)
    reached = Dispatch.objects.filter(pk__in=dispatch_ids).filter(reached_q())
    withdrawal_notices_for(
        directive=directive,
        replacement=withdrawal_of(directive),
        dispatch_ids=list(reached.values_list("pk", flat=True)),
    )


def _until_recorded(record: Callable[[], T]) -> T:
    """Run the write that records what the mail server accepted until it lands: if it were
    lost, the e-mails would go out again. A database error is retried on a new connection,
    with backoff, for up to NOTIFY_RECORD_RETRY_SECONDS (then the job fails, and its rows,
    still "sending", are taken back once their claim runs out)."""
    deadline = time.monotonic() + settings.NOTIFY_RECORD_RETRY_SECONDS
    attempt = 0
    while True:
        try:
            return record()
        except TRANSIENT_DATABASE_ERRORS as exc:
            # Inside a caller's transaction (an eager job) there is no new connection to take.
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            attempt += 1
            logger.warning(
                "Recording a delivery failed (%s); try %s on a new connection", exc, attempt
            )
            connection.close()
            time.sleep(min(database_retry_countdown(attempt), max(deadline - time.monotonic(), 0)))


def _withdrawn_rows_fail(group: list[Dispatch]) -> None:
    """A recalled or replaced directive: the units' e-mails not sent yet are not sent any
    more, and a unit nothing reached is recorded withdrawn (the recall did it for the rows it
    saw; this covers rows a retry put back to pending since)."""
    ids = [dispatch.pk for dispatch in group]
    with transaction.atomic():
        dispatches_lock(ids)
        stopped = Notification.objects.filter(
            dispatch_id__in=ids,
            kind=DELIVERY,
            channel=Notification.Channel.EMAIL,
            status=Notification.Status.PENDING,
        )
        changed = set(stopped.values_list("dispatch_id", flat=True))
        stopped.update(status=Notification.Status.FAILED, last_error=STOPPED)
        Dispatch.objects.filter(pk__in=ids, delivered_at__isnull=True).exclude(reached_q()).update(
            delivery=Dispatch.Delivery.WITHDRAWN
        )
        for dispatch_id in sorted(changed):
            dispatch_delivery_update(dispatch_id=dispatch_id)
