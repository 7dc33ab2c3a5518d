"""Whom the clerk's "remind now" reaches, and about what: read once for the question the page
asks ("Send a reminder now to 7 units?") and for the reminder the service then sends.

The clerk chooses the units ticked in the matrix, only the units that are late, only those that
have not acknowledged receipt, or every unit. A unit that has not acknowledged is reminded to
acknowledge (its tasks wait for that); one that has is reminded of its open tasks, or of its late
tasks only when the clerk chose the late units. A unit with nothing open is left alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from directives.models import Assignment, Directive, Dispatch
from directives.selectors.workspace import assignment_is_overdue, overdue_q
from directives.workdays import local_today

SELECTED = "selected"
LATE = "late"
UNACKNOWLEDGED = "unacknowledged"
ALL = "all"

SCOPES = {
    SELECTED: _("The units ticked above"),
    LATE: _("Only units that are late"),
    UNACKNOWLEDGED: _("Only units that have not acknowledged receipt"),
    ALL: _("Every unit"),
}


@dataclass(frozen=True)
class RemindTarget:
    """One unit to remind: of its receipt (`receipt`), or of these open tasks."""

    dispatch: Dispatch
    receipt: bool
    assignments: tuple[Assignment, ...] = ()


def remind_targets(
    *,
    directive: Directive,
    scope: str = SELECTED,
    dispatch_ids: Iterable[int] = (),
    today: datetime.date | None = None,
) -> list[RemindTarget]:
    """The units `scope` picks among the letter's recipients, each with what it is reminded
    of; reads only. An unknown scope picks nothing."""
    day = today or local_today()
    dispatches = Dispatch.objects.filter(directive=directive)
    if scope == SELECTED:
        dispatches = dispatches.filter(pk__in=list(dispatch_ids))
    elif scope == LATE:
        dispatches = dispatches.filter(overdue_q(today=day, prefix="assignments__"))
    elif scope == UNACKNOWLEDGED:
        dispatches = dispatches.filter(acknowledged_at__isnull=True)
    elif scope != ALL:
        return []
    open_tasks = Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES).select_related(
        "task"
    )
    dispatches = (
        dispatches.distinct()
        .select_related("unit")
        .prefetch_related(Prefetch("assignments", queryset=open_tasks, to_attr="open_tasks"))
        .order_by("unit__sort_order", "unit__name", "pk")
    )
    targets = []
    for dispatch in dispatches:
        if dispatch.acknowledged_at is None:
            targets.append(RemindTarget(dispatch=dispatch, receipt=True))
            continue
        tasks = [
            a for a in dispatch.open_tasks if scope != LATE or assignment_is_overdue(a, today=day)
        ]
        if tasks:
            targets.append(RemindTarget(dispatch=dispatch, receipt=False, assignments=tuple(tasks)))
    return targets
