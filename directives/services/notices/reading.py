"""A person's own in-app notices: the bell, the list, marking read; the delivery progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from directives.models import Directive, Dispatch, Notification
from directives.services.notices.delivery import DELIVERY
from directives.services.notices.outbox import notice_counts_expire
from recipients.models import User


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the person's own notices read (a second call changes nothing)."""
    if notification.user_id != by.pk:
        raise Notification.DoesNotExist
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    ):
        notice_counts_expire(user_ids=[by.pk])
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    marked = Notification.objects.filter(
        user=by, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())
    if marked:
        notice_counts_expire(user_ids=[by.pk])
    return marked


@dataclass
class UnitProgress:
    dispatch: Dispatch
    sent: int = 0
    failed: int = 0
    pending: int = 0
    failed_rows: list[Notification] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return self.dispatch.acknowledged_at is not None


@dataclass
class Progress:
    units: list[UnitProgress]
    sent: int
    failed: int
    pending: int
    acknowledged: int
    withdrawn: int = 0  # recalled or replaced before anything reached them: not sent

    @property
    def total(self) -> int:
        return len(self.units)

    @property
    def done(self) -> bool:
        return self.pending == 0


def delivery_progress(directive: Directive) -> Progress:
    """Per unit: delivery e-mails sent, failed (with the error), waiting; and acknowledgement."""
    email = Q(notifications__kind=DELIVERY, notifications__channel=Notification.Channel.EMAIL)
    dispatches = (
        Dispatch.objects.filter(directive=directive)
        .select_related("unit")
        .annotate(
            n_sent=Count("notifications", filter=email & Q(notifications__status="sent")),
            n_failed=Count("notifications", filter=email & Q(notifications__status="failed")),
            n_waiting=Count(
                "notifications",
                filter=email & Q(notifications__status__in=["pending", "sending"]),
            ),
        )
    )
    failed_rows: dict[int, list[Notification]] = {}
    for row in Notification.objects.filter(
        directive=directive,
        kind=DELIVERY,
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.FAILED,
    ).order_by("pk"):
        failed_rows.setdefault(row.dispatch_id, []).append(row)
    units = [
        UnitProgress(
            dispatch=d,
            sent=d.n_sent,
            failed=d.n_failed,
            pending=d.n_waiting,
            failed_rows=failed_rows.get(d.pk, []),
        )
        for d in dispatches
    ]
    return Progress(
        units=units,
        sent=sum(u.dispatch.delivery == Dispatch.Delivery.SENT for u in units),
        failed=sum(u.dispatch.delivery == Dispatch.Delivery.FAILED for u in units),
        pending=sum(u.dispatch.delivery == Dispatch.Delivery.PENDING for u in units),
        withdrawn=sum(u.dispatch.delivery == Dispatch.Delivery.WITHDRAWN for u in units),
        acknowledged=sum(u.acknowledged for u in units),
    )
