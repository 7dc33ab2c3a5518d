"""One definition of "overdue" (working days, as the reminders count) on every page and in every
notice: a task due on Saturday 7 March 2026 moves to Monday 9 March, so it is not overdue on
Sunday nor on Monday, and it is on Tuesday 10 March. Also the database filter against the rule
over weeks that hold Tết 2026 (16-20 February) and weekends."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from directives.exports import FILLS
from directives.models import Assignment, Dispatch, Event, Notification
from directives.selectors.dashboard import dashboard_build
from directives.selectors.inbox import inbox_dispatch_assignments, inbox_dispatches
from directives.selectors.matrix import matrix_build
from directives.selectors.workspace import assignment_is_overdue, overdue_q
from directives.services import assignments
from directives.services.reminders import assignment_reminder_kind, digests_send, reminders_send
from directives.workdays import REGISTER_TZ, is_overdue, overdue_cutoff, reported_on_time
from tests.directives.workspace.data import make_issued

pytestmark = pytest.mark.django_db
D = datetime.date

SATURDAY = D(2026, 3, 7)
SUNDAY, MONDAY, TUESDAY = D(2026, 3, 8), D(2026, 3, 9), D(2026, 3, 10)
DAYS = [(SUNDAY, False), (MONDAY, False), (TUESDAY, True)]


def span(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def at_nine(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=REGISTER_TZ)


@pytest.fixture
def pin_day(monkeypatch):
    """Pages read today from the clock (local_today): pin it to 9:00 in Vietnam on `day`."""

    def pin(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "now", lambda: at_nine(day))

    return pin


@pytest.fixture
def saturday_task(agency, clerk, unit_x, officer_x, pin_day) -> Assignment:
    """A letter issued on Monday 2 March, acknowledged at once, one task due Saturday 7 March."""
    pin_day(D(2026, 3, 2))
    directive = make_issued(units=[unit_x], issuing_unit=agency, tasks=1, deadline=SATURDAY)
    Dispatch.objects.filter(directive=directive).update(acknowledged_at=at_nine(D(2026, 3, 2)))
    return Assignment.objects.get(task__directive=directive)


# --- the rule and its database twin -------------------------------------------------------------


def test_is_overdue_moves_a_weekend_deadline_to_monday():
    assert [is_overdue(SATURDAY, today=d) for d, _ in DAYS] == [False, False, True]
    assert not is_overdue(None, today=TUESDAY)
    # Due on the first day of Tết 2026: the deadline falls on Monday 23 February.
    assert not is_overdue(D(2026, 2, 16), today=D(2026, 2, 23))
    assert is_overdue(D(2026, 2, 16), today=D(2026, 2, 24))


def test_reported_on_time_counts_the_same_working_days():
    assert reported_on_time(SATURDAY, reported_on=MONDAY)
    assert not reported_on_time(SATURDAY, reported_on=TUESDAY)
    assert reported_on_time(None, reported_on=TUESDAY)


def test_the_cutoff_agrees_with_is_overdue_over_tet_and_weekends():
    dues = span(D(2026, 1, 20), D(2026, 3, 15))
    for today in span(D(2026, 2, 1), D(2026, 3, 10)):
        cutoff = overdue_cutoff(today)
        for due in dues:
            assert (due <= cutoff) == is_overdue(due, today=today), (today, due)


def test_the_database_filter_agrees_with_the_rule_for_every_due_date(unit_x, agency):
    """One open and one finished task per due date, from 20 January to 15 March 2026."""
    dues = span(D(2026, 1, 20), D(2026, 3, 15))
    directive = make_issued(units=[unit_x], issuing_unit=agency, tasks=2 * len(dues))
    rows = list(Assignment.objects.filter(task__directive=directive).order_by("task__position"))
    for i, row in enumerate(rows):
        row.due_date = dues[i // 2]
        row.status = Assignment.Status.PENDING if i % 2 else Assignment.Status.DONE
    Assignment.objects.bulk_update(rows, ["due_date", "status"])
    scope = Assignment.objects.filter(task__directive=directive)
    for today in span(D(2026, 2, 1), D(2026, 3, 10)):
        found = set(scope.filter(overdue_q(today=today)).values_list("pk", flat=True))
        expected = {r.pk for r in rows if assignment_is_overdue(r, today=today)}
        assert found == expected, today
        assert expected  # some are overdue every day of the window (due 20 January)


# --- through the selectors and services ------------------------------------------------------


@pytest.mark.parametrize(("today", "overdue"), DAYS)
def test_saturday_task_through_the_selectors(
    today, overdue, saturday_task, clerk, officer_x, unit_x
):
    directive = saturday_task.task.directive
    matrix = matrix_build(directive=directive, today=today)
    assert (matrix.rows[0].cells[0].state == "overdue") is overdue
    assert matrix.rows[0].late is overdue
    assert len(matrix_build(directive=directive, only_late=True, today=today).rows) == overdue
    board = dashboard_build(user=clerk, today=today)
    assert board.overdue == overdue
    assert [a.pk for a in board.overdue_list] == ([saturday_task.pk] if overdue else [])
    assert inbox_dispatches(officer_x, today=today).get().overdue_count == overdue
    (mine,) = inbox_dispatch_assignments(saturday_task.dispatch, today=today)
    assert mine.overdue is overdue


@pytest.mark.parametrize(("today", "overdue"), DAYS)
def test_saturday_task_reminders(today, overdue, saturday_task, clerk, unit_x):
    kind = assignment_reminder_kind(SATURDAY, today)
    assert (kind == "overdue") is overdue
    reminders_send(today=today)
    sent = Notification.objects.filter(kind="reminder_overdue", unit=unit_x)
    assert sent.exists() is overdue
    if today == MONDAY:
        assert Notification.objects.filter(kind="reminder_due_today", unit=unit_x).exists()
    digests_send(today=today)
    digest = Notification.objects.filter(kind="digest").first()
    # A digest goes out only with something to tell: here, the overdue task.
    assert (digest is not None) is overdue
    if digest is not None:
        assert unit_x.name in digest.body


@pytest.mark.parametrize(("day", "on_time"), [(MONDAY, True), (TUESDAY, False)])
def test_a_report_on_the_monday_after_a_saturday_deadline_is_on_time(
    day, on_time, saturday_task, clerk, officer_x, pin_day
):
    pin_day(day)
    assignments.assignment_report(assignment=saturday_task, by=officer_x, text="Xong")
    event = Event.objects.get(verb="assignment_reported")
    assert event.data["on_time"] is on_time
    (figures,) = dashboard_build(user=clerk, today=TUESDAY + datetime.timedelta(days=7)).units
    assert (figures.due, figures.on_time) == (1, int(on_time))


# --- through the pages -------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "overdue"), DAYS)
def test_saturday_task_through_the_clerks_pages(
    client, today, overdue, saturday_task, clerk, unit_x, pin_day
):
    pin_day(today)
    client.force_login(clerk)
    pk = saturday_task.task.directive_id
    page = client.get(reverse("directives:matrix", args=[pk]))
    assert (page.context["matrix"].rows[0].cells[0].state == "overdue") is overdue
    assert page.context["matrix"].summary[-1].endswith(str(int(overdue)))
    late = client.get(reverse("directives:matrix", args=[pk]), {"late": "1"})
    assert len(late.context["matrix"].rows) == overdue

    board = client.get(reverse("directives:dashboard"))
    assert board.context["board"].overdue == overdue
    assert f'data-testid="overdue">{int(overdue)}<' in board.content.decode()

    xlsx = client.get(reverse("directives:matrix_xlsx", args=[pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == unit_x.name)
    task_cell = row[6]  # unit, code, receipt, its time, edXML code and words, then task 1
    assert task_cell.fill.fgColor.rgb.endswith(FILLS["overdue"]) is overdue
    overdue_word = page.context["labels"]["overdue"]
    text = client.get(reverse("directives:matrix_csv", args=[pk])).content.decode("utf-8-sig")
    line = next(r for r in csv.reader(io.StringIO(text)) if r and r[0] == unit_x.name)
    assert (line[6] == overdue_word) is overdue


@pytest.mark.parametrize(("today", "overdue"), DAYS)
def test_saturday_task_through_the_units_pages(
    client, today, overdue, saturday_task, officer_x, pin_day
):
    pin_day(today)
    client.force_login(officer_x)
    inbox = client.get(reverse("directives:inbox"))
    (listed,) = inbox.context["page"].object_list
    assert listed.overdue_count == overdue
    filtered = client.get(reverse("directives:inbox"), {"due": "overdue"})
    assert len(filtered.context["page"].object_list) == overdue
    soon = client.get(reverse("directives:inbox"), {"due": "soon"})
    assert len(soon.context["page"].object_list) == (not overdue)  # one or the other
    detail = client.get(reverse("directives:inbox_detail", args=[saturday_task.dispatch_id]))
    assert ('data-testid="task-overdue"' in detail.content.decode()) is overdue
