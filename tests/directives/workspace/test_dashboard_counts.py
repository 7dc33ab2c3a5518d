"""The dashboard counts late and on-time reports in the database, against each assignment's
effective deadline (`Assignment.effective_due_date`): the figures must be those of the rule
itself (workdays.is_overdue, reported_on_time) for deadlines on weekends and over Tết 2026
(16-20 February), for reports made late in the evening (a Vietnamese date, not a UTC one), and
after an extension moves a deadline."""

from __future__ import annotations

import datetime
import statistics

import pytest
from django.utils import timezone

from directives.models import Assignment, Directive, Dispatch, ExtensionRequest
from directives.selectors.dashboard import dashboard_build
from directives.services import extensions
from directives.workdays import (
    REGISTER_TZ,
    effective_deadline,
    is_overdue,
    local_today,
    reported_on_time,
)
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory

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


def test_the_acknowledgement_figures_and_all_time_counts_are_the_rules(
    agency, clerk, unit_x, unit_y
):
    """Per unit over the year: letters received, acknowledged, and the median of the hours each
    waited (odd and even counts, one acknowledged before the issue's moment counts as 0 h, a
    unit that acknowledged nothing has none); over every year: the letters waiting for
    acknowledgement and the tasks overdue, of the agency's live letters only."""
    quiet = UnitFactory(code="QUIET", name="Đơn vị chưa xác nhận")
    other_agency = UnitFactory(code="STC", name="Sở Tài chính")
    now = timezone.now()
    units = [unit_x, unit_y, quiet]
    letters = [make_issued(units=units, issuing_unit=agency, tasks=1) for _ in range(4)]
    old = make_issued(units=units, issuing_unit=agency, tasks=1, deadline=D(2019, 3, 1))
    recalled = make_issued(units=units, issuing_unit=agency, tasks=1, deadline=D(2019, 3, 1))
    foreign = make_issued(units=units, issuing_unit=other_agency, tasks=1, deadline=D(2019, 3, 1))
    for n, letter in enumerate(letters):
        Directive.objects.filter(pk=letter.pk).update(
            issued_at=now - datetime.timedelta(days=n + 1)
        )
    Directive.objects.filter(pk=old.pk).update(issued_at=now - datetime.timedelta(days=800))
    Directive.objects.filter(pk=recalled.pk).update(status=Directive.Status.RECALLED)
    waits = {unit_x.pk: [1, 5, 30, -2], unit_y.pk: [0.5, 7, 48]}  # hours; -2: before the issue
    for unit_id, hours in waits.items():
        for letter, wait in zip(letters, hours, strict=False):
            issued_at = Directive.objects.get(pk=letter.pk).issued_at
            Dispatch.objects.filter(directive=letter, unit_id=unit_id).update(
                acknowledged_at=issued_at + datetime.timedelta(hours=wait)
            )
    Dispatch.objects.filter(directive=old, unit=unit_x).update(acknowledged_at=now)

    board = dashboard_build(user=clerk)

    year = [*letters, recalled]
    figures = {f.unit_id: (f.dispatches, f.acknowledged, f.median_ack_hours) for f in board.units}
    expected = {}
    for unit in units:
        received = Dispatch.objects.filter(directive__in=year, unit=unit)
        hours = sorted(
            max(0.0, (d.acknowledged_at - d.directive.issued_at).total_seconds() / 3600)
            for d in received.select_related("directive")
            if d.acknowledged_at
        )
        median = round(statistics.median(hours), 1) if hours else None
        expected[unit.pk] = (received.count(), len(hours), median)
    assert figures == expected
    assert expected[unit_x.pk][2] == 3.0 and expected[unit_y.pk][2] == 7.0
    assert expected[quiet.pk] == (5, 0, None)

    live = [*letters, old]
    assert (
        board.awaiting_ack
        == Dispatch.objects.filter(directive__in=live, acknowledged_at__isnull=True).count()
    )
    assert board.awaiting_ack == 3 * 5 - 7 - 1
    today = local_today()
    overdue = [
        a
        for a in Assignment.objects.filter(task__directive__in=live)
        if a.status in Assignment.OPEN_STATUSES and is_overdue(a.due_date, today=today)
    ]
    assert board.overdue == len(overdue) == 3  # the old letter's; not the recalled one's
    assert {a.pk for a in board.overdue_list} == {a.pk for a in overdue}
    assert foreign.pk not in {d.pk for d in board.recent}
