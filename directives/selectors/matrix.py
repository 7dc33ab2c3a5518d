"""The clerk's tracking matrix of one directive: a row per unit, a cell per task.

A fixed number of queries whatever the number of units: rows are fetched in bulk and joined
in Python through dicts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.models import Assignment, Directive, Dispatch, ExtensionRequest
from directives.selectors.incoming import ReceivingState, receiving_entries_of, receiving_state
from directives.workdays import is_overdue, local_today
from recipients.models import RecipientGroup


class Cell(NamedTuple):
    """One cell: a tuple, since a 500-unit matrix makes thousands of them per page."""

    state: str  # CSS suffix: state-<state> in static/css/portal.css
    label: str
    title: str = ""
    assignment_id: int | None = None
    extension_pending: bool = False


@dataclass(slots=True)
class Row:
    dispatch: Dispatch
    receipt: Cell
    cells: list[Cell]
    late: bool = False
    # The receiving unit's status as edXML codes it (01 arrived .. 06 done).
    receiving: ReceivingState = ReceivingState("", "")


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
        "withdrawn": _("Not sent (recalled)"),
        "not_assigned": _("Not assigned"),
    }


# Cells without a colour of their own borrow a neighbour's.
CSS_STATE = {"not_started": "pending", "not_assigned": "pending"}


class _Dates:
    """The cells' dates as _fmt writes them, each worked out once per page: a matrix repeats
    the same few moments (the issue, a day's reports) hundreds of times."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.seen: dict = {}

    def __call__(self, value: datetime.datetime | datetime.date | None) -> str:
        if value is None:
            return ""
        text = self.seen.get(value)
        if text is None:
            if isinstance(value, datetime.datetime):
                text = value.astimezone(self.tz).strftime("%d/%m/%Y %H:%M")
            else:
                text = value.strftime("%d/%m/%Y")
            self.seen[value] = text
        return text


def _receipt_cell(dispatch: Dispatch, labels: dict[str, str], fmt: _Dates) -> Cell:
    if dispatch.acknowledged_at:
        state, when = "acknowledged", dispatch.acknowledged_at
        who = dispatch.acknowledged_by_name
        title = f"{labels[state]} {fmt(when)}" + (f" — {who}" if who else "")
        return Cell(state, labels[state], title)
    if dispatch.delivery == Dispatch.Delivery.FAILED:
        return Cell("failed", labels["failed"], labels["failed"])
    if dispatch.delivery == Dispatch.Delivery.WITHDRAWN:
        # Recalled or replaced before anything of the delivery reached the unit.
        return Cell("withdrawn", labels["withdrawn"], labels["withdrawn"])
    if dispatch.seen_at:
        return Cell("seen", labels["seen"], f"{labels['seen']} {fmt(dispatch.seen_at)}")
    if dispatch.delivery == Dispatch.Delivery.SENT:
        return Cell("sent", labels["sent"], f"{labels['sent']} {fmt(dispatch.delivered_at)}")
    return Cell("pending", labels["pending"], f"{labels['pending']} {fmt(dispatch.created_at)}")


class _Assigned(NamedTuple):
    """The columns of an assignment the matrix reads, as a row of values (no model instance
    per cell); `pk` is None for one the PDF job has not written yet."""

    pk: int | None
    task_id: int
    dispatch_id: int
    status: str
    due_date: datetime.date | None
    # The moment its cell shows (`_SHOWN_AT`): accepted, reported, or last worked on.
    shown_at: datetime.datetime | None = None
    handler_unit_id: int | None = None
    handler_user_id: int | None = None


# Picked by the database: one moment read and parsed per assignment rather than three (a
# 500-unit letter with three tasks has 1,500 of them).
_SHOWN_AT = Case(
    When(status=Assignment.Status.ACCEPTED, then=F("reviewed_at")),
    When(status=Assignment.Status.DONE, then=F("reported_at")),
    When(status=Assignment.Status.IN_PROGRESS, then=F("updated_at")),
    default=None,
)

_ASSIGNED_COLUMNS = (
    "pk",
    "task_id",
    "dispatch_id",
    "status",
    "due_date",
    "shown_at",
    "handler_unit_id",
    "handler_user_id",
)


def _task_cell(
    assignment: _Assigned | None,
    dispatch: Dispatch,
    labels: dict[str, str],
    today: datetime.date,
    pending_extension: set[int],
    fmt: _Dates,
    due_words: str,
) -> Cell:
    if assignment is None:
        return Cell("pending", labels["not_assigned"], "")
    due = due_words % {"date": fmt(assignment.due_date)} if assignment.due_date else ""
    ext = assignment.pk in pending_extension
    status = assignment.status
    if status == Assignment.Status.ACCEPTED:
        state, when = "accepted", assignment.shown_at
    elif status == Assignment.Status.DONE:
        state, when = "done", assignment.shown_at
    elif status in Assignment.OPEN_STATUSES and is_overdue(assignment.due_date, today=today):
        state, when = "overdue", None
    elif status == Assignment.Status.IN_PROGRESS:
        state, when = "in_progress", assignment.shown_at
    elif dispatch.acknowledged_at:
        state, when = "acknowledged", dispatch.acknowledged_at
    else:
        state, when = "not_started", None
    title = " · ".join(p for p in (f"{labels[state]} {fmt(when)}".strip(), due) if p)
    return Cell(CSS_STATE.get(state, state), labels[state], title, assignment.pk, ext)


def _pending_assignments(
    directive: Directive, tasks: list, dispatches: list[Dispatch]
) -> dict[tuple[int, int], _Assigned]:
    """The assignments issue left for the PDF job to write, as they will be written (not
    started, due on the task's deadline): the matrix reads the same moments before and after.
    Unsaved, so their cells link nowhere; written ones read after them replace them."""
    pending = directive.pending_assignments or {}
    if not pending:
        return {}
    deadlines = {task.pk: task.deadline for task in tasks}
    dispatch_of = {dispatch.unit_id: dispatch.pk for dispatch in dispatches}
    found: dict[tuple[int, int], _Assigned] = {}
    for key, unit_ids in pending.items():
        task_id = int(key)
        if task_id not in deadlines:
            continue
        for unit_id in unit_ids:
            if unit_id in dispatch_of:
                found[(dispatch_of[unit_id], task_id)] = _Assigned(
                    pk=None,
                    task_id=task_id,
                    dispatch_id=dispatch_of[unit_id],
                    status=Assignment.Status.PENDING,
                    due_date=deadlines[task_id],
                )
    return found


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
    Queries: tasks, dispatches+units, assignments (as values, also read for the receiving
    status), pending extensions, groups (+1 with a group), and the receiving side's entries.
    """
    today = today or local_today()
    labels = state_labels()
    fmt = _Dates()
    due_words = _("due %(date)s")
    tasks = list(directive.tasks.order_by("position", "pk"))
    dispatches = list(
        Dispatch.objects.filter(directive=directive)
        .select_related("unit")
        .only(
            "pk",
            "directive_id",
            "unit_id",
            "delivery",
            "created_at",
            "delivered_at",
            "seen_at",
            "acknowledged_at",
            "acknowledged_by_name",
            "edxml_status",
            "edxml_status_text",
            "unit__code",
            "unit__name",
            "unit__sort_order",
        )
        .order_by("unit__sort_order", "unit__name", "pk")
    )
    by_dispatch = _pending_assignments(directive, tasks, dispatches)
    statuses: dict[int, list[str]] = {}
    handed: set[int] = set()
    for values in (
        Assignment.objects.filter(task__directive=directive)
        .order_by()
        .annotate(shown_at=_SHOWN_AT)
        .values_list(*_ASSIGNED_COLUMNS)
    ):
        assignment = _Assigned(*values)
        by_dispatch[(assignment.dispatch_id, assignment.task_id)] = assignment
        statuses.setdefault(assignment.dispatch_id, []).append(assignment.status)
        if assignment.handler_unit_id or assignment.handler_user_id:
            handed.add(assignment.dispatch_id)
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

    entries = receiving_entries_of(directive)
    rows: list[Row] = []
    acknowledged = overdue = 0
    done_per_task = defaultdict(int)
    assigned_per_task = defaultdict(int)
    finished = Assignment.FINISHED_STATUSES
    for dispatch in dispatches:
        receipt = _receipt_cell(dispatch, labels, fmt)
        cells = []
        late = False
        for task in tasks:
            assignment = by_dispatch.get((dispatch.pk, task.pk))
            cell = _task_cell(
                assignment, dispatch, labels, today, pending_extension, fmt, due_words
            )
            cells.append(cell)
            if assignment is not None:
                assigned_per_task[task.pk] += 1
                if assignment.status in finished:
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
        rows.append(
            Row(
                dispatch=dispatch,
                receipt=receipt,
                cells=cells,
                late=late,
                receiving=receiving_state(
                    dispatch,
                    entries.get(dispatch.pk),
                    statuses.get(dispatch.pk, ()),
                    handed=dispatch.pk in handed,
                ),
            )
        )

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
