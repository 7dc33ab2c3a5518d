"""Delivery of an issued directive to every unit: in-app notices and e-mails, once each.

A delivery job serves a batch of units (jobs.DELIVERY_BATCH): it reads them in five queries,
writes all their rows in one statement and records them sent in one transaction, whatever the
database. The rules that keep a record true under faults live here and in sending.py:
- the rows of a unit are written under a lock on its dispatch, after reading the letter's
  status again, so a recall either sees them (and tells the unit) or stops them being written;
- e-mail rows are claimed ("sending", `claimed_at`) before they are sent; a claim older than
  NOTIFY_RECLAIM_AFTER_SECONDS belongs to a job that died, and is taken back;
- a unit is "sent" only when every e-mail row of it was accepted, "withdrawn" when the letter
  was recalled or replaced before anything reached it.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directives import jobs
from directives.models import Assignment, Directive, Dispatch, Notification
from directives.services.notices.letter_mail import delivery_text
from directives.services.notices.outbox import (
    DELIVERY,
    EmailText,
    notice_counts_expire,
    unit_notice_rows,
    unit_officers,
)
from directives.services.notices.people import delivery_failed_notify
from directives.services.notices.subjects import email_subject
from directives.services.receipts import ack_token_make
from directives.services.seals import attachment_links
from recipients.models import User

logger = logging.getLogger(__name__)


def ack_url(dispatch: Dispatch) -> str:
    """The one-click acknowledgement link of a dispatch, absolute for an e-mail."""
    token = ack_token_make(dispatch)
    return settings.SITE_URL + reverse("directives:ack_link", kwargs={"token": token})


def deliverable(directive: Directive | None) -> bool:
    return bool(
        directive is not None
        and directive.status == Directive.Status.ISSUED
        and directive.pdf_status == Directive.PdfStatus.READY
        and directive.pdf
        and directive.pdf_sha256
        and directive.pending_assignments is None  # each unit's e-mail names its own tasks
    )


def pdf_fits(directive: Directive) -> bool:
    """Small enough to attach; a larger PDF goes as a link (mail servers refuse big e-mails)."""
    try:
        return directive.pdf.size <= settings.NOTICE_ATTACH_MAX_BYTES
    except (OSError, ValueError):
        return False


def _delivery_rows(
    directive: Directive, dispatch: Dispatch, officers: list[User]
) -> list[Notification]:
    def email() -> EmailText:
        # Made only for a unit with an address: the acknowledgement link and the unit's own text.
        link = ack_url(dispatch)
        subject = email_subject(directive)
        return EmailText(
            subject, delivery_text(directive, dispatch, link=link, subject=subject), link
        )

    unit = dispatch.unit
    return unit_notice_rows(
        unit=unit,
        officers=officers,
        key=("deliver", directive.pk, directive.pdf_sha256[:16], unit.pk),
        kind=DELIVERY,
        subject=_("New document: %(subject)s") % {"subject": email_subject(directive)},
        link=reverse("directives:inbox_detail", args=[dispatch.pk]),
        directive=directive,
        dispatch=dispatch,
        email=email,
    )


def directive_fan_out(*, directive_id: int) -> int:
    """Start the delivery of an issued directive with a ready PDF: its undelivered units, in
    batches, one job each (jobs.dispatch_deliver_enqueue).

    Every worker serves batches in parallel and no job holds the whole fan-out. Idempotent: only
    units not yet delivered get a job, and a job sends nothing twice. Returns the units handed
    to jobs.
    """
    directive = Directive.objects.filter(pk=directive_id).first()
    if not deliverable(directive):
        return 0
    # External units with an identifier code get the letter by edXML too (services/exchange.py);
    # the job writes each message once, so a fan-out run again sends nothing twice.
    if (
        Dispatch.objects.filter(directive=directive, unit__is_external=True)
        .exclude(unit__identifier_code="")
        .exists()
    ):
        jobs.edxml_send_enqueue(directive.pk)
    pending = Dispatch.objects.filter(directive=directive, delivery=Dispatch.Delivery.PENDING)
    return dispatch_jobs_enqueue(list(pending.values_list("pk", flat=True)))


def dispatch_jobs_enqueue(dispatch_ids: Iterable[int]) -> int:
    """Delivery jobs for these units. Safe to call twice: a job claims each e-mail first."""
    return jobs.dispatch_deliver_enqueue(dispatch_ids)


def dispatches_for_delivery(dispatch_ids: Sequence[int]) -> list[Dispatch]:
    """Dispatches (by letter, then id) with all a delivery job reads: `directive` (one object
    per letter, with its issuing unit), `unit`, `task_assignments` (with their tasks, in the
    tasks' order), `delivery_officers`, and what its e-mail shares with the letter's others
    (`attachment_links`, `pdf_attached`). Five queries for the whole batch."""
    dispatches = list(
        Dispatch.objects.select_related("unit")
        .filter(pk__in=list(dispatch_ids))
        .order_by("directive_id", "pk")
    )
    if not dispatches:
        return []
    ids = [dispatch.pk for dispatch in dispatches]
    letters = Directive.objects.select_related("issuing_unit").in_bulk(
        {dispatch.directive_id for dispatch in dispatches}
    )
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in (
        Assignment.objects.select_related("task")
        .filter(dispatch_id__in=ids)
        .order_by("task__position", "pk")
    ):
        assignments[assignment.dispatch_id].append(assignment)
    officers = unit_officers({dispatch.unit_id for dispatch in dispatches})
    # What every e-mail of a letter shares: the files it links, whether the PDF goes attached.
    shared = {pk: (attachment_links(letter), pdf_fits(letter)) for pk, letter in letters.items()}
    for dispatch in dispatches:
        dispatch.directive = letters[dispatch.directive_id]
        dispatch.attachment_links, dispatch.pdf_attached = shared[dispatch.directive_id]
        dispatch.task_assignments = assignments.get(dispatch.pk, [])
        dispatch.delivery_officers = officers.get(dispatch.unit_id, [])
    return dispatches


def dispatch_for_delivery(dispatch_id: int) -> Dispatch | None:
    """One dispatch as dispatches_for_delivery reads it, or None."""
    found = dispatches_for_delivery([dispatch_id])
    return found[0] if found else None


@dataclass
class UnitRows:
    """A unit's delivery rows; `written` when this job wrote them, its e-mails born claimed."""

    dispatch: Dispatch
    rows: list[Notification]
    written: bool

    @property
    def emails(self) -> list[Notification]:
        return [row for row in self.rows if row.channel == Notification.Channel.EMAIL]


def dispatches_lock(dispatch_ids: Sequence[int]) -> None:
    """Lock the dispatch rows, in id order (as the recall does) so that no two hands deadlock."""
    list(
        Dispatch.objects.select_for_update()
        .filter(pk__in=list(dispatch_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def still_issued(directive_id: int) -> bool:
    return Directive.objects.filter(pk=directive_id, status=Directive.Status.ISSUED).exists()


def dispatches_notices_write(dispatches: Sequence[Dispatch]) -> list[UnitRows] | None:
    """Each unit's delivery rows (in-app notices and e-mails): written by the first call, read
    back by any later one (a retry, the sweep, a redelivered job). None, writing nothing, when
    the letter is no longer issued: it was recalled or replaced while the job waited.

    `dispatches`: of one letter, from dispatches_for_delivery. Freshly written e-mail rows are
    born claimed ("sending"), for the caller to send at once. The dispatches are locked while
    the rows are written: a recall, which locks them too, either sees the rows and tells the
    unit, or commits first and this call sees the letter's new status.
    """
    directive = dispatches[0].directive
    with translation.override(settings.LANGUAGE_CODE):
        built = {d.pk: _delivery_rows(directive, d, d.delivery_officers) for d in dispatches}
    now = timezone.now()
    for rows in built.values():
        for row in rows:
            if row.channel == Notification.Channel.EMAIL:
                row.status, row.claimed_at = Notification.Status.SENDING, now
    ids = [dispatch.pk for dispatch in dispatches]
    with transaction.atomic():
        dispatches_lock(ids)
        if not still_issued(directive.pk):
            return None
        existing: dict[int, list[Notification]] = defaultdict(list)
        for row in Notification.objects.filter(dispatch_id__in=ids, kind=DELIVERY).order_by("pk"):
            existing[row.dispatch_id].append(row)
        fresh = [row for pk in ids if pk not in existing for row in built[pk]]
        Notification.objects.bulk_create(fresh)
        notice_counts_expire(rows=fresh)
    return [
        UnitRows(d, existing[d.pk], False) if d.pk in existing else UnitRows(d, built[d.pk], True)
        for d in dispatches
    ]


def dispatch_delivery_update(*, dispatch_id: int) -> str:
    """The unit's delivery status from its e-mail rows: sent once every one is sent, failed if
    one failed for good, else pending. A withdrawn unit (recalled before anything reached it)
    stays withdrawn unless all its e-mails did leave after all.

    The dispatch row's lock makes the summary one step per unit: two jobs finishing the unit's
    e-mails at once could each read the other's row as unsent, and a late "pending" overwrite
    the "sent" just written.
    """
    with transaction.atomic():
        dispatches_lock([dispatch_id])
        statuses = set(
            Notification.objects.filter(
                dispatch_id=dispatch_id, kind=DELIVERY, channel=Notification.Channel.EMAIL
            ).values_list("status", flat=True)
        )
        current = Dispatch.objects.filter(pk=dispatch_id)
        if statuses and statuses <= {Notification.Status.SENT}:
            dispatches_mark_sent(dispatch_ids=[dispatch_id], now=timezone.now())
            return Dispatch.Delivery.SENT
        if current.filter(delivery=Dispatch.Delivery.WITHDRAWN).exists():
            return Dispatch.Delivery.WITHDRAWN
        if not statuses:  # no e-mail to send (no address): the in-app notices were the delivery
            dispatches_mark_sent(dispatch_ids=[dispatch_id], now=timezone.now())
            return Dispatch.Delivery.SENT
        state = (
            Dispatch.Delivery.FAILED
            if Notification.Status.FAILED in statuses
            else Dispatch.Delivery.PENDING
        )
        current.update(delivery=state)
        if state == Dispatch.Delivery.FAILED:
            delivery_failed_notify(dispatch=current.select_related("directive", "unit").get())
        return state


def dispatches_mark_sent(*, dispatch_ids: Sequence[int], now: datetime.datetime) -> None:
    """Every delivery e-mail of these units is sent: sent. The first time also sets the
    delivery time: `delivered_at` is the record of delivery, one per unit (a history line per
    unit would double the writes of a fan-out to a thousand units)."""
    if not dispatch_ids:
        return
    units = Dispatch.objects.filter(pk__in=list(dispatch_ids))
    first = units.filter(delivered_at__isnull=True).update(
        delivery=Dispatch.Delivery.SENT, delivered_at=now
    )
    if first < len(dispatch_ids):  # some were delivered before: their time stays
        units.exclude(delivery=Dispatch.Delivery.SENT).update(delivery=Dispatch.Delivery.SENT)


def notifications_mark_sent(*, notification_ids: list[int], now: datetime.datetime) -> int:
    """The held ("sending") rows among `notification_ids` sent at `now`; returns how many."""
    if not notification_ids:
        return 0
    return Notification.objects.filter(
        pk__in=notification_ids, status=Notification.Status.SENDING
    ).update(
        status=Notification.Status.SENT, attempts=F("attempts") + 1, sent_at=now, last_error=""
    )


def reached_q() -> Q:
    """Dispatches that something of the delivery reached: recorded delivered, a delivery row
    sent (an in-app notice exists, an e-mail left), or the unit saw or acknowledged the letter
    in its inbox."""
    sent = Notification.objects.filter(
        dispatch=OuterRef("pk"), kind=DELIVERY, status=Notification.Status.SENT
    )
    return (
        Q(delivered_at__isnull=False)
        | Exists(sent)
        | Q(seen_at__isnull=False)
        | Q(acknowledged_at__isnull=False)
    )
