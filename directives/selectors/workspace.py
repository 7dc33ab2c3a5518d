"""The scoped doors of the workspace objects: assignments, report files, extension requests,
attachments, and the letters and assignments a clerk follows up.

Each starts from the scoping doors of selectors/scope.py, so another unit's dispatch,
assignment, report file or attachment is simply not found (a 404 in the views).
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from directives.models import (
    ISSUED_STATES,
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    ReportFile,
)
from directives.selectors.scope import agency_unit_ids, directives_visible_to, dispatches_visible_to
from directives.workdays import is_overdue, overdue_cutoff
from recipients.models import User

DEADLINE_SOON_DAYS = 7


def assignment_is_overdue(assignment: Assignment, *, today: datetime.date) -> bool:
    """Open and past its deadline counted in working days (directives.workdays.is_overdue)."""
    return assignment.status in Assignment.OPEN_STATUSES and is_overdue(
        assignment.due_date, today=today
    )


def overdue_q(*, today: datetime.date, prefix: str = "") -> Q:
    """The database twin of assignment_is_overdue; `prefix` reaches assignments through a
    relation ("assignments__" from a dispatch)."""
    return Q(
        **{
            f"{prefix}status__in": Assignment.OPEN_STATUSES,
            f"{prefix}due_date__lte": overdue_cutoff(today),
        }
    )


def _fmt(value: datetime.datetime | datetime.date | None) -> str:
    """Vietnamese way: 24/06/2021 14:05, in the portal's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """Assignments hanging off a dispatch the user may see (their unit's, or their agency's)."""
    return Assignment.objects.filter(dispatch__in=dispatches_visible_to(user).values("pk"))


def report_files_visible_to(user: User) -> QuerySet[ReportFile]:
    """The files of reports sent to the issuer; a handler's files waiting for the head's review
    are read through the distribution pages only."""
    return ReportFile.objects.filter(
        assignment__in=assignments_visible_to(user).values("pk"), to_issuer=True
    )


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


def reports_awaiting_review(directive: Directive) -> QuerySet[Assignment]:
    """The reports of a tracked directive that wait for the clerk's decision (accept or
    return), in task and unit order: the tracking page's list for accepting several at once.
    The directive comes from `tracked_directives`."""
    return (
        Assignment.objects.filter(task__directive=directive, status=Assignment.Status.DONE)
        .select_related("task", "unit")
        .order_by("task__position", "unit__sort_order", "unit__name", "pk")
    )
