"""Sending outbox e-mails: a unit's delivery job and a single notice's send job. Each claims its
rows before sending and records every row's outcome; passing errors are retried with backoff.

A unit's delivery goes out as one e-mail to all its addresses (its contact addresses in To, its
officers in Cc): one SMTP transaction in which the server answers for each recipient, so each
address still gets exactly one copy and each row its own outcome.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from common.backoff import backoff_jittered
from directives.models import Directive, Dispatch, Notification
from directives.services.notices.delivery import (
    DELIVERY,
    deliverable,
    delivery_context,
    dispatch_delivery_update,
    dispatch_for_delivery,
    dispatch_notices_write,
    dispatch_sent_record,
    notifications_mark_sent,
)
from directives.services.notices.transport import TRANSIENT_ERRORS, email_deliver

logger = logging.getLogger(__name__)


def retry_countdown(attempts: int) -> float:
    """Seconds before try number `attempts + 1`: exponential, capped, with jitter.

    The jitter only shortens the wait (x0.5..1), so the longest chain stays within
    NOTIFY_LONGEST_RETRY_SECONDS and thus within the broker's visibility timeout.
    """
    return backoff_jittered(
        attempts, base=settings.NOTIFY_RETRY_BASE_SECONDS, cap=settings.NOTIFY_RETRY_MAX_SECONDS
    )


def _message(
    rows: Sequence[Notification],
    *,
    html: str,
    attachment: MIMEBase | None = None,
    contacts: frozenset[str] = frozenset(),
) -> EmailMultiAlternatives:
    """One e-mail to the addresses of `rows` (same subject and body): `contacts` in To, the
    others in Cc (all in To when no contact address is among them)."""
    first = rows[0]
    to = [row.address for row in rows if row.address.lower() in contacts]
    cc = [row.address for row in rows if row.address.lower() not in contacts]
    if not to:
        to, cc = cc, []
    host = urlsplit(settings.SITE_URL).hostname or "portal.local"
    # The same id on every attempt lets a mail system drop a copy it already has.
    keys = "\n".join(sorted(row.key for row in rows))
    message = EmailMultiAlternatives(
        subject=first.subject,
        body=first.body or first.subject,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=cc,
        headers={"Message-ID": f"<{hashlib.sha256(keys.encode()).hexdigest()[:32]}@{host}>"},
    )
    message.attach_alternative(html, "text/html")
    if attachment is not None:
        message.attach(attachment)
    return message


def email_message_build(row: Notification) -> EmailMultiAlternatives:
    """The e-mail of a notice row (not a delivery): plain text and HTML."""
    context = {"row": row, "site_url": settings.SITE_URL, "directive": row.directive}
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("email/notice.html", context)
    return _message([row], html=html)


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


def _delivery_message(dispatch: Dispatch, rows: Sequence[Notification]) -> EmailMultiAlternatives:
    """The delivery e-mail of one unit to the addresses of `rows`."""
    directive = dispatch.directive
    context = {"row": rows[0], "site_url": settings.SITE_URL}
    context.update(delivery_context(directive, dispatch, link=rows[0].link))
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("email/delivery.html", context)
    return _message(
        rows,
        html=html,
        attachment=_pdf_part(directive) if context["pdf_attached"] else None,
        contacts=frozenset(a.lower() for a in dispatch.unit.email_list),
    )


def _claim(pk: int) -> bool:
    """pending -> sending, as one conditional update: of two jobs, only one sends the row."""
    return bool(
        Notification.objects.filter(
            pk=pk, status=Notification.Status.PENDING, channel=Notification.Channel.EMAIL
        ).update(status=Notification.Status.SENDING, claimed_at=timezone.now())
    )


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
        waits = [_record_error(row, error, permanent=p) for row, error, p in self.errors]
        return min((w for w in waits if w is not None), default=None)


def _send(rows: Sequence[Notification], message: EmailMultiAlternatives) -> _Outcome:
    """Send one e-mail to claimed rows: which addresses the server accepted, which not and why
    (a worker that dies after the server accepted leaves at most these rows in "sending")."""
    try:
        refused = email_deliver(message)
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
        return dispatch_deliver(dispatch_id=row.dispatch_id)
    if not _claim(row.pk):
        return None
    try:
        message = email_message_build(row)
    except Exception as exc:
        logger.exception("E-mail %s could not be built", row.pk)
        _record_error(row, f"{type(exc).__name__}: {exc}", permanent=True)
        return None
    return _send([row], message).record()


def dispatch_deliver(*, dispatch_id: int) -> float | None:
    """The delivery job of one unit: write its notices, send its pending e-mails (each address
    once), and update the unit's delivery status. Returns the seconds to wait before retrying
    the addresses that met a passing error, or None when nothing is left to retry.
    """
    dispatch = dispatch_for_delivery(dispatch_id)
    if dispatch is None:
        return None
    if dispatch.directive.status != Directive.Status.ISSUED:
        _withdrawn_rows_fail(dispatch)
        return None
    if not deliverable(dispatch.directive):
        return None  # the PDF job starts delivery when the PDF is ready
    rows, written = dispatch_notices_write(dispatch)
    emails = [row for row in rows if row.channel == Notification.Channel.EMAIL]
    # Freshly written rows are born claimed; rows of an earlier run are claimed one by one.
    mine = emails if written else [row for row in emails if _claim(row.pk)]
    outcome = _Outcome()
    if mine:
        try:
            outcome = _send(mine, _delivery_message(dispatch, mine))
        except Exception as exc:
            logger.exception("Delivery e-mail of dispatch %s could not be built", dispatch.pk)
            outcome.errors = [(row, f"{type(exc).__name__}: {exc}", True) for row in mine]
    if (
        written
        and mine
        and not outcome.errors
        and dispatch_sent_record(dispatch_id=dispatch.pk, notification_ids=[row.pk for row in mine])
    ):
        return None  # the usual case: the unit's e-mails all accepted at the first attempt
    # The outcomes and the unit's status in one commit, after the SMTP exchange: no database
    # transaction waits on the mail server.
    with transaction.atomic():
        wait = outcome.record()
        dispatch_delivery_update(dispatch_id=dispatch.pk)
    return wait


def _withdrawn_rows_fail(dispatch: Dispatch) -> None:
    """A recalled or replaced directive: its unsent e-mails are not sent any more."""
    # One conditional update: a row another job has claimed meanwhile is not "pending".
    Notification.objects.filter(
        dispatch=dispatch,
        kind=DELIVERY,
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.PENDING,
    ).update(
        status=Notification.Status.FAILED,
        last_error="Not sent: the directive was recalled or replaced before delivery.",
    )
    dispatch_delivery_update(dispatch_id=dispatch.pk)
