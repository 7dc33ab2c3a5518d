"""Telling every unit that received a directive that it was recalled or replaced; recording
the units it never reached as not sent."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from directives.models import Directive, Dispatch, Notification
from directives.services.notices.delivery import dispatches_lock, reached_q
from directives.services.notices.outbox import (
    DELIVERY,
    outbox_write,
    unit_notice_rows,
    unit_officers,
)
from directives.services.notices.subjects import number_label

STOPPED = "Not sent: the directive was recalled or replaced before delivery."


def withdrawal_notices_create(*, directive: Directive, replacement: Directive | None) -> None:
    """The recall or replacement of `directive`, as its delivery records and notices.

    Called inside the recall/replacement transaction, so the records and notices exist exactly
    when the change does; the e-mails leave after commit. The units' dispatches are locked
    first, as a delivery job locks its batch: a job either wrote its rows before (its units
    count as reached) or sees the new status and writes nothing.
    - e-mails of the delivery not sent yet are stopped;
    - a unit that nothing of the delivery reached is "withdrawn" (not sent, recalled) and is
      not told: it never received the letter;
    - every unit the delivery reached is told. A job that was sending at this moment tells its
      units itself when it records them sent (withdrawal_notices_for).
    A letter that was never delivered by the portal (entered from paper without a scan) was
    only ever in the units' inboxes: every unit is told. Running it twice writes nothing new.
    """
    dispatches = Dispatch.objects.filter(directive=directive)
    dispatches_lock(list(dispatches.values_list("pk", flat=True)))
    Notification.objects.filter(
        directive=directive,
        kind=DELIVERY,
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.PENDING,
    ).update(status=Notification.Status.FAILED, last_error=STOPPED)
    if directive.pdf_status != Directive.PdfStatus.READY:
        reached = list(dispatches.values_list("pk", flat=True))
    else:
        dispatches.filter(delivered_at__isnull=True).exclude(reached_q()).update(
            delivery=Dispatch.Delivery.WITHDRAWN
        )
        reached = list(dispatches.filter(reached_q()).values_list("pk", flat=True))
    withdrawal_notices_for(directive=directive, replacement=replacement, dispatch_ids=reached)


def withdrawal_notices_for(
    *, directive: Directive, replacement: Directive | None, dispatch_ids: Sequence[int]
) -> None:
    """Outbox rows telling each of these units of `directive` that it is recalled or replaced.

    A replacement's own dispatches ask for the new acknowledgement; this notice only points to
    it. Inside the caller's transaction; writing a unit's notice twice creates nothing new."""
    if not dispatch_ids:
        return
    kind = "replaced" if replacement is not None else "recalled"
    with translation.override(settings.LANGUAGE_CODE):
        if replacement is not None:
            subject = _("%(old)s has been replaced by %(new)s") % {
                "old": number_label(directive),
                "new": number_label(replacement),
            }
        else:
            subject = _("%(old)s has been recalled") % {"old": number_label(directive)}
        body = render_to_string(
            "email/withdrawal.txt",
            {"directive": directive, "replacement": replacement, "kind": kind},
        ).strip()
    dispatches = list(
        Dispatch.objects.filter(pk__in=list(dispatch_ids)).select_related("unit").order_by("pk")
    )
    officers = unit_officers(d.unit_id for d in dispatches)
    rows: list[Notification] = []
    for dispatch in dispatches:
        rows += unit_notice_rows(
            unit=dispatch.unit,
            officers=officers.get(dispatch.unit_id, []),
            key=("withdrawn", directive.pk, dispatch.unit_id),
            kind=kind,
            subject=subject,
            body=body,
            link=reverse("directives:inbox_detail", args=[dispatch.pk]),
            directive=directive,
            dispatch=dispatch,
        )
    outbox_write(rows)


def withdrawal_of(directive: Directive) -> Directive | None:
    """The letter that replaced `directive`, if it was replaced (None for a recall)."""
    if directive.status != Directive.Status.REPLACED:
        return None
    return Directive.objects.filter(replaces_id=directive.pk).order_by("-pk").first()
