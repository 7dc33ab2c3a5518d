"""Distribution inside the receiving unit (Nghị định 30/2020/NĐ-CP, Điều 24): the unit's head
assigns an accepted letter and each of the unit's tasks to one of its divisions or officers,
with a deadline (never after the issuer's) and a note; the handler starts and reports to the
head; the head approves (the report goes to the issuer, as a one-step report does) or returns it
with a reason. A unit with one officer and no divisions keeps the one-step flow.

Every function is one transaction, checks its move in `selectors/moves.py` and writes an Event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directives import jobs
from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Assignment, Directive, IncomingEntry, ReportFile
from directives.selectors.moves import assignment_moves, entry_moves
from directives.services.assignments import report_files_check, report_files_store
from directives.services.events import event_record
from directives.services.notices import people
from directives.workdays import local_today, reported_on_time
from recipients.models import Unit, User

NOTE_MAX = 1000
REPORT_MAX = 20000


def _handler_check(
    *, unit: Unit, handler_unit: Unit | None, handler_user: User | None
) -> tuple[Unit | None, User | None]:
    """One handler, and one of the unit's own: an active division of it, or an active officer."""
    # Keyed by the form's (and the API's) field, which names the division or the officer.
    if (handler_unit is None) == (handler_user is None):
        raise ValidationError({"handler": _("Choose one division or one officer to handle it.")})
    if handler_unit is not None and not (
        handler_unit.parent_id == unit.pk and handler_unit.is_active
    ):
        raise ValidationError({"handler": _("Choose a division of your unit.")})
    if handler_user is not None and not (
        handler_user.unit_id == unit.pk
        and handler_user.is_active
        and handler_user.has_perm("directives.receive_directive")
    ):
        raise ValidationError({"handler": _("Choose an officer of your unit.")})
    return handler_unit, handler_user


def _due_check(due_date: datetime.date | None, issuer_due: list[datetime.date]) -> None:
    if due_date is None:
        return
    if due_date < local_today():
        raise ValidationError(_("The deadline cannot be in the past."))
    if issuer_due and due_date > min(issuer_due):
        raise ValidationError(
            _("The deadline cannot be after the issuer's (%(date)s).")
            % {"date": min(issuer_due).strftime("%d/%m/%Y")}
        )


def _note_check(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX}
        )
    return note


def _lock(assignment: Assignment) -> Assignment:
    return (
        # The dispatch is an outer join (an assignment may have none): lock the row itself.
        Assignment.objects.select_for_update(of=("self",))
        .select_related("task", "task__directive", "unit", "dispatch")
        .get(pk=assignment.pk)
    )


def _hand(
    assignment: Assignment,
    *,
    by: User,
    handler_unit: Unit | None,
    handler_user: User | None,
    due_date: datetime.date | None,
    note: str,
    now: datetime.datetime,
) -> None:
    assignment.handler_unit, assignment.handler_user = handler_unit, handler_user
    assignment.handler_due_date = due_date or assignment.due_date
    assignment.handler_note = note
    assignment.handed_at, assignment.handed_by = now, by
    assignment.save(
        update_fields=[
            "handler_unit",
            "handler_user",
            "handler_due_date",
            "handler_note",
            "handed_at",
            "handed_by",
            "updated_at",
        ]
    )


def _handler_data(handler_unit: Unit | None, handler_user: User | None) -> dict:
    return {
        "handler_unit": handler_unit.pk if handler_unit else None,
        "handler_user": handler_user.pk if handler_user else None,
        "handler": str(handler_unit or handler_user.get_full_name() or handler_user.username),
    }


def assignment_hand_over(
    *,
    assignment: Assignment,
    by: User,
    handler_unit: Unit | None = None,
    handler_user: User | None = None,
    due_date: datetime.date | None = None,
    note: str = "",
    ip: str | None = None,
) -> Assignment:
    """The head hands one of the unit's tasks to a division or an officer of the unit."""
    note = _note_check(note)
    with transaction.atomic():
        assignment = _lock(assignment)
        if not assignment_moves(assignment=assignment, user=by).hand_over:
            raise PermissionDeniedError(
                _("Only the head of the unit can assign this task, while it is open.")
            )
        handler_unit, handler_user = _handler_check(
            unit=assignment.unit, handler_unit=handler_unit, handler_user=handler_user
        )
        _due_check(due_date, [assignment.due_date] if assignment.due_date else [])
        _hand(
            assignment,
            by=by,
            handler_unit=handler_unit,
            handler_user=handler_user,
            due_date=due_date,
            note=note,
            now=timezone.now(),
        )
        event_record(
            directive=assignment.task.directive,
            verb="assignment_handed_over",
            by=by,
            unit=assignment.unit,
            ip=ip,
            comment=note,
            data={
                "assignment": assignment.pk,
                "task": assignment.task.position,
                "due_date": due_date.isoformat() if due_date else None,
                **_handler_data(handler_unit, handler_user),
            },
        )
    return assignment


def incoming_entry_assign(
    *,
    entry: IncomingEntry,
    by: User,
    handler_unit: Unit | None = None,
    handler_user: User | None = None,
    due_date: datetime.date | None = None,
    note: str = "",
    ip: str | None = None,
) -> IncomingEntry:
    """The head assigns an accepted letter to a division or an officer of the unit (the book's
    "đơn vị hoặc người nhận"); the unit's open tasks of the letter that nobody handles yet go to
    the same handler, so the deadline cannot be after the earliest of their issuer's dates."""
    note = _note_check(note)
    with transaction.atomic():
        entry = (
            IncomingEntry.objects.select_for_update(of=("self",))
            .select_related("unit", "dispatch", "dispatch__directive")
            .get(pk=entry.pk)
        )
        if not entry_moves(entry=entry, user=by).assign:
            raise PermissionDeniedError(_("Only the head of the unit can assign this letter."))
        handler_unit, handler_user = _handler_check(
            unit=entry.unit, handler_unit=handler_unit, handler_user=handler_user
        )
        tasks = []
        if entry.dispatch_id is not None:
            tasks = [
                a
                for a in Assignment.objects.select_for_update(of=("self",))
                .filter(dispatch_id=entry.dispatch_id)
                .select_related("task", "task__directive", "unit", "dispatch")
                if a.handler_unit_id is None
                and a.handler_user_id is None
                and a.status in Assignment.OPEN_STATUSES
            ]
        _due_check(due_date, [a.due_date for a in tasks if a.due_date])
        now = timezone.now()
        entry.handler_unit, entry.handler_user = handler_unit, handler_user
        entry.handler_due_date, entry.handler_note = due_date, note
        entry.assigned_at, entry.assigned_by = now, by
        entry.save(
            update_fields=[
                "handler_unit",
                "handler_user",
                "handler_due_date",
                "handler_note",
                "assigned_at",
                "assigned_by",
            ]
        )
        for assignment in tasks:
            _hand(
                assignment,
                by=by,
                handler_unit=handler_unit,
                handler_user=handler_user,
                due_date=due_date,
                note=note,
                now=now,
            )
        event_record(
            directive=entry.dispatch.directive if entry.dispatch_id else None,
            incoming_entry=entry,
            verb="incoming_assigned",
            by=by,
            unit=entry.unit,
            ip=ip,
            comment=note,
            data={
                "due_date": due_date.isoformat() if due_date else None,
                "assignments": [a.pk for a in tasks],
                **_handler_data(handler_unit, handler_user),
            },
        )
        if entry.source == IncomingEntry.Source.EDXML:  # the issuer is on another system: 04
            entry_id = entry.pk
            transaction.on_commit(lambda: jobs.edxml_status_enqueue(entry_id, "04"))
    return entry


def _ensure_live(directive: Directive) -> None:
    if directive.status != Directive.Status.ISSUED:
        raise TransitionError(_("This directive has been recalled or replaced; it is closed."))


def assignment_handler_report(
    *,
    assignment: Assignment,
    by: User,
    text: str,
    files: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> Assignment:
    """The handler reports on the task to the unit's head, who reviews it before the issuer
    sees it. Files are checked as the unit's report's are (all or nothing) and stay with the
    unit until the head approves; a report sent again with files replaces the earlier report's
    files, without files it keeps them."""
    text = (text or "").strip()
    files = list(files)
    if not text:
        raise ValidationError(_("Write the report for the head of the unit."))
    if len(text) > REPORT_MAX:
        raise ValidationError(
            _("The report is too long (at most %(n)d characters).") % {"n": REPORT_MAX}
        )
    checked = report_files_check(files)
    with transaction.atomic():
        assignment = _lock(assignment)
        _ensure_live(assignment.task.directive)
        if not assignment_moves(assignment=assignment, user=by).report_to_head:
            raise PermissionDeniedError(
                _("Only the handler of this task can report on it, once, until it is reviewed.")
            )
        now = timezone.now()
        fields = ["handler_report", "handler_reported_at", "handler_reported_by", "head_review"]
        if assignment.status == Assignment.Status.PENDING:
            assignment.status = Assignment.Status.IN_PROGRESS
            fields.append("status")
        assignment.handler_report = text
        assignment.handler_reported_at, assignment.handler_reported_by = now, by
        assignment.head_review = Assignment.HeadReview.WAITING
        assignment.save(update_fields=[*fields, "updated_at"])
        stored = []
        if checked:
            earlier = list(ReportFile.objects.filter(assignment=assignment, to_issuer=False))
            for item in earlier:
                item.file.delete(save=False)
                item.delete()
            stored = report_files_store(
                assignment=assignment, checked=checked, by=by, to_issuer=False
            )
        event_record(
            directive=assignment.task.directive,
            verb="assignment_reported_to_head",
            by=by,
            unit=assignment.unit,
            ip=ip,
            comment=text[:2000],
            data={
                "assignment": assignment.pk,
                "task": assignment.task.position,
                "files": [f.name for f in stored],
            },
        )
        entry = IncomingEntry.objects.filter(dispatch_id=assignment.dispatch_id).first()
        if entry is not None:
            # Each report handed over is its own notice: a report returned and sent again
            # tells the head again.
            people.entry_heads_notify(
                entry=entry, occasion=people.REVIEW, by=by, key=f"{assignment.pk}:{now:%s%f}"
            )
    return assignment


def assignment_head_approve(
    *, assignment: Assignment, by: User, ip: str | None = None
) -> Assignment:
    """The head approves the handler's report: it goes to the issuer as the unit's report."""
    with transaction.atomic():
        assignment = _lock(assignment)
        directive = assignment.task.directive
        _ensure_live(directive)
        if not assignment_moves(assignment=assignment, user=by).head_approve:
            raise PermissionDeniedError(
                _("Only the head of the unit can review a report waiting for review.")
            )
        now = timezone.now()
        previous = assignment.status
        assignment.status = Assignment.Status.DONE
        assignment.report_text = assignment.handler_report
        assignment.reported_at = now
        assignment.reported_by = assignment.handler_reported_by
        assignment.head_review = Assignment.HeadReview.NONE
        assignment.head_comment = ""
        assignment.save(
            update_fields=[
                "status",
                "report_text",
                "reported_at",
                "reported_by",
                "head_review",
                "head_comment",
                "updated_at",
            ]
        )
        files = list(ReportFile.objects.filter(assignment=assignment, to_issuer=False))
        ReportFile.objects.filter(pk__in=[f.pk for f in files]).update(to_issuer=True)
        event = event_record(
            directive=directive,
            verb="assignment_reported",
            by=by,
            unit=assignment.unit,
            ip=ip,
            comment=assignment.report_text[:2000],
            data={
                "assignment": assignment.pk,
                "task": assignment.task.position,
                "from": previous,
                "files": [f.name for f in files],
                "on_time": reported_on_time(assignment.due_date, reported_on=local_today(now)),
                "approved_by_head": by.pk,
            },
        )
        # The issuer's clerks are told of the unit's report, as of a one-step report.
        people.assignment_clerks_notify(
            assignment=assignment,
            occasion=people.REPORTED,
            by=by,
            key=event.pk,
            body=assignment.report_text[:2000],
        )
    return assignment


def assignment_head_return(
    *, assignment: Assignment, by: User, reason: str, ip: str | None = None
) -> Assignment:
    """The head returns the handler's report with a reason: back to the handler."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say what the handler should complete or correct."))
    reason = _note_check(reason)
    with transaction.atomic():
        assignment = _lock(assignment)
        _ensure_live(assignment.task.directive)
        if not assignment_moves(assignment=assignment, user=by).head_return:
            raise PermissionDeniedError(
                _("Only the head of the unit can review a report waiting for review.")
            )
        assignment.head_review = Assignment.HeadReview.RETURNED
        assignment.head_comment = reason
        assignment.save(update_fields=["head_review", "head_comment", "updated_at"])
        event_record(
            directive=assignment.task.directive,
            verb="assignment_returned_by_head",
            by=by,
            unit=assignment.unit,
            ip=ip,
            comment=reason,
            data={"assignment": assignment.pk, "task": assignment.task.position},
        )
    return assignment
