"""Celery entry points: each takes ids and calls a service. No business rules here.

Nothing imports this module but Celery; services enqueue through `directives.jobs`."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from directives import jobs
from directives.services.notices import (
    directive_fan_out,
    dispatch_deliver,
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


@shared_task(queue="mail", acks_late=True, reject_on_worker_lost=True)
def deliver_directive(directive_id: int) -> None:
    """Fan out: one delivery job per recipient unit."""

    directive_fan_out(directive_id=directive_id)


@shared_task(bind=True, queue="mail", acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_dispatch(self, dispatch_id: int) -> None:
    """Deliver to one unit: its in-app notices and its e-mails, each sent once. The rows count
    the attempts and hold the cap (NOTIFY_MAX_RETRIES), so a resend or a sweep starts a fresh
    chain safely."""

    countdown = dispatch_deliver(dispatch_id=dispatch_id)
    if countdown is not None:
        raise self.retry(countdown=countdown)


@shared_task(bind=True, queue="mail", acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_notification(self, notification_id: int) -> None:
    """Send one outbox e-mail that is not a delivery (a reminder, a recall, a digest)."""

    countdown = notification_send(notification_id=notification_id)
    if countdown is not None:
        raise self.retry(countdown=countdown)


@shared_task(queue="default", acks_late=True)
def sweep_outbox() -> dict[str, int]:
    """Beat, every few minutes: re-enqueue what a crash or a lost message left pending."""

    report = outbox_sweep()
    # The PDF job of a directive issued while the broker was down is enqueued again here too.
    report["pdf_jobs_resumed"] = pdf_jobs_resume(
        older_than=datetime.timedelta(minutes=settings.NOTIFY_SWEEP_AFTER_MINUTES)
    )
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
