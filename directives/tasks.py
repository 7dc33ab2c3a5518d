"""Celery entry points: each takes ids and calls a service. No business rules here.

Nothing imports this module but Celery; services enqueue through `directives.jobs`."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from directives import jobs
from directives.documents.keys import SigningKeyError
from directives.services.exchange import (
    directive_edxml_recall_send,
    directive_edxml_send,
    incoming_entry_status_send,
)
from directives.services.exchange_in import edxml_inbox_read
from directives.services.notices import (
    TRANSIENT_DATABASE_ERRORS,
    database_retry_countdown,
    directive_fan_out,
    dispatches_deliver,
    notification_send,
    outbox_sweep,
    retry_countdown,
)
from directives.services.reminders import digests_send, reminders_send
from directives.services.signing import directive_render_and_sign, pdf_jobs_resume


@shared_task(bind=True, queue="pdf", max_retries=5)
def render_directive_pdf(self, directive_id: int) -> None:
    """Render and sign the issued letter; once the PDF is ready, start delivery. A passing
    failure (a file or the key store out of reach) is retried by the portal's one backoff."""
    try:
        ready = directive_render_and_sign(directive_id=directive_id)
    except OSError as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries + 1))
    if ready:
        jobs.fan_out_enqueue(directive_id)


@shared_task(bind=True, queue="mail", acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_directive(self, directive_id: int) -> None:
    """Fan out: delivery jobs for the recipient units, a batch each."""
    try:
        directive_fan_out(directive_id=directive_id)
    except TRANSIENT_DATABASE_ERRORS as exc:
        raise self.retry(exc=exc, countdown=database_retry_countdown(self.request.retries + 1))


@shared_task(bind=True, queue="mail", acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_dispatches(self, dispatch_ids: list[int]) -> None:
    """Deliver to a batch of units: their in-app notices and e-mails, each sent once. The
    rows count the attempts and hold the cap (NOTIFY_MAX_RETRIES), so a resend or a sweep
    starts a fresh chain safely. The next run takes only the units left to try again. A
    database error (a restart, a dropped connection) is retried like a mail server's; the
    worker opens a new connection after it (portal/celery.py)."""
    try:
        result = dispatches_deliver(dispatch_ids=dispatch_ids)
    except TRANSIENT_DATABASE_ERRORS as exc:
        raise self.retry(exc=exc, countdown=database_retry_countdown(self.request.retries + 1))
    if result.retry_ids:
        raise self.retry(args=(sorted(set(result.retry_ids)),), countdown=result.countdown)


@shared_task(queue="mail", acks_late=True, reject_on_worker_lost=True)
def deliver_dispatch(dispatch_id: int) -> None:
    """One unit's delivery, as jobs queued before delivery went by batches name it: handed
    to a batch job of one."""
    jobs.dispatch_deliver_enqueue([dispatch_id])


@shared_task(bind=True, queue="mail", acks_late=True, reject_on_worker_lost=True, max_retries=8)
def send_edxml(self, directive_id: int) -> int:
    """The letter's edXML messages to its external units: each written once, whatever the
    number of runs. A key out of reach or a full disk is retried by the portal's backoff."""
    try:
        return directive_edxml_send(directive_id=directive_id)
    except (OSError, SigningKeyError, *TRANSIENT_DATABASE_ERRORS) as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries + 1))


@shared_task(bind=True, queue="mail", acks_late=True, reject_on_worker_lost=True, max_retries=8)
def send_edxml_recall(self, directive_id: int) -> int:
    """The recall of a letter to the external units that had it by edXML: each told once."""
    try:
        return directive_edxml_recall_send(directive_id=directive_id)
    except (OSError, SigningKeyError, *TRANSIENT_DATABASE_ERRORS) as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries + 1))


@shared_task(bind=True, queue="mail", acks_late=True, max_retries=8)
def send_edxml_status(self, entry_id: int, code: str) -> bool:
    """A status message of an edXML letter's step (04 assigned) back to its issuer, once."""
    try:
        return incoming_entry_status_send(entry_id=entry_id, code=code)
    except (OSError, SigningKeyError, *TRANSIENT_DATABASE_ERRORS) as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries + 1))


@shared_task(queue="default", acks_late=True)
def read_edxml_inbox() -> dict[str, int]:
    """Beat (or `manage.py edxml_inbox`): enter the edXML messages waiting in the inbox."""
    return edxml_inbox_read()


@shared_task(bind=True, queue="mail", acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_notification(self, notification_id: int) -> None:
    """Send one outbox e-mail that is not a delivery (a reminder, a recall, a digest)."""
    try:
        countdown = notification_send(notification_id=notification_id)
    except TRANSIENT_DATABASE_ERRORS as exc:
        raise self.retry(exc=exc, countdown=database_retry_countdown(self.request.retries + 1))
    if countdown is not None:
        raise self.retry(countdown=countdown)


@shared_task(queue="default", acks_late=True)
def sweep_outbox() -> dict[str, int]:
    """Beat, every minute: re-enqueue what a crash or a lost message left behind."""

    report = outbox_sweep()
    # The PDF job of a directive issued while the broker was down is enqueued again here too.
    report["pdf_jobs_resumed"] = pdf_jobs_resume()
    return report


@shared_task(queue="default", acks_late=True)
def send_reminders(day: str | None = None) -> int:
    """Beat, every morning: deadline, overdue, unacknowledged reminders and escalations."""

    return reminders_send(today=_day(day))


@shared_task(queue="default", acks_late=True)
def send_digests(day: str | None = None) -> int:
    """Beat, every afternoon: one summary e-mail per clerk of each issuing agency."""

    return digests_send(today=_day(day))


def _day(value: str | None) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else timezone.localdate()
