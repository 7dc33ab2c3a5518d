"""Sending one outbox e-mail: claim it, send it, record the outcome; retries and the sweep."""

from __future__ import annotations

import datetime
import hashlib
import logging
import random
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recipients.models import User

from ..errors import PermissionDeniedError, TransitionError
from ..events import event_record
from ..models import Assignment, Directive, Dispatch, Notification
from ..selectors import agency_unit_ids
from ..tasks import TRANSIENT_ERRORS
from .delivery import DELIVERY, delivery_context, directive_fan_out, dispatch_delivery_update
from .outbox import outbox_enqueue
from .transport import email_deliver

logger = logging.getLogger(__name__)


def retry_countdown(attempts: int) -> float:
    """Seconds before try number `attempts + 1`: exponential, capped, with jitter.

    The jitter only shortens the wait (x0.5..1), so the longest chain stays within
    NOTIFY_LONGEST_RETRY_SECONDS and thus within the broker's visibility timeout.
    """
    base = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(base, settings.NOTIFY_RETRY_MAX_SECONDS) * random.uniform(0.5, 1.0)  # noqa: S311


def _permanent(exc: Exception) -> bool:
    """A 5xx answer (unknown mailbox, policy refusal) will not change by waiting."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def email_message_build(row: Notification) -> EmailMultiAlternatives:
    """The e-mail of an outbox row: plain text and HTML; a delivery carries the signed PDF."""
    context = {"row": row, "site_url": settings.SITE_URL, "directive": row.directive}
    attachment = None
    template = "email/notice.html"
    if row.kind == DELIVERY and row.dispatch_id:
        directive = row.directive
        dispatch = row.dispatch
        context.update(delivery_context(directive, dispatch, link=row.link))
        if context["pdf_attached"]:
            with directive.pdf.open("rb") as handle:
                attachment = (directive.pdf_filename, handle.read(), "application/pdf")
        template = "email/delivery.html"
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    host = urlsplit(settings.SITE_URL).hostname or "portal.local"
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body or row.subject,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        # The same id on every attempt lets a mail system drop a copy it already has.
        headers={"Message-ID": f"<{hashlib.sha256(row.key.encode()).hexdigest()[:32]}@{host}>"},
    )
    message.attach_alternative(html, "text/html")
    if attachment:
        message.attach(*attachment)
    return message


def _finish(row: Notification, **fields) -> None:
    outcome = Notification.objects.filter(pk=row.pk, status=Notification.Status.SENDING)
    if not (row.kind == DELIVERY and row.dispatch_id):
        outcome.update(**fields)
        return
    # The unit's e-mails finish on several workers at once: unlocked, each could read the
    # other's row as unsent, and a late "pending" overwrite the "sent" just written. The
    # dispatch row's lock makes the outcome and the unit's summary one step per unit.
    with transaction.atomic():
        list(
            Dispatch.objects.select_for_update().filter(pk=row.dispatch_id).order_by().values("pk")
        )
        outcome.update(**fields)
        dispatch_delivery_update(dispatch_id=row.dispatch_id)


def notification_send(*, notification_id: int) -> float | None:
    """Send one pending e-mail row; returns the seconds to wait before retrying, or None.

    The claim is a conditional update (pending -> sending): of two jobs for the same row, only
    one sends; the other, and any job for a sent or failed row, does nothing.
    """
    claimed = Notification.objects.filter(
        pk=notification_id,
        status=Notification.Status.PENDING,
        channel=Notification.Channel.EMAIL,
    ).update(status=Notification.Status.SENDING, claimed_at=timezone.now())
    if not claimed:
        return None
    row = Notification.objects.select_related("directive__issuing_unit", "dispatch__unit").get(
        pk=notification_id
    )
    if row.kind == DELIVERY and row.directive.status != Directive.Status.ISSUED:
        _finish(
            row,
            status=Notification.Status.FAILED,
            last_error="Not sent: the directive was recalled or replaced before delivery.",
        )
        return None
    if row.kind == DELIVERY and row.dispatch_id:
        prefetch_related_objects(
            [row.dispatch],
            Prefetch("assignments", queryset=Assignment.objects.select_related("task")),
        )
    attempts = row.attempts + 1
    try:
        email_deliver(email_message_build(row))
    except TRANSIENT_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if _permanent(exc) or attempts > settings.NOTIFY_MAX_RETRIES:
            logger.warning("E-mail %s to %s failed for good: %s", row.pk, row.address, error)
            _finish(row, status=Notification.Status.FAILED, attempts=attempts, last_error=error)
            return None
        _finish(row, status=Notification.Status.PENDING, attempts=attempts, last_error=error)
        return retry_countdown(attempts)
    except Exception as exc:
        # A bug or bad data: retrying would fail the same way; the clerk sees it and can resend.
        logger.exception("E-mail %s could not be built or sent", row.pk)
        _finish(
            row,
            status=Notification.Status.FAILED,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return None
    _finish(
        row,
        status=Notification.Status.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        last_error="",
    )
    return None


def outbox_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-enqueue what a crash or a lost message left behind; safe to run at any time.

    - pending rows older than NOTIFY_SWEEP_AFTER_MINUTES (counted from their last attempt,
      plus the wait that attempt asked for, so a scheduled retry is not doubled);
    - rows stuck in "sending" (the worker died mid-send) go back to pending, one attempt spent;
    - issued directives with a ready PDF whose dispatches have no delivery rows are fanned out.
    """
    now = now or timezone.now()
    threshold = datetime.timedelta(minutes=settings.NOTIFY_SWEEP_AFTER_MINUTES)
    cutoff = now - threshold
    email = Notification.objects.filter(channel=Notification.Channel.EMAIL)
    requeue: list[int] = []
    failed = 0
    for row in email.filter(status=Notification.Status.SENDING, claimed_at__lt=cutoff).only(
        "pk", "attempts", "kind", "dispatch_id"
    ):
        attempts = row.attempts + 1
        if attempts > settings.NOTIFY_MAX_RETRIES:
            fields = {"status": Notification.Status.FAILED, "attempts": attempts}
            fields["last_error"] = "The worker stopped while sending, too many times."
        else:
            fields = {"status": Notification.Status.PENDING, "attempts": attempts}
        if email.filter(pk=row.pk, status=Notification.Status.SENDING).update(**fields):
            if fields["status"] == Notification.Status.PENDING:
                requeue.append(row.pk)
            else:
                failed += 1
                if row.kind == DELIVERY and row.dispatch_id:
                    dispatch_delivery_update(dispatch_id=row.dispatch_id)
    stale = email.filter(status=Notification.Status.PENDING).filter(
        Q(claimed_at__isnull=True, created_at__lt=cutoff) | Q(claimed_at__lt=cutoff)
    )
    for pk, attempts, claimed_at in stale.values_list("pk", "attempts", "claimed_at"):
        waited = datetime.timedelta(
            seconds=min(
                settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                settings.NOTIFY_RETRY_MAX_SECONDS,
            )
        )
        if claimed_at is None or claimed_at + waited < cutoff:
            requeue.append(pk)
    outbox_enqueue(sorted(set(requeue)))
    fanned = 0
    unsent = Directive.objects.filter(
        status=Directive.Status.ISSUED, pdf_status=Directive.PdfStatus.READY
    ).filter(dispatches__isnull=False, dispatches__notifications__isnull=True)
    for directive_id in unsent.values_list("pk", flat=True).distinct():
        fanned += directive_fan_out(directive_id=directive_id)
    return {"requeued": len(set(requeue)), "failed": failed, "fanned_out": fanned}


def can_resend(user: User, row: Notification) -> bool:
    """The issuing agency's clerks resend their directive's e-mails."""
    if not user.is_authenticated or not user.has_perm("directives.track_directive"):
        return False
    if row.directive_id is None:
        return user.is_superuser
    return user.is_superuser or row.directive.issuing_unit_id in agency_unit_ids(user)


def notification_resend(*, notification: Notification, by: User, ip: str | None = None) -> None:
    """A clerk sends a failed e-mail again: a fresh set of attempts, after commit."""
    with transaction.atomic():
        # The directive is optional on a row (an outer join), which PostgreSQL cannot lock.
        row = Notification.objects.select_for_update(of=("self",)).get(pk=notification.pk)
        if not can_resend(by, row):
            raise PermissionDeniedError(_("Only clerks of the issuing agency can resend."))
        if row.channel != Notification.Channel.EMAIL or row.status != Notification.Status.FAILED:
            raise TransitionError(_("Only a failed e-mail can be sent again."))
        row.status = Notification.Status.PENDING
        row.attempts = 0
        row.claimed_at = None
        row.save(update_fields=["status", "attempts", "claimed_at"])
        if row.kind == DELIVERY and row.dispatch_id:
            dispatch_delivery_update(dispatch_id=row.dispatch_id)
        if row.directive_id:
            event_record(
                directive=row.directive,
                verb="email_resent",
                by=by,
                ip=ip,
                unit=row.unit,
                data={"notification": row.pk, "address": row.address},
            )
        transaction.on_commit(lambda: outbox_enqueue([row.pk]))
