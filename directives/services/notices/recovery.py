"""Recovery: the periodic sweep that re-enqueues what a crash or a lost message left behind,
and the clerk's resend of a failed e-mail."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.backoff import backoff_seconds
from directives import jobs
from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Directive, Dispatch, Notification
from directives.selectors.scope import agency_unit_ids
from directives.services.events import event_record
from directives.services.notices.delivery import (
    DELIVERY,
    dispatch_delivery_update,
    dispatch_jobs_enqueue,
)
from directives.services.notices.outbox import outbox_enqueue
from directives.services.notices.sending import reclaim_after
from recipients.models import User


def outbox_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-enqueue what a crash or a lost message left behind; safe to run at any time (beat
    runs it every minute).

    - rows stuck in "sending" past their claim (NOTIFY_RECLAIM_AFTER_SECONDS: the worker died
      mid-send and its job was not run again) go back to pending, one attempt spent;
    - pending rows older than NOTIFY_SWEEP_AFTER_MINUTES (counted from their last attempt,
      plus the wait that attempt asked for, so a scheduled retry is not doubled);
    - units of an issued directive with a ready PDF that have no delivery row get their
      delivery job: after NOTIFY_LOST_AFTER_SECONDS when the mail queue holds no job (the
      broker lost its queue, or the PDF worker died before starting delivery), after
      NOTIFY_SWEEP_AFTER_MINUTES when it is busy or cannot say;
    - units still "pending" whose e-mails all have their outcome (the job died between a
      unit's last e-mail and the unit's record) get their delivery status.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.NOTIFY_SWEEP_AFTER_MINUTES)
    email = Notification.objects.filter(channel=Notification.Channel.EMAIL)
    requeue: list[int] = []
    failed = 0
    for row in email.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - reclaim_after()
    ).only("pk", "attempts", "kind", "dispatch_id"):
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
            seconds=backoff_seconds(
                attempts,
                base=settings.NOTIFY_RETRY_BASE_SECONDS,
                cap=settings.NOTIFY_RETRY_MAX_SECONDS,
            )
        )
        if claimed_at is None or claimed_at + waited < cutoff:
            requeue.append(pk)
    outbox_enqueue(sorted(set(requeue)))
    # A unit whose delivery job was lost before it wrote anything: no delivery row at all.
    waiting = jobs.queue_waiting("mail")
    lost_after = datetime.timedelta(seconds=settings.NOTIFY_LOST_AFTER_SECONDS)
    never_started = Dispatch.objects.filter(
        directive__status=Directive.Status.ISSUED,
        directive__pdf_status=Directive.PdfStatus.READY,
        delivery=Dispatch.Delivery.PENDING,
        created_at__lt=now - lost_after if waiting == 0 else cutoff,
    ).filter(~Exists(Notification.objects.filter(dispatch=OuterRef("pk"), kind=DELIVERY)))
    started = dispatch_jobs_enqueue(never_started.values_list("pk", flat=True))
    # A unit whose e-mails all have their outcome but whose job died before recording the unit.
    delivery = Notification.objects.filter(dispatch=OuterRef("pk"), kind=DELIVERY)
    unsettled = Dispatch.objects.filter(
        delivery=Dispatch.Delivery.PENDING, created_at__lt=now - reclaim_after()
    ).filter(
        Exists(delivery),
        ~Exists(
            delivery.filter(
                channel=Notification.Channel.EMAIL,
                status__in=[Notification.Status.PENDING, Notification.Status.SENDING],
            )
        ),
    )
    settled = 0
    for dispatch_id in unsettled.values_list("pk", flat=True):
        dispatch_delivery_update(dispatch_id=dispatch_id)
        settled += 1
    return {
        "requeued": len(set(requeue)),
        "failed": failed,
        "units_started": started,
        "units_settled": settled,
    }


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
