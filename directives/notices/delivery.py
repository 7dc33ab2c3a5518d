"""Delivery of an issued directive to every unit: in-app notices and e-mails, once each."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recipients.models import User

from ..events import event_record
from ..models import Assignment, Directive, Dispatch, Notification
from ..receipts import ack_token_make
from .outbox import email_row, in_app_row, outbox_key, outbox_write, unit_addresses, unit_officers
from .subjects import email_subject, number_label

logger = logging.getLogger(__name__)
DELIVERY = "delivery"


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
    """What the delivery e-mail says to one unit: its own tasks and deadlines, the link."""
    assignments = list(dispatch.assignments.all())
    assignments.sort(key=lambda a: a.task.position)
    return {
        "directive": directive,
        "dispatch": dispatch,
        "unit": dispatch.unit,
        "assignments": assignments,
        "ack_url": link,
        "pdf_url": f"{link}?format=pdf" if link else "",
        "number": number_label(directive),
        "site_url": settings.SITE_URL,
        "pdf_attached": pdf_fits(directive),
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
    unit = dispatch.unit
    sha = directive.pdf_sha256[:16]
    common = {"kind": DELIVERY, "directive": directive, "dispatch": dispatch, "unit": unit}
    people = [] if unit.is_external else officers
    rows = []
    if people:
        inbox = reverse("directives:inbox_detail", args=[dispatch.pk])
        subject = _("New document: %(subject)s") % {"subject": email_subject(directive)}
        rows += [
            in_app_row(
                key=outbox_key("deliver", directive.pk, sha, unit.pk, "in_app", officer.pk),
                user=officer,
                subject=subject,
                link=inbox,
                **common,
            )
            for officer in people
        ]
    addresses = unit_addresses(unit, people)
    if addresses:
        link = ack_url(dispatch)
        body = render_to_string(
            "email/delivery.txt", delivery_context(directive, dispatch, link=link)
        ).strip()
        rows += [
            email_row(
                key=outbox_key("deliver", directive.pk, sha, unit.pk, "email", address.lower()),
                address=address,
                subject=email_subject(directive),
                body=body,
                link=link,
                **common,
            )
            for address in addresses
        ]
    return rows


def directive_fan_out(*, directive_id: int) -> int:
    """Write the outbox rows that deliver an issued directive with a ready PDF to every unit.

    Idempotent: rows are keyed by directive, PDF hash, unit, channel and address, so a second
    run (a redelivered task, the sweep) writes and sends nothing new. Returns the new rows.
    """
    directive = Directive.objects.select_related("issuing_unit").filter(pk=directive_id).first()
    if not deliverable(directive):
        return 0
    dispatches = list(
        Dispatch.objects.filter(directive=directive)
        .select_related("unit")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("task"))
        )
    )
    officers = unit_officers(d.unit_id for d in dispatches)
    rows: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        for dispatch in dispatches:
            rows += _delivery_rows(directive, dispatch, officers.get(dispatch.unit_id, []))
    with transaction.atomic():
        created = len(outbox_write(rows))
        emailed = {r.dispatch_id for r in rows if r.channel == Notification.Channel.EMAIL}
        for dispatch in dispatches:
            if dispatch.pk not in emailed:
                # Nothing to send by e-mail: the in-app notice is the delivery.
                dispatch_delivery_update(dispatch_id=dispatch.pk)
    logger.info("Directive %s fanned out: %s new outbox rows", directive_id, created)
    return created


def dispatch_delivery_update(*, dispatch_id: int) -> str:
    """Sent once every delivery e-mail of the unit is sent, failed if one failed for good.

    The "delivered" event is written once per dispatch (a conditional update decides).
    """
    statuses = set(
        Notification.objects.filter(
            dispatch_id=dispatch_id, kind=DELIVERY, channel=Notification.Channel.EMAIL
        ).values_list("status", flat=True)
    )
    with transaction.atomic():
        if Notification.Status.FAILED in statuses:
            Dispatch.objects.filter(pk=dispatch_id).update(delivery=Dispatch.Delivery.FAILED)
            return Dispatch.Delivery.FAILED
        if not statuses <= {Notification.Status.SENT}:
            Dispatch.objects.filter(pk=dispatch_id).update(delivery=Dispatch.Delivery.PENDING)
            return Dispatch.Delivery.PENDING
        now = timezone.now()
        first = Dispatch.objects.filter(pk=dispatch_id, delivered_at__isnull=True).update(
            delivery=Dispatch.Delivery.SENT, delivered_at=now
        )
        if first:
            dispatch = Dispatch.objects.select_related("directive", "unit").get(pk=dispatch_id)
            event_record(
                directive=dispatch.directive,
                verb="delivered",
                unit=dispatch.unit,
                data={"unit": dispatch.unit_id, "dispatch": dispatch_id},
            )
        else:
            Dispatch.objects.filter(pk=dispatch_id).update(delivery=Dispatch.Delivery.SENT)
    return Dispatch.Delivery.SENT
