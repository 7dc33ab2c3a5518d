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

from recipients.models import Unit, User

from .errors import PermissionDeniedError, TransitionError
from .events import event_record
from .models import (
    Assignment,
    Directive,
    Dispatch,
    ExtensionRequest,
    ReportFile,
)
from .register import local_today
from .selectors import agency_unit_ids
from .uploads import check_upload

# How many files one report may carry: enough for a report and its annexes, not a dump.
REPORT_MAX_FILES = 10
REPORT_FILE_KINDS = ("pdf", "docx", "xlsx", "odt", "png", "jpeg")
OPEN_STATUSES = (Assignment.Status.PENDING, Assignment.Status.IN_PROGRESS)


# ---------------------------------------------------------------------------------------------
# Who may act
# ---------------------------------------------------------------------------------------------


def can_act_for_unit(user: User, unit_id: int) -> bool:
    """A unit's own officers act on its assignments; nobody else, not even the issuing clerk."""
    return bool(
        user.is_authenticated
        and user.unit_id == unit_id
        and user.has_perm("directives.receive_directive")
    )


def can_review(user: User, directive: Directive) -> bool:
    """Only the issuing agency's clerks review reports and decide on extensions."""
    if not user.is_authenticated or not user.has_perm("directives.track_directive"):
        return False
    return user.is_superuser or directive.issuing_unit_id in agency_unit_ids(user)


def _ensure_unit_officer(user: User, assignment: Assignment) -> None:
    if not can_act_for_unit(user, assignment.unit_id):
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


# ---------------------------------------------------------------------------------------------
# The unit's side
# ---------------------------------------------------------------------------------------------


def assignment_start(*, assignment: Assignment, by: User, ip: str | None = None) -> Assignment:
    """The unit starts work on a task (after acknowledging receipt of the directive)."""
    with transaction.atomic():
        assignment = _lock(assignment)
        directive = assignment.task.directive
        _ensure_unit_officer(by, assignment)
        _ensure_directive_live(directive)
        if assignment.dispatch.acknowledged_at is None:
            raise TransitionError(_("Acknowledge receipt of the directive before starting a task."))
        if assignment.status != Assignment.Status.PENDING:
            raise TransitionError(_("This task has already been started."))
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


def _check_report_files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, object]]:
    """Check every file by content and size before anything is stored: all or nothing."""
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
        _ensure_unit_officer(by, assignment)
        _ensure_directive_live(directive)
        if assignment.dispatch.acknowledged_at is None:
            raise TransitionError(
                _("Acknowledge receipt of the directive before reporting on a task.")
            )
        if assignment.status not in OPEN_STATUSES:
            raise TransitionError(_("This task has already been reported."))
        if assignment.task.report_required and not text and not files:
            raise ValidationError(_("This task requires a report: write it or attach a file."))
        checked = _check_report_files(files)
        previous = assignment.status
        now = timezone.now()
        assignment.status = Assignment.Status.DONE
        assignment.report_text = text
        assignment.reported_at = now
        assignment.reported_by = by
        assignment.save(
            update_fields=["status", "report_text", "reported_at", "reported_by", "updated_at"]
        )
        stored = []
        for upload, info in checked:
            report_file = ReportFile(
                assignment=assignment,
                name=(upload.name or "file")[-255:],
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                uploaded_by=by,
            )
            report_file.file.save(upload.name or "file", upload, save=False)
            report_file.save()
            stored.append(report_file.name)
        on_time = assignment.due_date is None or timezone.localdate(now) <= assignment.due_date
        event_record(
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
    return assignment


def extension_request_create(
    *,
    assignment: Assignment,
    by: User,
    requested_date: datetime.date,
    reason: str,
    ip: str | None = None,
) -> ExtensionRequest:
    """The unit asks for a later due date, giving a reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        assignment = _lock(assignment)
        directive = assignment.task.directive
        _ensure_unit_officer(by, assignment)
        _ensure_directive_live(directive)
        if assignment.status not in OPEN_STATUSES:
            raise TransitionError(_("A reported task needs no extension."))
        if not reason:
            raise ValidationError(_("Give a reason for the extension."))
        floor = max(assignment.due_date or timezone.localdate(), timezone.localdate())
        if requested_date <= floor:
            raise ValidationError(
                _("The requested date must be after %(date)s.")
                % {"date": floor.strftime("%d/%m/%Y")}
            )
        if assignment.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
            raise TransitionError(_("An extension request for this task is already pending."))
        extension = ExtensionRequest.objects.create(
            assignment=assignment, requested_date=requested_date, reason=reason, requested_by=by
        )
        event_record(
            directive=directive,
            verb="extension_requested",
            by=by,
            unit=assignment.unit,
            ip=ip,
            comment=reason,
            data={
                "assignment": assignment.pk,
                "task": assignment.task.position,
                "extension": extension.pk,
                "requested_date": requested_date.isoformat(),
                "due_date": assignment.due_date.isoformat() if assignment.due_date else None,
            },
        )
    return extension


# ---------------------------------------------------------------------------------------------
# The clerk's side
# ---------------------------------------------------------------------------------------------


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


def extension_request_decide(
    *,
    extension: ExtensionRequest,
    by: User,
    grant: bool,
    new_date: datetime.date | None = None,
    note: str = "",
    ip: str | None = None,
) -> ExtensionRequest:
    """The clerk grants (with a new due date, by default the one asked for) or declines."""
    note = (note or "").strip()
    with transaction.atomic():
        extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        assignment = _lock(extension.assignment)
        directive = assignment.task.directive
        _ensure_reviewer(by, directive)
        if extension.status != ExtensionRequest.Status.PENDING:
            raise TransitionError(_("This extension request has already been decided."))
        old_date = assignment.due_date
        extension.decided_by = by
        extension.decided_at = timezone.now()
        extension.decision_note = note
        if grant:
            new_date = new_date or extension.requested_date
            if old_date is not None and new_date <= old_date:
                raise ValidationError(
                    _("The new due date must be after the current one (%(date)s).")
                    % {"date": old_date.strftime("%d/%m/%Y")}
                )
            extension.status = ExtensionRequest.Status.GRANTED
            extension.new_date = new_date
            assignment.due_date = new_date
            assignment.save(update_fields=["due_date", "updated_at"])
            subject = _("Extension granted for %(task)s until %(date)s: %(subject)s") % {
                "task": _task_label(assignment),
                "date": new_date.strftime("%d/%m/%Y"),
                "subject": directive.subject[:200],
            }
        else:
            extension.status = ExtensionRequest.Status.DECLINED
            subject = _("Extension declined for %(task)s: %(subject)s") % {
                "task": _task_label(assignment),
                "subject": directive.subject[:200],
            }
        extension.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "new_date"]
        )
        event_record(
            directive=directive,
            verb="extension_granted" if grant else "extension_declined",
            by=by,
            ip=ip,
            comment=note,
            data={
                "assignment": assignment.pk,
                "task": assignment.task.position,
                "unit": assignment.unit_id,
                "extension": extension.pk,
                "old_due_date": old_date.isoformat() if old_date else None,
                "new_due_date": assignment.due_date.isoformat() if assignment.due_date else None,
            },
        )
        _tell_unit(
            unit=assignment.unit,
            directive=directive,
            dispatch=assignment.dispatch,
            key=f"extension:{extension.pk}:{extension.status}",
            kind=f"extension_{extension.status}",
            subject=subject,
            body=note,
        )
    return extension


@dataclass(frozen=True)
class RemindNowResult:
    """What one press of "remind now" did: units reminded now, units already reminded today."""

    reminded: int
    already_today: int


def dispatches_remind_now(
    *,
    directive: Directive,
    dispatch_ids: Iterable[int],
    by: User,
    ip: str | None = None,
    today: datetime.date | None = None,
) -> RemindNowResult:
    """The clerk's "remind now" for chosen units: a reminder about receipt (not acknowledged
    yet) or about each open task.

    A unit is reminded of one thing at most once a day (local date in Vietnam): keys are unique
    per (dispatch or assignment, "manual", day), so pressing the button again the same day, or
    a double click, sends nothing new and the result says those units were already reminded.
    """
    day = (today or local_today()).strftime("%Y%m%d")
    reminded = already = 0
    with transaction.atomic():
        _ensure_reviewer(by, directive)
        _ensure_directive_live(directive)
        dispatches = list(
            Dispatch.objects.filter(directive=directive, pk__in=list(dispatch_ids))
            .select_related("unit")
            .prefetch_related("assignments__task")
        )
        for dispatch in dispatches:
            open_tasks = [a for a in dispatch.assignments.all() if a.status in OPEN_STATUSES]
            if dispatch.acknowledged_at is None:
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
                    for a in open_tasks
                ]
            if not targets:
                continue
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
                data={"manual": True, "dispatches": [d.pk for d in dispatches]},
            )
    return RemindNowResult(reminded=reminded, already_today=already)


# ---------------------------------------------------------------------------------------------
# Telling the unit
# ---------------------------------------------------------------------------------------------


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
    """In-app notice for each active officer of the unit, plus e-mail rows in the outbox.

    Rows are keyed, so running this twice for the same decision creates nothing new; the e-mails
    leave after commit (and the periodic sweep catches any whose enqueue was lost). Returns how
    many rows the unit's people and addresses call for, and how many of them are new.
    """
    from .notices.outbox import email_row, in_app_row, outbox_key, outbox_write, unit_officers

    link = reverse("directives:inbox_detail", args=[dispatch.pk])
    common = {"kind": kind, "subject": subject, "body": body, "directive": directive}
    common |= {"dispatch": dispatch, "unit": unit}
    rows = [
        in_app_row(
            key=outbox_key(key, "in_app", "user", officer.pk), user=officer, link=link, **common
        )
        for officer in unit_officers([unit.pk]).get(unit.pk, [])
    ]
    rows += [
        email_row(
            key=outbox_key(key, "email", address.lower()),
            address=address,
            link=f"{settings.SITE_URL}{link}",
            **common,
        )
        for address in unit.email_list
    ]
    return len(rows), len(outbox_write(rows))
