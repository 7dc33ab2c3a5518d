"""Telling every unit that received a directive that it was recalled or replaced."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from directives.models import Directive, Dispatch, Notification
from directives.services.notices.outbox import outbox_write, unit_notice_rows, unit_officers
from directives.services.notices.subjects import number_label


def withdrawal_notices_create(*, directive: Directive, replacement: Directive | None) -> None:
    """Outbox rows telling each unit of `directive` that it is recalled, or replaced.

    Called inside the recall/replacement transaction, so the notices exist exactly when the
    change does; the e-mails leave after commit. A replacement's own dispatches ask for the new
    acknowledgement; this notice only points to it. Running it twice writes nothing new.
    """
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
    dispatches = list(Dispatch.objects.filter(directive=directive).select_related("unit"))
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
