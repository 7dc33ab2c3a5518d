"""The dashboard counts late and on-time reports in the database, against each assignment's
effective deadline (`Assignment.effective_due_date`): the figures must be those of the rule
itself (workdays.is_overdue, reported_on_time) for deadlines on weekends and over Tết 2026
(16-20 February), for reports made late in the evening (a Vietnamese date, not a UTC one), and
after an extension moves a deadline."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from directives.models import Assignment, ExtensionRequest
from directives.selectors.dashboard import dashboard_build
from directives.services import extensions
from directives.workdays import REGISTER_TZ, effective_deadline, is_overdue, reported_on_time
from tests.directives.workspace.data import make_issued

pytestmark = pytest.mark.django_db
D = datetime.date


def expected_figures(scope, today: datetime.date) -> dict[int, tuple[int, int]]:
    """The rule, row by row in Python: (due, on time) per unit."""
    figures: dict[int, list[int]] = {}
    for a in scope:
        if a.due_date is None:
            continue
        finished = a.status in Assignment.FINISHED_STATUSES and a.reported_at is not None
        if not finished and not is_overdue(a.due_date, today=today):
            continue
        fig = figures.setdefault(a.unit_id, [0, 0])
        fig[0] += 1
        reported_on = a.reported_at.astimezone(REGISTER_TZ).date() if finished else None
        if finished and reported_on_time(a.due_date, reported_on=reported_on):
            fig[1] += 1
    return {unit: (due, on_time) for unit, (due, on_time) in figures.items()}


def test_the_dashboard_counts_as_the_rule_over_tet_weekends_and_evenings(
    monkeypatch, agency, clerk, unit_x, unit_y
):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 3, 20, 2, tzinfo=datetime.UTC)
    )
    dues = [D(2026, 2, 10) + datetime.timedelta(days=n) for n in range(20)]  # Tết inside
    directive = make_issued(units=[unit_x, unit_y], issuing_unit=agency, tasks=len(dues))
    statuses = ["pending", "in_progress", "done", "accepted"]
    rows = list(Assignment.objects.filter(task__directive=directive).order_by("pk"))
    for i, row in enumerate(rows):
        due = dues[i % len(dues)]
        row.due_date = due
        row.status = statuses[i % len(statuses)]
        if row.status in Assignment.FINISHED_STATUSES:
            # 0 to 6 days after the deadline, at 23:30 in Vietnam (16:30 UTC) or 07:00.
            day = due + datetime.timedelta(days=i % 7)
            hour = datetime.time(23, 30) if i % 2 else datetime.time(7)
            row.reported_at = datetime.datetime.combine(day, hour, tzinfo=REGISTER_TZ)
        # Through save(): the effective deadline is kept with the due date.
        row.save(update_fields=["due_date", "status", "reported_at"])
    scope = list(Assignment.objects.filter(task__directive=directive))
    assert all(a.effective_due_date == effective_deadline(a.due_date) for a in scope)
    assert any(a.effective_due_date != a.due_date for a in scope)  # weekends and Tết moved
    for today in [D(2026, 2, 14), D(2026, 2, 21), D(2026, 2, 24), D(2026, 3, 2), D(2026, 3, 19)]:
        board = dashboard_build(user=clerk, today=today)
        found = {f.unit_id: (f.due, f.on_time) for f in board.units if f.due}
        assert found == expected_figures(scope, today), today
    assert any(on_time for _due, on_time in found.values())
    assert any(due > on_time for due, on_time in found.values())


def test_an_extension_moves_the_effective_deadline(monkeypatch, agency, clerk, unit_x, officer_x):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC)
    )
    directive = make_issued(units=[unit_x], issuing_unit=agency, tasks=1, deadline=D(2026, 3, 6))
    assignment = Assignment.objects.get(task__directive=directive)
    assert assignment.effective_due_date == D(2026, 3, 6)  # a Friday
    request = extensions.extension_request_create(
        assignment=assignment, by=officer_x, requested_date=D(2026, 3, 14), reason="Chờ số liệu"
    )
    decided = extensions.extension_request_decide(extension=request, by=clerk, grant=True)
    assignment.refresh_from_db()
    assert decided.status == ExtensionRequest.Status.GRANTED
    # Saturday 14 March falls on Monday 16 March.
    assert (assignment.due_date, assignment.effective_due_date) == (D(2026, 3, 14), D(2026, 3, 16))
