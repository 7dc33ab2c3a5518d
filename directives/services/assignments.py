"""What a unit does with its tasks, and how the issuing agency's clerks review it.

An assignment (one task for one unit) moves
    pending (acknowledged) -> in progress -> done (report submitted) -> accepted
and a clerk may return a report (done -> in progress) with a comment. A unit may ask for a later
due date; a clerk grants it (the due date changes) or declines it, and the unit is told.

Every function here is one transaction and writes an Event on the directive, so the directive's
history shows everything the unit and the clerks did.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import check_upload
from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Assignment, Directive, Dispatch, ReportFile
from directives.selectors import reminding
from directives.selectors.moves import assignment_moves, can_review
from directives.services.events import event_record
from directives.services.notices import people
from directives.services.notices.outbox import outbox_write, unit_notice_rows, unit_officers
from directives.workdays import local_today, reported_on_time
from recipients.models import Unit, User

# How many files one report may carry: enough for a report and its annexes, not a dump.
REPORT_MAX_FILES = 10


REPORT_FILE_KINDS = ("pdf", "docx", "xlsx", "odt", "png", "jpeg")


def _ensure_move(user: User, assignment: Assignment, move: str) -> None:
    """After the state checks: the move (start, report, extend) is the unit officers' own."""
    if not getattr(assignment_moves(assignment=assignment, user=user), move):
        raise PermissionDeniedError(_("Only officers of the assigned unit can do this."))


def _ensure_reviewer(user: User, directive: Directive) -> None:
    if not can_review(user, directive):
        raise PermissionDeniedError(
            _("Only clerks of the issuing agency can review reports and extension requests.")
        )


def _ensure_directive_live(directive: Directive) -> None:
    # A recalled or replaced directive is closed: nothing more is reported against it.
    if directive.status != Directive.Status.ISSUED:
        raise TransitionError(_("This directive has been recalled or replaced; it is closed."))


def _lock(assignment: Assignment) -> Assignment:
    """Re-read the assignment under a row lock so that two clicks cannot both pass a check."""
    return (
        Assignment.objects.select_for_update()
        .select_related("task", "unit", "dispatch", "task__directive")
        .get(pk=assignment.pk)
    )


def _task_label(assignment: Assignment) -> str:
    return _("task %(position)d") % {"position": assignment.task.position}


def assignment_start(*, assignment: Assignment, by: User, ip: str | None = None) -> Assignment:
    """The unit starts work on a task (after acknowledging receipt of the directive)."""
    with transaction.atomic():
        assignment = _lock(assignment)
        directive = assignment.task.directive
        _ensure_directive_live(directive)
        if assignment.dispatch.acknowledged_at is None:
            raise TransitionError(_("Acknowledge receipt of the directive before starting a task."))
        if assignment.status != Assignment.Status.PENDING:
            raise TransitionError(_("This task has already been started."))
        _ensure_move(by, assignment, "start")
        assignment.status = Assignment.Status.IN_PROGRESS
        assignment.save(update_fields=["status", "updated_at"])
        event_record(
            directive=directive,
            verb="assignment_started",
            by=by,
            unit=assignment.unit,
            ip=ip,
            data={"assignment": assignment.pk, "task": assignment.task.position},
        )
    return assignment


def report_files_check(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, object]]:
    """Check every file of a report by content and size before anything is stored: all or
    nothing (the unit's report to the issuer, and the handler's to the head)."""
    if len(files) > REPORT_MAX_FILES:
        raise ValidationError(
            _("A report can carry at most %(n)d files.") % {"n": REPORT_MAX_FILES}
        )
    return [
        (
            upload,
            check_upload(
                upload, allowed=REPORT_FILE_KINDS, max_bytes=settings.ATTACHMENT_MAX_BYTES
            ),
        )
        for upload in files
    ]


def report_files_store(
    *,
    assignment: Assignment,
    checked: list[tuple[UploadedFile, object]],
    by: User,
    to_issuer: bool = True,
) -> list[ReportFile]:
    """Store checked files on the assignment's report (a savepoint inside the reporting
    transaction: all of them or none)."""
    stored = []
    with transaction.atomic():
        for upload, info in checked:
            report_file = ReportFile(
                assignment=assignment,
                name=(upload.name or "file")[-255:],
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                uploaded_by=by,
                to_issuer=to_issuer,
            )
            report_file.file.save(upload.name or "file", upload, save=False)
            report_file.save()
            stored.append(report_file)
    return stored


def assignment_report(
    *,
    assignment: Assignment,
    by: User,
    text: str = "",
    files: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> Assignment:
    """The unit reports a task done, with a written report and/or files.

    Raises ValidationError (a message for the user) for a refused file or a missing report, and
    nothing is stored in that case.
    """
    files = list(files)
    text = (text or "").strip()
    with transaction.atomic():
        assignment = _lock(assignment)
        directive = assignment.task.directive
        _ensure_directive_live(directive)
        if assignment.dispatch.acknowledged_at is None:
            raise TransitionError(
                _("Acknowledge receipt of the directive before reporting on a task.")
            )
        if assignment.status not in Assignment.OPEN_STATUSES:
            raise TransitionError(_("This task has already been reported."))
        _ensure_move(by, assignment, "report")
        if assignment.task.report_required and not text and not files:
            raise ValidationError(_("This task requires a report: write it or attach a file."))
        checked = report_files_check(files)
        previous = assignment.status
        now = timezone.now()
        assignment.status = Assignment.Status.DONE
        assignment.report_text = text
        assignment.reported_at = now
        assignment.reported_by = by
        assignment.save(
            update_fields=["status", "report_text", "reported_at", "reported_by", "updated_at"]
        )
        stored = [f.name for f in report_files_store(assignment=assignment, checked=checked, by=by)]
        on_time = reported_on_time(assignment.due_date, reported_on=local_today(now))
        event = event_record(
            directive=directive,
            verb="assignment_reported",
            by=by,
            unit=assignment.unit,
            ip=ip,
            comment=text[:2000],
            data={
                "assignment": assignment.pk,
                "task": assignment.task.position,
                "from": previous,
                "files": stored,
                "on_time": on_time,
            },
        )
        people.assignment_clerks_notify(
            assignment=assignment, occasion=people.REPORTED, by=by, key=event.pk, body=text[:2000]
        )
    return assignment


def assignment_accept(
    *, assignment: Assignment, by: User, comment: str = "", ip: str | None = None
) -> Assignment:
    """The clerk accepts a unit's report: the task is finished for that unit."""
    return _review(
        assignment=assignment,
        by=by,
        comment=(comment or "").strip(),
        ip=ip,
        outcome=Assignment.Status.ACCEPTED,
    )


def assignment_return(
    *, assignment: Assignment, by: User, comment: str, ip: str | None = None
) -> Assignment:
    """The clerk sends a report back with a comment; the task is in progress again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what the unit should complete or correct."))
    return _review(
        assignment=assignment,
        by=by,
        comment=comment,
        ip=ip,
        outcome=Assignment.Status.IN_PROGRESS,
    )


def _review(
    *, assignment: Assignment, by: User, comment: str, ip: str | None, outcome: str
) -> Assignment:
    """Accept (outcome ACCEPTED) or return (outcome IN_PROGRESS) a submitted report."""
    accepted = outcome == Assignment.Status.ACCEPTED
    with transaction.atomic():
        assignment = _lock(assignment)
        directive = assignment.task.directive
        _ensure_reviewer(by, directive)
        if assignment.status != Assignment.Status.DONE:
            raise TransitionError(
                _("Only a submitted report can be accepted.")
                if accepted
                else _("Only a submitted report can be returned.")
            )
        assignment.status = outcome
        assignment.review_comment = comment
        assignment.reviewed_at = timezone.now()
        assignment.reviewed_by = by
        assignment.save(
            update_fields=["status", "review_comment", "reviewed_at", "reviewed_by", "updated_at"]
        )
        word = "accepted" if accepted else "returned"
        event_record(
            directive=directive,
            verb=f"assignment_{word}",
            by=by,
            ip=ip,
            comment=comment,
            data={
                "assignment": assignment.pk,
                "task": assignment.task.position,
                "unit": assignment.unit_id,
            },
        )
        subject = (
            _("Report on %(task)s accepted: %(subject)s")
            if accepted
            else _("Report on %(task)s returned: %(subject)s")
        )
        _tell_unit(
            unit=assignment.unit,
            directive=directive,
            dispatch=assignment.dispatch,
            key=f"assignment:{assignment.pk}:{word}:{assignment.reviewed_at:%Y%m%d%H%M%S}",
            kind=f"report_{word}",
            subject=subject % {"task": _task_label(assignment), "subject": directive.subject[:200]},
            body=comment,
        )
    return assignment


@dataclass(frozen=True)
class RemindNowResult:
    """What one press of "remind now" did: units reminded now, units already reminded today."""

    reminded: int
    already_today: int


def dispatches_remind_now(
    *,
    directive: Directive,
    dispatch_ids: Iterable[int] = (),
    scope: str = reminding.SELECTED,
    by: User,
    ip: str | None = None,
    today: datetime.date | None = None,
) -> RemindNowResult:
    """The clerk's "remind now": the units ticked, only the late ones, only those that have not
    acknowledged, or all (`scope`, selectors/reminding.py), each reminded about receipt (not
    acknowledged yet) or about its open tasks (its late tasks, for the late units).

    A unit is reminded of one thing at most once a day (local date in Vietnam): keys are unique
    per (dispatch or assignment, "manual", day), so pressing the button again the same day, or
    a double click, sends nothing new and the result says those units were already reminded.
    """
    day = (today or local_today()).strftime("%Y%m%d")
    reminded = already = 0
    with transaction.atomic():
        _ensure_reviewer(by, directive)
        _ensure_directive_live(directive)
        chosen = reminding.remind_targets(
            directive=directive, scope=scope, dispatch_ids=dispatch_ids, today=today
        )
        for target in chosen:
            dispatch = target.dispatch
            if target.receipt:
                targets = [
                    (
                        f"remind:dispatch:{dispatch.pk}:manual:{day}",
                        _("Reminder: please acknowledge receipt of %(subject)s")
                        % {"subject": directive.subject[:200]},
                    )
                ]
            else:
                targets = [
                    (
                        f"remind:assignment:{a.pk}:manual:{day}",
                        _("Reminder: %(task)s of %(subject)s is due %(date)s")
                        % {
                            "task": _task_label(a),
                            "subject": directive.subject[:200],
                            "date": a.due_date.strftime("%d/%m/%Y") if a.due_date else "—",
                        },
                    )
                    for a in target.assignments
                ]
            addressed = fresh = 0
            for key, subject in targets:
                rows, new = _tell_unit(
                    unit=dispatch.unit,
                    directive=directive,
                    dispatch=dispatch,
                    key=key,
                    kind="reminder",
                    subject=subject,
                    body="",
                )
                addressed, fresh = addressed + rows, fresh + new
            if fresh:
                reminded += 1
            elif addressed:
                already += 1
        if reminded:
            event_record(
                directive=directive,
                verb="reminded",
                by=by,
                ip=ip,
                data={
                    "manual": True,
                    "scope": scope,
                    "dispatches": [t.dispatch.pk for t in chosen],
                },
            )
    return RemindNowResult(reminded=reminded, already_today=already)


@dataclass(frozen=True)
class AcceptManyResult:
    """What "accept the selected reports" did: the reports accepted, and those left as they
    were, each with the reason."""

    accepted: list[Assignment]
    skipped: list[tuple[Assignment, str]]


def _not_acceptable_reason(assignment: Assignment) -> str:
    if assignment.status == Assignment.Status.ACCEPTED:
        return _("already accepted")
    if assignment.reviewed_at is not None:
        return _("returned to the unit, waiting for its new report")
    return _("no report submitted yet")


def assignments_accept(
    *,
    directive: Directive,
    assignment_ids: Iterable[int],
    by: User,
    comment: str = "",
    ip: str | None = None,
) -> AcceptManyResult:
    """The clerk accepts several reports of one directive at once: each through
    `assignment_accept` (its own checks, event and notice to the unit), all in one transaction.
    A report that is no longer waiting (accepted or returned meanwhile, by another clerk or an
    earlier click) is skipped with the reason, never an error; a refusal of the clerk (not the
    issuing agency's, the directive recalled) stops the whole and changes nothing."""
    accepted: list[Assignment] = []
    skipped: list[tuple[Assignment, str]] = []
    with transaction.atomic():
        _ensure_reviewer(by, directive)
        _ensure_directive_live(directive)
        chosen = (
            Assignment.objects.filter(task__directive=directive, pk__in=list(assignment_ids))
            .select_related("task", "unit")
            .order_by("task__position", "unit__sort_order", "unit__name", "pk")
        )
        for assignment in chosen:
            try:
                accepted.append(
                    assignment_accept(assignment=assignment, by=by, comment=comment, ip=ip)
                )
            except TransitionError:
                # Its own savepoint rolled back; read its state now to say why.
                assignment.refresh_from_db(fields=["status", "reviewed_at"])
                skipped.append((assignment, str(_not_acceptable_reason(assignment))))
    return AcceptManyResult(accepted=accepted, skipped=skipped)


def _tell_unit(
    *,
    unit: Unit,
    directive: Directive,
    dispatch: Dispatch,
    key: str,
    kind: str,
    subject: str,
    body: str,
) -> tuple[int, int]:
    """Tell the unit as every notice does (unit_notice_rows): an in-app notice for each active
    officer, e-mails to its contact addresses and its officers.

    Rows are keyed, so running this twice for the same decision creates nothing new; the e-mails
    leave after commit (and the periodic sweep catches any whose enqueue was lost). Returns how
    many rows the unit's people and addresses call for, and how many of them are new.
    """
    rows = unit_notice_rows(
        unit=unit,
        officers=unit_officers([unit.pk]).get(unit.pk, []),
        key=(key,),
        kind=kind,
        subject=subject,
        body=body,
        link=reverse("directives:inbox_detail", args=[dispatch.pk]),
        directive=directive,
        dispatch=dispatch,
    )
    return len(rows), len(outbox_write(rows))
