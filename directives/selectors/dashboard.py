"""The clerk's dashboard: figures per recipient unit over the agency's issued letters."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.models import Assignment, Directive, Dispatch, Task
from directives.selectors.workspace import overdue_q, tracked_directives
from directives.workdays import REGISTER_TZ, local_today
from recipients.models import Unit, User


@dataclass
class UnitFigures:
    unit_id: int
    name: str
    acknowledged: int = 0
    dispatches: int = 0
    median_ack_hours: float | None = None
    due: int = 0
    on_time: int = 0

    @property
    def on_time_share(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


@dataclass
class Dashboard:
    computed_at: datetime.datetime
    issued_this_month: int
    awaiting_ack: int
    overdue: int
    overdue_list: list[Assignment]
    recent: list[Directive]
    units: list[UnitFigures]
    chart: dict


def _count(dispatches) -> Coalesce:
    return Coalesce(
        Subquery(dispatches.values("directive").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def dashboard_build(
    *, user: User, today: datetime.date | None = None, days: int = 365
) -> Dashboard:
    """Figures for the issuing agency over the last `days` days, in a fixed number of queries."""
    today = today or local_today()
    directives = tracked_directives(user)
    live = directives.filter(status=Directive.Status.ISSUED)
    month_start = timezone.make_aware(datetime.datetime(today.year, today.month, 1))
    since = timezone.now() - datetime.timedelta(days=days)

    issued_this_month = directives.filter(issued_at__gte=month_start).count()
    awaiting_ack = Dispatch.objects.filter(
        directive__in=live.values("pk"), acknowledged_at__isnull=True
    ).count()
    # Counted against the live letters' task ids rather than joined through the task: the
    # database reads the open tasks of every year from their own index (assignment_open_task)
    # and checks each against one list of ids.
    overdue = Assignment.objects.filter(
        overdue_q(today=today),
        task__in=Task.objects.filter(directive__in=live.values("pk")).values("pk"),
    ).count()
    # The first twenty by deadline: a walk of assignment_open_due from its oldest end.
    overdue_list = list(
        Assignment.objects.filter(overdue_q(today=today), task__directive__in=live.values("pk"))
        .select_related("unit", "task", "task__directive")
        .order_by("due_date", "pk")[:20]
    )
    # Counted for the fifteen letters shown only, not grouped over the whole year's dispatches.
    sent = Dispatch.objects.filter(directive=OuterRef("pk")).order_by()
    recent = list(
        directives.filter(issued_at__gte=since)
        .annotate(
            n_dispatch=_count(sent),
            n_ack=_count(sent.filter(acknowledged_at__isnull=False)),
        )
        .order_by("-issued_at", "-pk")[:15]
    )

    figures: dict[int, UnitFigures] = {}
    window = directives.filter(issued_at__gte=since).values("pk")
    # The year's range named on the joined letter too: the database then reads those letters
    # by their index of issue for each dispatch's moment, not every letter of ten years.
    received = Dispatch.objects.filter(
        directive__in=window, directive__issued_at__gte=since
    ).order_by()
    delay = ExpressionWrapper(
        F("acknowledged_at") - Coalesce("directive__issued_at", "created_at"),
        output_field=DurationField(),
    )
    # One row per dispatch of the year, the time it waited for its acknowledgement (None while
    # it waits): the counts and the median of each unit come from the same rows, read through
    # the letters' index, rather than from a second pass grouping every dispatch.
    ack_hours: dict[int, list[float]] = defaultdict(list)
    for unit_id, waited in received.annotate(waited=delay).values_list("unit_id", "waited"):
        fig = figures.get(unit_id)
        if fig is None:
            fig = figures[unit_id] = UnitFigures(unit_id=unit_id, name="")
        fig.dispatches += 1
        if waited is not None:
            fig.acknowledged += 1
            ack_hours[unit_id].append(max(0.0, waited.total_seconds() / 3600))
    # Late and on time by the deadline rule (workdays.is_overdue, reported_on_time), counted by
    # the database against each assignment's effective deadline, kept with its due date.
    finished = Q(status__in=Assignment.FINISHED_STATUSES, reported_at__isnull=False)
    reported_on = TruncDate("reported_at", tzinfo=REGISTER_TZ)
    for unit_id, due, on_time in (
        Assignment.objects.filter(task__directive__in=window, due_date__isnull=False)
        .filter(finished | Q(effective_due_date__lt=today))
        .order_by()
        .values("unit_id")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk", filter=finished & LessThanOrEqual(reported_on, F("effective_due_date"))
            ),
        )
        .values_list("unit_id", "due", "on_time")
    ):
        fig = figures.setdefault(unit_id, UnitFigures(unit_id=unit_id, name=""))
        fig.due = due
        fig.on_time = on_time
    for unit_id, hours in ack_hours.items():
        figures[unit_id].median_ack_hours = round(statistics.median(hours), 1)
    # Every unit's name in one narrow read (a province has about a thousand units), cheaper
    # than a query naming each of the year's units.
    for unit_id, name in Unit.objects.order_by().values_list("pk", "name"):
        fig = figures.get(unit_id)
        if fig is not None:
            fig.name = name

    def rank(fig: UnitFigures) -> tuple:
        share = fig.on_time_share
        median = fig.median_ack_hours
        return (
            share is None,
            -(share or 0),
            median is None,
            median if median is not None else 0,
            fig.name,
        )

    units = sorted(figures.values(), key=rank)
    charted = [u for u in units if u.median_ack_hours is not None][:15]
    shared = [u for u in units if u.on_time_share is not None][:15]
    chart = {
        "ack": {
            "labels": [u.name for u in charted],
            "values": [u.median_ack_hours for u in charted],
            "title": _("Median hours to acknowledge"),
        },
        "on_time": {
            "labels": [u.name for u in shared],
            "values": [u.on_time_share for u in shared],
            "title": _("Tasks done on time (%)"),
        },
    }
    return Dashboard(
        computed_at=timezone.now(),
        issued_this_month=issued_this_month,
        awaiting_ack=awaiting_ack,
        overdue=overdue,
        overdue_list=overdue_list,
        recent=recent,
        units=units,
        chart=chart,
    )


def dashboard_for(*, user: User) -> Dashboard:
    """The dashboard as the user's page shows it: worked out at most once every
    DASHBOARD_CACHE_SECONDS per user and day (its figures span a year of letters; the page says
    when they were counted). 0 counts them on every visit."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return dashboard_build(user=user)
    key = f"dashboard:{user.pk}:{local_today().isoformat()}"
    board = cache.get(key)
    if board is None:
        board = dashboard_build(user=user)
        cache.set(key, board, seconds)
    return board
