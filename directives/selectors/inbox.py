"""A unit's inbox: its dispatches with their task figures, searched without accents."""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, IntegerField, Min, Prefetch, Q, QuerySet, Value, When

from directives.models import Assignment, Dispatch, ReportFile, Urgency
from directives.selectors.scope import dispatches_visible_to, receiving_unit_ids
from directives.selectors.workspace import assignment_is_overdue, overdue_q
from directives.workdays import local_today
from recipients.models import User, fold_text


def inbox_dispatches(user: User, *, today: datetime.date | None = None) -> QuerySet[Dispatch]:
    """The dispatches of my unit and of the units whose incoming book I keep: unacknowledged and
    urgent first, then newest; with task figures and the receiving unit's decision."""
    today = today or local_today()
    units = receiving_unit_ids(user)
    if not units:
        return Dispatch.objects.none()
    open_q = Q(assignments__status__in=Assignment.OPEN_STATUSES)
    return (
        dispatches_visible_to(user)
        .filter(unit_id__in=units)
        .select_related("directive", "directive__issuing_unit", "unit", "incoming_entry")
        .annotate(
            ack_rank=Case(
                When(acknowledged_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            urgency_rank=Case(
                When(directive__urgency=Urgency.FLASH, then=Value(3)),
                When(directive__urgency=Urgency.VERY_URGENT, then=Value(2)),
                When(directive__urgency=Urgency.URGENT, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            next_due=Min("assignments__due_date", filter=open_q),
            open_count=Count("assignments", filter=open_q),
            task_count=Count("assignments"),
            overdue_count=Count(
                "assignments", filter=overdue_q(today=today, prefix="assignments__")
            ),
        )
        .order_by("ack_rank", "-urgency_rank", "-directive__issued_at", "-pk")
    )


def inbox_search(queryset: QuerySet[Dispatch], user: User, text: str) -> QuerySet[Dispatch]:
    """Search number/symbol and subject, ignoring accents and case ("chu pah" finds "Chư Păh").

    A unit's inbox holds at most a few thousand letters, so the folding is done in Python over
    one narrow query rather than with a database extension.
    """
    needle = fold_text(text)
    if not needle:
        return queryset
    rows = (
        dispatches_visible_to(user)
        .filter(unit_id__in=receiving_unit_ids(user))
        .values_list("pk", "directive__number", "directive__symbol", "directive__subject")
    )
    hits = [
        pk
        for pk, number, symbol, subject in rows
        # Numbers print with two digits ("08/STTTT-TTBCXB"), as on the letter.
        if needle in fold_text(f"{'' if number is None else f'{number:02d}'}/{symbol} {subject}")
    ]
    return queryset.filter(pk__in=hits)


def inbox_dispatch_assignments(
    dispatch: Dispatch, *, today: datetime.date | None = None
) -> list[Assignment]:
    """My unit's tasks of one dispatch, with their files and extension requests; each one's
    `overdue` says whether it is overdue today (for the page, which computes no rule)."""
    today = today or local_today()
    rows = list(
        Assignment.objects.filter(dispatch=dispatch)
        .select_related("task", "reviewed_by", "reported_by")
        .prefetch_related(
            # The unit's report as it went to the issuer; a handler's files waiting for the
            # head stay on the distribution pages.
            Prefetch("files", queryset=ReportFile.objects.filter(to_issuer=True)),
            "extensions",
        )
        .order_by("task__position", "pk")
    )
    for row in rows:
        row.overdue = assignment_is_overdue(row, today=today)
    return rows
