"""Reads for the workspaces: a unit's inbox, the clerk's tracking matrix and dashboard.

Every queryset here starts from the scoping doors of directives/selectors.py, so another unit's
dispatch, assignment, report file or attachment is simply not found (a 404 in the views).
Each builder runs a fixed number of queries whatever the number of rows: the rows are fetched
in bulk and joined in Python through dicts.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from recipients.models import RecipientGroup, User, fold_text

from .models import (
    ISSUED_STATES,
    Assignment,
    Attachment,
    Directive,
    Dispatch,
    ExtensionRequest,
    ReportFile,
    Urgency,
)
from .selectors import agency_unit_ids, directives_visible_to, dispatches_visible_to

OPEN_STATUSES = (Assignment.Status.PENDING, Assignment.Status.IN_PROGRESS)
FINISHED_STATUSES = (Assignment.Status.DONE, Assignment.Status.ACCEPTED)
DEADLINE_SOON_DAYS = 7


def _fmt(value: datetime.datetime | datetime.date | None) -> str:
    """Vietnamese way: 24/06/2021 14:05, in the portal's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# Scoped doors for the workspace objects
# ---------------------------------------------------------------------------------------------


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """Assignments hanging off a dispatch the user may see (their unit's, or their agency's)."""
    return Assignment.objects.filter(dispatch__in=dispatches_visible_to(user).values("pk"))


def report_files_visible_to(user: User) -> QuerySet[ReportFile]:
    return ReportFile.objects.filter(assignment__in=assignments_visible_to(user).values("pk"))


def extensions_visible_to(user: User) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(assignment__in=assignments_visible_to(user).values("pk"))


def attachments_visible_to(user: User) -> QuerySet[Attachment]:
    return Attachment.objects.filter(directive__in=directives_visible_to(user).values("pk"))


def tracked_directives(user: User) -> QuerySet[Directive]:
    """Issued directives of the user's agency that a clerk follows up."""
    if not user.is_authenticated or not user.has_perm("directives.track_directive"):
        return Directive.objects.none()
    visible = directives_visible_to(user).filter(status__in=ISSUED_STATES)
    if user.is_superuser:
        return visible
    return visible.filter(issuing_unit_id__in=agency_unit_ids(user))


def tracked_assignments(user: User) -> QuerySet[Assignment]:
    """Assignments a clerk may review: those of the directives their agency issued."""
    return Assignment.objects.filter(
        task__directive__in=tracked_directives(user).values("pk")
    ).filter(pk__in=assignments_visible_to(user).values("pk"))


# ---------------------------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------------------------


def inbox_dispatches(user: User, *, today: datetime.date | None = None) -> QuerySet[Dispatch]:
    """My unit's dispatches: unacknowledged and urgent first, then newest; with task figures."""
    today = today or timezone.localdate()
    if user.unit_id is None or not user.has_perm("directives.receive_directive"):
        return Dispatch.objects.none()
    open_q = Q(assignments__status__in=OPEN_STATUSES)
    return (
        dispatches_visible_to(user)
        .filter(unit_id=user.unit_id)
        .select_related("directive", "directive__issuing_unit")
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
            overdue_count=Count("assignments", filter=open_q & Q(assignments__due_date__lt=today)),
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
        .filter(unit_id=user.unit_id)
        .values_list("pk", "directive__number", "directive__symbol", "directive__subject")
    )
    hits = [
        pk
        for pk, number, symbol, subject in rows
        # Numbers print with two digits ("08/STTTT-TTBCXB"), as on the letter.
        if needle in fold_text(f"{'' if number is None else f'{number:02d}'}/{symbol} {subject}")
    ]
    return queryset.filter(pk__in=hits)


def inbox_dispatch_assignments(dispatch: Dispatch) -> list[Assignment]:
    """My unit's tasks of one dispatch, with their files and extension requests."""
    return list(
        Assignment.objects.filter(dispatch=dispatch)
        .select_related("task", "reviewed_by", "reported_by")
        .prefetch_related("files", "extensions")
        .order_by("task__position", "pk")
    )


def event_labels() -> dict[str, str]:
    """Words for the history lines a unit sees (verbs are stable identifiers, not UI text)."""
    return {
        "issued": _("Issued"),
        "recalled": _("Recalled"),
        "replaced": _("Replaced"),
        "delivered": _("Delivered"),
        "seen": _("Opened for the first time"),
        "acknowledged": _("Receipt acknowledged"),
        "assignment_started": _("Task started"),
        "assignment_reported": _("Task reported done"),
        "assignment_accepted": _("Report accepted"),
        "assignment_returned": _("Report returned"),
        "extension_requested": _("Extension requested"),
        "extension_granted": _("Extension granted"),
        "extension_declined": _("Extension declined"),
        "reminded": _("Reminder sent"),
    }


def history_for_unit(directive: Directive, unit_id: int) -> list:
    """The directive's history as one unit may see it: what the unit did, what was done to its
    assignments, and the directive-wide steps (issue, recall, replacement)."""
    from .models import Event

    labels = event_labels()
    events = list(
        Event.objects.filter(directive=directive)
        .filter(
            Q(unit_id=unit_id)
            | Q(data__unit=unit_id)
            | Q(verb__in=["issued", "recalled", "replaced"])
        )
        .order_by("created_at", "pk")
    )
    for event in events:
        event.label = labels.get(event.verb, event.verb)
        if "task" in event.data:
            event.label = (
                f"{event.label} ({_('task %(position)d') % {'position': event.data['task']}})"
            )
    return events


# ---------------------------------------------------------------------------------------------
# Matrix
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    state: str  # CSS suffix: state-<state> in static/css/portal.css
    label: str
    title: str = ""
    assignment_id: int | None = None
    extension_pending: bool = False


@dataclass
class Row:
    dispatch: Dispatch
    receipt: Cell
    cells: list[Cell]
    late: bool = False


@dataclass
class Matrix:
    directive: Directive
    tasks: list
    rows: list[Row]
    total: int
    summary: list[str] = field(default_factory=list)
    groups: list[RecipientGroup] = field(default_factory=list)


def state_labels() -> dict[str, str]:
    """The words shown in cells, translated once per request rather than once per cell."""
    return {
        "pending": _("Queued"),
        "sent": _("Sent"),
        "seen": _("Seen"),
        "acknowledged": _("Acknowledged"),
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "accepted": _("Accepted"),
        "overdue": _("Overdue"),
        "failed": _("Delivery failed"),
        "not_assigned": _("Not assigned"),
    }


# Cells without a colour of their own borrow a neighbour's.
CSS_STATE = {"not_started": "pending", "not_assigned": "pending"}


def _receipt_cell(dispatch: Dispatch, labels: dict[str, str]) -> Cell:
    if dispatch.acknowledged_at:
        state, when = "acknowledged", dispatch.acknowledged_at
        who = dispatch.acknowledged_by_name
        title = f"{labels[state]} {_fmt(when)}" + (f" — {who}" if who else "")
        return Cell(state, labels[state], title)
    if dispatch.delivery == Dispatch.Delivery.FAILED:
        return Cell("failed", labels["failed"], labels["failed"])
    if dispatch.seen_at:
        return Cell("seen", labels["seen"], f"{labels['seen']} {_fmt(dispatch.seen_at)}")
    if dispatch.delivery == Dispatch.Delivery.SENT:
        return Cell("sent", labels["sent"], f"{labels['sent']} {_fmt(dispatch.delivered_at)}")
    return Cell("pending", labels["pending"], f"{labels['pending']} {_fmt(dispatch.created_at)}")


def _task_cell(
    assignment: Assignment | None,
    dispatch: Dispatch,
    labels: dict[str, str],
    today: datetime.date,
    pending_extension: set[int],
) -> Cell:
    if assignment is None:
        return Cell("pending", labels["not_assigned"], "")
    due = _("due %(date)s") % {"date": _fmt(assignment.due_date)} if assignment.due_date else ""
    ext = assignment.pk in pending_extension
    status = assignment.status
    if status == Assignment.Status.ACCEPTED:
        state, when = "accepted", assignment.reviewed_at
    elif status == Assignment.Status.DONE:
        state, when = "done", assignment.reported_at
    elif assignment.due_date and assignment.due_date < today:
        state, when = "overdue", None
    elif status == Assignment.Status.IN_PROGRESS:
        state, when = "in_progress", assignment.updated_at
    elif dispatch.acknowledged_at:
        state, when = "acknowledged", dispatch.acknowledged_at
    else:
        state, when = "not_started", None
    title = " · ".join(p for p in (f"{labels[state]} {_fmt(when)}".strip(), due) if p)
    return Cell(CSS_STATE.get(state, state), labels[state], title, assignment.pk, ext)


def matrix_build(
    *,
    directive: Directive,
    only_late: bool = False,
    group_id: int | None = None,
    today: datetime.date | None = None,
) -> Matrix:
    """One row per recipient unit (dispatch), a receipt column and one column per task.

    Group filter: a dispatch is a snapshot without a group of its own, so "only one group" uses
    the group's units today (an addressee group of this directive). A unit that left the group
    since issue no longer shows under it; the full matrix still shows it.
    Queries: tasks, dispatches+units, assignments, pending extensions, groups (+1 with a group).
    """
    today = today or timezone.localdate()
    labels = state_labels()
    tasks = list(directive.tasks.order_by("position", "pk"))
    dispatches = list(
        Dispatch.objects.filter(directive=directive)
        .select_related("unit")
        .order_by("unit__sort_order", "unit__name", "pk")
    )
    by_dispatch: dict[tuple[int, int], Assignment] = {}
    for assignment in Assignment.objects.filter(task__directive=directive).only(
        "pk",
        "task_id",
        "dispatch_id",
        "unit_id",
        "status",
        "due_date",
        "reported_at",
        "reviewed_at",
        "updated_at",
    ):
        by_dispatch[(assignment.dispatch_id, assignment.task_id)] = assignment
    pending_extension = set(
        ExtensionRequest.objects.filter(
            assignment__task__directive=directive, status=ExtensionRequest.Status.PENDING
        ).values_list("assignment_id", flat=True)
    )
    groups = list(
        RecipientGroup.objects.filter(addressee__directive=directive).distinct().order_by("name")
    )
    group_units: set[int] | None = None
    if group_id is not None:
        group = next((g for g in groups if g.pk == group_id), None)
        group_units = set(group.current_units().values_list("pk", flat=True)) if group else set()

    rows: list[Row] = []
    acknowledged = overdue = 0
    done_per_task = defaultdict(int)
    assigned_per_task = defaultdict(int)
    for dispatch in dispatches:
        receipt = _receipt_cell(dispatch, labels)
        cells = []
        late = False
        for task in tasks:
            assignment = by_dispatch.get((dispatch.pk, task.pk))
            cell = _task_cell(assignment, dispatch, labels, today, pending_extension)
            cells.append(cell)
            if assignment is not None:
                assigned_per_task[task.pk] += 1
                if assignment.status in FINISHED_STATUSES:
                    done_per_task[task.pk] += 1
                if cell.state == "overdue":
                    late = True
                    overdue += 1
        if dispatch.acknowledged_at:
            acknowledged += 1
        if only_late and not late:
            continue
        if group_units is not None and dispatch.unit_id not in group_units:
            continue
        rows.append(Row(dispatch=dispatch, receipt=receipt, cells=cells, late=late))

    summary = [_("Acknowledged %(a)d/%(n)d") % {"a": acknowledged, "n": len(dispatches)}]
    for task in tasks:
        summary.append(
            _("task %(position)d done %(d)d/%(n)d")
            % {
                "position": task.position,
                "d": done_per_task[task.pk],
                "n": assigned_per_task[task.pk],
            }
        )
    summary.append(_("overdue %(n)d") % {"n": overdue})
    return Matrix(
        directive=directive,
        tasks=tasks,
        rows=rows,
        total=len(dispatches),
        summary=summary,
        groups=groups,
    )


# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------


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
    issued_this_month: int
    awaiting_ack: int
    overdue: int
    overdue_list: list[Assignment]
    recent: list[Directive]
    units: list[UnitFigures]
    chart: dict


def dashboard_build(
    *, user: User, today: datetime.date | None = None, days: int = 365
) -> Dashboard:
    """Figures for the issuing agency over the last `days` days, in a fixed number of queries."""
    today = today or timezone.localdate()
    directives = tracked_directives(user)
    live = directives.filter(status=Directive.Status.ISSUED)
    month_start = timezone.make_aware(datetime.datetime(today.year, today.month, 1))
    since = timezone.now() - datetime.timedelta(days=days)

    issued_this_month = directives.filter(issued_at__gte=month_start).count()
    awaiting_ack = Dispatch.objects.filter(
        directive__in=live.values("pk"), acknowledged_at__isnull=True
    ).count()
    overdue_qs = Assignment.objects.filter(
        task__directive__in=live.values("pk"), status__in=OPEN_STATUSES, due_date__lt=today
    )
    overdue = overdue_qs.count()
    overdue_list = list(
        overdue_qs.select_related("unit", "task", "task__directive").order_by("due_date", "pk")[:20]
    )
    recent = list(
        directives.filter(issued_at__gte=since)
        .annotate(
            n_dispatch=Count("dispatches", distinct=True),
            n_ack=Count(
                "dispatches", filter=Q(dispatches__acknowledged_at__isnull=False), distinct=True
            ),
        )
        .order_by("-issued_at", "-pk")[:15]
    )

    figures: dict[int, UnitFigures] = {}
    ack_hours: dict[int, list[float]] = defaultdict(list)
    window = directives.filter(issued_at__gte=since).values("pk")
    for unit_id, name, created, issued, acked in Dispatch.objects.filter(
        directive__in=window
    ).values_list("unit_id", "unit__name", "created_at", "directive__issued_at", "acknowledged_at"):
        fig = figures.setdefault(unit_id, UnitFigures(unit_id=unit_id, name=name))
        fig.dispatches += 1
        if acked:
            fig.acknowledged += 1
            start = issued or created
            ack_hours[unit_id].append(max(0.0, (acked - start).total_seconds() / 3600))
    for unit_id, name, due, status, reported in Assignment.objects.filter(
        task__directive__in=window, due_date__isnull=False
    ).values_list("unit_id", "unit__name", "due_date", "status", "reported_at"):
        finished = status in FINISHED_STATUSES and reported is not None
        if not finished and due >= today:
            continue  # not due yet: neither on time nor late
        fig = figures.setdefault(unit_id, UnitFigures(unit_id=unit_id, name=name))
        fig.due += 1
        if finished and timezone.localdate(reported) <= due:
            fig.on_time += 1
    for unit_id, hours in ack_hours.items():
        figures[unit_id].median_ack_hours = round(statistics.median(hours), 1)

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
        issued_this_month=issued_this_month,
        awaiting_ack=awaiting_ack,
        overdue=overdue,
        overdue_list=overdue_list,
        recent=recent,
        units=units,
        chart=chart,
    )
