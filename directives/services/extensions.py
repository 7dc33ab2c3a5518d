"""A unit asks for more time on a task; the issuing agency's clerk grants or declines it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.errors import TransitionError
from directives.models import Assignment, ExtensionRequest
from directives.services.assignments import (
    _ensure_directive_live,
    _ensure_move,
    _ensure_reviewer,
    _lock,
    _task_label,
    _tell_unit,
)
from directives.services.events import event_record
from directives.services.notices import people
from recipients.models import User


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
        _ensure_directive_live(directive)
        if assignment.status not in Assignment.OPEN_STATUSES:
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
        _ensure_move(by, assignment, "extend")
        extension = ExtensionRequest.objects.create(
            assignment=assignment, requested_date=requested_date, reason=reason, requested_by=by
        )
        event = event_record(
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
        people.assignment_clerks_notify(
            assignment=assignment,
            occasion=people.EXTENSION,
            by=by,
            key=event.pk,
            body=_("Until %(date)s: %(reason)s")
            % {"date": requested_date.strftime("%d/%m/%Y"), "reason": reason},
        )
    return extension


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
