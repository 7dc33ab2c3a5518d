"""Distribution inside the receiving unit: the Sở's head assigns a letter and its tasks to a
division or an officer, the handler reports to the head, the head approves (the report goes to
the issuer) or returns it; a unit with one officer keeps the one-step flow. And the story across
two issuing units: Chư Păh's matrix shows 01 → 03 → 04 → 05 → 06."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from directives.errors import PermissionDeniedError
from directives.models import Assignment, Dispatch, Event, Notification
from directives.selectors.matrix import matrix_build
from directives.selectors.moves import assignment_moves, entry_moves
from directives.selectors.todo import HEAD_REVIEW, TO_ASSIGN, head_todo, menu_counts
from directives.services.assignments import assignment_report, assignment_start
from directives.services.distribution import (
    assignment_hand_over,
    assignment_handler_report,
    assignment_head_approve,
    assignment_head_return,
    incoming_entry_assign,
)
from directives.services.incoming import dispatch_accept
from directives.workdays import local_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def task_of_sttt(to_sttt) -> Assignment:
    return Assignment.objects.select_related("task__directive", "dispatch").get(dispatch=to_sttt)


def _fresh(assignment: Assignment) -> Assignment:
    return Assignment.objects.select_related("task__directive", "dispatch").get(pk=assignment.pk)


def code_of(directive, unit) -> str:
    return next(
        r for r in matrix_build(directive=directive).rows if r.dispatch.unit == unit
    ).receiving.code


def test_the_head_assigns_the_letter_and_its_tasks_to_a_division(
    clerk, head, division, division_officer, to_sttt, task_of_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    due = local_today() + datetime.timedelta(days=7)
    entry = incoming_entry_assign(
        entry=entry, by=head, handler_unit=division, due_date=due, note="Phòng TTBCXB tham mưu"
    )
    assert (entry.handler_unit, entry.handler_due_date, entry.assigned_by) == (division, due, head)
    task = _fresh(task_of_sttt)
    assert (task.handler_unit, task.handler_due_date, task.handler_note) == (
        division,
        due,
        "Phòng TTBCXB tham mưu",
    )
    assert Event.objects.filter(verb="incoming_assigned", incoming_entry=entry).exists()
    # The division's officer now starts and reports; the Sở's officers no longer report directly.
    moves = assignment_moves(assignment=task, user=division_officer)
    assert moves.start and moves.report_to_head and not moves.report


def test_a_deadline_after_the_issuers_is_refused_and_nothing_changes(
    clerk, head, division, division_officer, to_sttt, task_of_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    late = task_of_sttt.due_date + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="không được sau hạn của cơ quan ban hành"):
        incoming_entry_assign(entry=entry, by=head, handler_unit=division, due_date=late)
    with pytest.raises(ValidationError, match="không được sau hạn của cơ quan ban hành"):
        assignment_hand_over(assignment=task_of_sttt, by=head, handler_unit=division, due_date=late)
    entry.refresh_from_db()
    task = _fresh(task_of_sttt)
    assert entry.handler_unit is None and task.handler_unit is None and task.handler_user is None


def test_only_the_head_assigns_and_only_to_the_units_own_people(
    clerk, head, division, division_officer, to_sttt, task_of_sttt, press_officer, press
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    with pytest.raises(PermissionDeniedError):
        incoming_entry_assign(entry=entry, by=clerk, handler_unit=division)
    with pytest.raises(PermissionDeniedError):
        assignment_hand_over(assignment=task_of_sttt, by=division_officer, handler_unit=division)
    with pytest.raises(ValidationError, match="phòng, ban"):
        incoming_entry_assign(entry=entry, by=head, handler_unit=press)
    with pytest.raises(ValidationError, match="cán bộ"):
        assignment_hand_over(assignment=task_of_sttt, by=head, handler_user=press_officer)
    with pytest.raises(
        ValidationError, match="cán bộ"
    ):  # a division's officer: hand to the division
        assignment_hand_over(assignment=task_of_sttt, by=head, handler_user=division_officer)
    assert _fresh(task_of_sttt).handler_unit is None


def test_the_handler_reports_the_head_returns_then_approves(
    clerk, head, division, division_officer, to_sttt, task_of_sttt
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    assignment_hand_over(assignment=task_of_sttt, by=head, handler_unit=division)
    assignment_start(assignment=task_of_sttt, by=division_officer)
    task = assignment_handler_report(
        assignment=_fresh(task_of_sttt), by=division_officer, text="Đã đăng 12 tin bài."
    )
    assert task.head_review == Assignment.HeadReview.WAITING
    assert task.status == Assignment.Status.IN_PROGRESS and task.report_text == ""  # not sent yet
    # The head's menu counts what the to-do page lists: the letter itself, not handed to
    # anyone yet, and the report waiting.
    assert sorted(i.kind for i in head_todo(head)) == sorted([HEAD_REVIEW, TO_ASSIGN])
    assert menu_counts(head).to_review == 2
    with pytest.raises(ValidationError):
        assignment_head_return(assignment=task, by=head, reason="  ")
    with pytest.raises(PermissionDeniedError):
        assignment_head_approve(assignment=task, by=division_officer)
    task = assignment_head_return(assignment=_fresh(task), by=head, reason="Bổ sung số liệu.")
    assert (task.head_review, task.head_comment) == ("returned", "Bổ sung số liệu.")
    assert task.status == Assignment.Status.IN_PROGRESS
    task = assignment_handler_report(
        assignment=_fresh(task), by=division_officer, text="Đã đăng 12 tin bài, 3 phóng sự."
    )
    task = assignment_head_approve(assignment=_fresh(task), by=head)
    assert menu_counts(head).to_review == 1  # the letter itself
    # Each report handed to the head told the head once, in the portal; nobody else.
    review = Notification.objects.filter(kind="report_to_review", channel="in_app")
    assert list(review.values_list("user_id", flat=True)) == [head.pk, head.pk]
    assert task.status == Assignment.Status.DONE
    assert task.report_text == "Đã đăng 12 tin bài, 3 phóng sự."
    assert task.reported_by == division_officer and task.head_review == ""
    assert Event.objects.filter(verb="assignment_reported", data__approved_by_head=head.pk).exists()


def test_without_a_handler_the_handlers_report_is_refused(
    clerk, head, division, division_officer, to_sttt, task_of_sttt
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    with pytest.raises(PermissionDeniedError):
        assignment_handler_report(assignment=task_of_sttt, by=division_officer, text="Xong.")
    assert _fresh(task_of_sttt).head_review == ""


def test_a_unit_with_one_officer_keeps_the_one_step_flow(press, press_officer, to_press):
    press_officer.is_unit_head = True
    press_officer.save(update_fields=["is_unit_head"])
    entry = dispatch_accept(dispatch=to_press, by=press_officer)
    task = Assignment.objects.select_related("task__directive", "dispatch").get(dispatch=to_press)
    assert not entry_moves(entry=entry, user=press_officer).assign
    moves = assignment_moves(assignment=task, user=press_officer)
    assert moves.report and not moves.hand_over
    with pytest.raises(PermissionDeniedError):
        assignment_hand_over(assignment=task, by=press_officer, handler_user=press_officer)
    task = assignment_report(assignment=task, by=press_officer, text="Đã đăng tin.")
    assert task.status == Assignment.Status.DONE  # straight to the issuer


def test_the_story_across_two_issuing_units(clerk, head, division, division_officer, letter, sttt):
    """Chư Păh issues to the Sở; the Sở's clerk accepts it (arrival number 1); its head assigns it
    to a division; the division reports; the head approves: Chư Păh sees 01 → 03 → 04 → 05 → 06."""
    assert letter.issuing_unit.code == "UBND.CHUPAH"
    to_sttt = Dispatch.objects.get(directive=letter, unit=sttt)
    assert code_of(letter, sttt) == "01"
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    assert entry.arrival_number == 1
    assert code_of(letter, sttt) == "03"
    incoming_entry_assign(
        entry=entry, by=head, handler_unit=division, due_date=local_today(), note="Xử lý ngay"
    )
    assert code_of(letter, sttt) == "04"
    task = Assignment.objects.get(dispatch=to_sttt)
    assignment_start(assignment=task, by=division_officer)
    assert code_of(letter, sttt) == "05"
    assignment_handler_report(assignment=task, by=division_officer, text="Đã triển khai.")
    assert code_of(letter, sttt) == "05"  # waiting for the head's review
    assignment_head_approve(assignment=task, by=head)
    assert code_of(letter, sttt) == "06"
