"""Delivery of an issued directive to every unit: in-app notices and e-mails, once each."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directives import jobs
from directives.models import Assignment, Directive, Dispatch, Notification
from directives.services.notices import delivery_sql
from directives.services.notices.outbox import DELIVERY, EmailText, unit_notice_rows, unit_officers
from directives.services.notices.subjects import email_subject, number_label
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
    )


def delivery_context(directive: Directive, dispatch: Dispatch, *, link: str) -> dict:
    """What the delivery e-mail says to one unit: its own tasks and deadlines, the link.
    `dispatch` comes from dispatch_for_delivery."""
    return {
        "directive": directive,
        "dispatch": dispatch,
        "unit": dispatch.unit,
        "assignments": dispatch.task_assignments,
        "ack_url": link,
        "pdf_url": f"{link}?format=pdf" if link else "",
        "number": number_label(directive),
        "site_url": settings.SITE_URL,
        "pdf_attached": pdf_fits(directive),
        "attachment_links": attachment_links(directive),  # seals: the agency-signed files
    }


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
        body = render_to_string(
            "email/delivery.txt", delivery_context(directive, dispatch, link=link)
        ).strip()
        return EmailText(email_subject(directive), body, link)

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
    """Start the delivery of an issued directive with a ready PDF: one job per unit.

    Each job (dispatch_deliver) writes its unit's notices and sends its e-mails, so the units
    are served in parallel by every worker and no job holds the whole fan-out. Idempotent: only
    units not yet delivered get a job, and a job sends nothing twice. Returns the jobs enqueued.
    """
    directive = Directive.objects.filter(pk=directive_id).first()
    if not deliverable(directive):
        return 0
    pending = Dispatch.objects.filter(directive=directive, delivery=Dispatch.Delivery.PENDING)
    return dispatch_jobs_enqueue(list(pending.values_list("pk", flat=True)))


def dispatch_jobs_enqueue(dispatch_ids: Iterable[int]) -> int:
    """One delivery job per unit. Safe to call twice: a job claims each e-mail before sending."""
    return jobs.dispatch_deliver_enqueue(dispatch_ids)


def dispatch_notices_write(dispatch: Dispatch) -> tuple[list[Notification], bool]:
    """The unit's delivery rows (its in-app notices and its e-mails), and whether this call
    wrote them: only the first call does.

    `dispatch` comes from dispatch_for_delivery.
    Freshly written e-mail rows are born claimed ("sending", for the caller to send at once):
    the insert succeeded, so no other job can hold them. When the rows exist already (a retry,
    the sweep, a job racing this one) the insert fails on their unique keys and they come back
    as they are, for the caller to claim. Inserting first saves the normal case a query.
    """
    with translation.override(settings.LANGUAGE_CODE):
        rows = _delivery_rows(dispatch.directive, dispatch, dispatch.delivery_officers)
    now = timezone.now()
    for row in rows:
        if row.channel == Notification.Channel.EMAIL:
            row.status, row.claimed_at = Notification.Status.SENDING, now
    try:
        _rows_insert(rows)
    except IntegrityError:
        rows = list(Notification.objects.filter(dispatch=dispatch, kind=DELIVERY).order_by("pk"))
        if not rows:
            # Not a row written before but something else (a person deleted meanwhile): the
            # job fails and the unit stays undelivered, for the sweep to start it again.
            raise
        return rows, False
    return rows, True


def _rows_insert(rows: list[Notification]) -> None:
    """All the rows or none. Inside a transaction (an eager job, a test) in a savepoint, so that
    a failed insert leaves the caller's transaction usable; in a worker, on PostgreSQL, one
    statement that commits alone: no BEGIN and COMMIT round trips for each unit."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            Notification.objects.bulk_create(rows)
    elif connection.in_atomic_block:
        with transaction.atomic():
            delivery_sql.notifications_insert(rows)
    else:
        delivery_sql.notifications_insert(rows)


# A worker delivers one directive to a thousand units in a row: the letter (a wide row) is read
# once per process and reused while its status, PDF and last change stay the same.
_letters: dict[int, tuple[tuple, Directive]] = {}
LETTERS_KEPT = 4


def dispatch_for_delivery(dispatch_id: int) -> Dispatch | None:
    """A dispatch with all its delivery job reads: directive, unit, the unit's assignments with
    their tasks (`task_assignments`, in the tasks' order) and its officers
    (`delivery_officers`). On PostgreSQL one statement (delivery_sql)."""
    if connection.vendor == "postgresql":
        found = delivery_sql.dispatch_read(dispatch_id)
    else:
        found = _dispatch_read_orm(dispatch_id)
    if found is None:
        return None
    dispatch, state = found
    known = _letters.get(dispatch.directive_id)
    if known is None or known[0] != state:
        letter = Directive.objects.select_related("issuing_unit").get(pk=dispatch.directive_id)
        while len(_letters) >= LETTERS_KEPT:
            _letters.pop(next(iter(_letters)))
        known = _letters[dispatch.directive_id] = (state, letter)
    dispatch.directive = known[1]
    return dispatch


def _dispatch_read_orm(dispatch_id: int) -> tuple[Dispatch, tuple] | None:
    """delivery_sql.dispatch_read, through the ORM."""
    state_names = delivery_sql.LETTER_STATE
    found = list(
        Dispatch.objects.select_related("unit")
        .annotate(**{f"letter_{name}": F(f"directive__{name}") for name in state_names})
        .filter(pk=dispatch_id)
        .order_by()
    )
    if not found:
        return None
    dispatch = found[0]
    dispatch.task_assignments = sorted(
        Assignment.objects.select_related("task").filter(dispatch_id=dispatch_id).order_by(),
        key=lambda assignment: (assignment.task.position, assignment.pk),
    )
    dispatch.delivery_officers = unit_officers([dispatch.unit_id]).get(dispatch.unit_id, [])
    return dispatch, tuple(getattr(dispatch, f"letter_{name}") for name in state_names)


def dispatch_delivery_update(*, dispatch_id: int) -> str:
    """Sent once every delivery e-mail of the unit is sent, failed if one failed for good.

    The dispatch row's lock makes the summary one step per unit: two jobs finishing the unit's
    e-mails at once could each read the other's row as unsent, and a late "pending" overwrite
    the "sent" just written.
    """
    with transaction.atomic():
        list(Dispatch.objects.select_for_update().filter(pk=dispatch_id).order_by().values("pk"))
        statuses = set(
            Notification.objects.filter(
                dispatch_id=dispatch_id, kind=DELIVERY, channel=Notification.Channel.EMAIL
            ).values_list("status", flat=True)
        )
        if Notification.Status.FAILED in statuses:
            Dispatch.objects.filter(pk=dispatch_id).update(delivery=Dispatch.Delivery.FAILED)
            return Dispatch.Delivery.FAILED
        if not statuses <= {Notification.Status.SENT}:
            Dispatch.objects.filter(pk=dispatch_id).update(delivery=Dispatch.Delivery.PENDING)
            return Dispatch.Delivery.PENDING
        dispatch_mark_sent(dispatch_id=dispatch_id)
    return Dispatch.Delivery.SENT


def dispatch_mark_sent(*, dispatch_id: int) -> None:
    """The unit has every delivery e-mail: sent. The first time (a conditional update decides)
    also sets the delivery time: `delivered_at` is the record of delivery, one per unit (a
    history line per unit would double the writes of a fan-out to a thousand units)."""
    first = Dispatch.objects.filter(pk=dispatch_id, delivered_at__isnull=True).update(
        delivery=Dispatch.Delivery.SENT, delivered_at=timezone.now()
    )
    if not first:
        Dispatch.objects.filter(pk=dispatch_id).exclude(delivery=Dispatch.Delivery.SENT).update(
            delivery=Dispatch.Delivery.SENT
        )


def notifications_mark_sent(*, notification_ids: list[int], now: datetime) -> int:
    """The held ("sending") rows among `notification_ids` sent at `now`; returns how many."""
    return Notification.objects.filter(
        pk__in=notification_ids, status=Notification.Status.SENDING
    ).update(
        status=Notification.Status.SENT, attempts=F("attempts") + 1, sent_at=now, last_error=""
    )


def dispatch_sent_record(*, dispatch_id: int, notification_ids: list[int]) -> bool:
    """The server accepted all the unit's e-mails, which this job wrote and held ("sending"):
    record them sent and the unit delivered. False, recording only the rows still held, when
    another hand changed one of them meanwhile: the caller then works the unit's status out.

    On PostgreSQL one statement (delivery_sql), so one round trip and no transaction to open
    and commit: this runs once per unit of every fan-out.
    """
    now = timezone.now()
    if connection.vendor == "postgresql":
        return delivery_sql.sent_record(
            dispatch_id=dispatch_id, notification_ids=notification_ids, now=now
        )
    with transaction.atomic():
        held = notifications_mark_sent(notification_ids=notification_ids, now=now)
        if held != len(notification_ids):
            return False
        dispatch_mark_sent(dispatch_id=dispatch_id)
        return True
