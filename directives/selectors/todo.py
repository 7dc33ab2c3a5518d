"""What waits for a person: the clerk's and the unit head's to-do pages and the menu's counts.

A clerk of the issuing agency has letters to number and to issue, reports to review, extension
requests to decide and deliveries that failed; a unit head has the letters accepted into their
unit's book that nobody handles yet. Each list is ordered by deadline, the nearest first and the
undated last; every read is limited to the person's own agency or unit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse

from directives.models import (
    Assignment,
    Directive,
    Dispatch,
    ExtensionRequest,
    IncomingEntry,
)
from directives.selectors.moves import awaiting_signature_q
from directives.selectors.scope import agency_unit_ids
from recipients.models import User

TO_NUMBER = "to_number"
TO_ISSUE = "to_issue"
REPORT = "report"
EXTENSION = "extension"
DELIVERY_FAILED = "delivery_failed"
TO_ASSIGN = "to_assign"
HEAD_REVIEW = "head_review"


@dataclass(frozen=True)
class TodoItem:
    """One line of a to-do page: what waits, for which letter, by when, and where to act."""

    kind: str
    title: str
    detail: str
    deadline: datetime.date | None
    link: str


def _by_deadline(items: list[TodoItem]) -> list[TodoItem]:
    return sorted(items, key=lambda i: (i.deadline is None, i.deadline or datetime.date.min))


def _clerk_units(user: User, perm: str) -> list[int]:
    if not user.is_authenticated or not user.has_perm(f"directives.{perm}"):
        return []
    return agency_unit_ids(user)


def letters_to_number(user: User) -> QuerySet[Directive]:
    """Approved letters of the clerk's agency waiting for their number."""
    units = _clerk_units(user, "issue_directive")
    return Directive.objects.filter(status=Directive.Status.APPROVED, issuing_unit_id__in=units)


def letters_to_issue(user: User) -> QuerySet[Directive]:
    """Letters of the clerk's agency their signer signed, waiting to be issued."""
    units = _clerk_units(user, "issue_directive")
    return Directive.objects.filter(status=Directive.Status.SIGNED, issuing_unit_id__in=units)


def reports_to_review(user: User) -> QuerySet[Assignment]:
    units = _clerk_units(user, "track_directive")
    return Assignment.objects.filter(
        status=Assignment.Status.DONE,
        task__directive__issuing_unit_id__in=units,
        task__directive__status=Directive.Status.ISSUED,
    )


def extensions_to_decide(user: User) -> QuerySet[ExtensionRequest]:
    units = _clerk_units(user, "track_directive")
    return ExtensionRequest.objects.filter(
        status=ExtensionRequest.Status.PENDING,
        assignment__task__directive__issuing_unit_id__in=units,
        assignment__task__directive__status=Directive.Status.ISSUED,
    )


def deliveries_failed(user: User) -> QuerySet[Dispatch]:
    units = _clerk_units(user, "track_directive")
    return Dispatch.objects.filter(
        delivery=Dispatch.Delivery.FAILED,
        directive__issuing_unit_id__in=units,
        directive__status=Directive.Status.ISSUED,
    )


def entries_to_assign(user: User) -> QuerySet[IncomingEntry]:
    """Letters accepted into the head's unit's book that nobody handles yet."""
    if not user.is_authenticated or not user.is_unit_head or user.unit_id is None:
        return IncomingEntry.objects.none()
    return IncomingEntry.objects.filter(
        unit_id=user.unit_id,
        decision=IncomingEntry.Decision.ACCEPTED,
        handler_unit__isnull=True,
        handler_user__isnull=True,
        recalled_at__isnull=True,  # recalled by its issuer over edXML: closed
    )


def clerk_todo(user: User) -> list[TodoItem]:
    """What waits for a clerk of the issuing agency, the nearest deadline first."""
    items: list[TodoItem] = []
    for kind, letters in (
        (TO_NUMBER, letters_to_number(user)),
        (TO_ISSUE, letters_to_issue(user)),
    ):
        for d in letters.annotate(deadline=Min("tasks__deadline")):
            items.append(
                TodoItem(
                    kind=kind,
                    title=d.subject,
                    detail=d.number_symbol,
                    deadline=d.deadline,
                    link=reverse("directives:detail", args=[d.pk]),
                )
            )
    for a in reports_to_review(user).select_related("task__directive", "unit"):
        items.append(
            TodoItem(
                kind=REPORT,
                title=a.task.directive.subject,
                detail=f"{a.unit.short_name or a.unit.name} · {a.task.directive.number_symbol}",
                deadline=a.due_date,
                link=reverse("directives:assignment_review", args=[a.pk]),
            )
        )
    for e in extensions_to_decide(user).select_related(
        "assignment__task__directive", "assignment__unit"
    ):
        a = e.assignment
        items.append(
            TodoItem(
                kind=EXTENSION,
                title=a.task.directive.subject,
                detail=f"{a.unit.short_name or a.unit.name} · {e.requested_date:%d/%m/%Y}",
                deadline=a.due_date,
                link=reverse("directives:assignment_review", args=[a.pk]),
            )
        )
    for dispatch in (
        deliveries_failed(user)
        .select_related("directive", "unit")
        .annotate(deadline=Min("assignments__due_date"))
    ):
        items.append(
            TodoItem(
                kind=DELIVERY_FAILED,
                title=dispatch.directive.subject,
                detail=f"{dispatch.unit.short_name or dispatch.unit.name}",
                deadline=dispatch.deadline,
                link=reverse("directives:matrix", args=[dispatch.directive_id]),
            )
        )
    return _by_deadline(items)


def _head_reviews(user: User) -> tuple[QuerySet[Assignment], QuerySet[IncomingEntry]]:
    """The unit head's reviews waiting: the handlers' reports on tasks, and the letters with no
    task marked handled. The to-do page lists them, the menu counts them."""
    tasks = Assignment.objects.filter(
        unit_id=user.unit_id,
        head_review=Assignment.HeadReview.WAITING,
        task__directive__status=Directive.Status.ISSUED,
    )
    letters = IncomingEntry.objects.filter(
        unit_id=user.unit_id,
        decision=IncomingEntry.Decision.ACCEPTED,
        head_review=IncomingEntry.HeadReview.WAITING,
        recalled_at__isnull=True,
    )
    return tasks, letters


def head_todo(user: User) -> list[TodoItem]:
    """What waits for a unit head: the letters to hand to someone, by the nearest deadline of
    the tasks they give the unit; the handlers' reports and letters handled, waiting for the
    head's review, by the handler's deadline."""
    entries = entries_to_assign(user).annotate(deadline=Min("dispatch__assignments__due_date"))
    items = [
        TodoItem(
            kind=TO_ASSIGN,
            title=e.subject,
            detail=f"{e.arrival_number or ''} · {e.issuer_name}",
            deadline=e.deadline,
            link=reverse("directives:incoming_entry", args=[e.pk]),
        )
        for e in entries
    ]
    if user.is_authenticated and user.is_unit_head and user.unit_id is not None:
        tasks, letters = _head_reviews(user)
        items += [
            TodoItem(
                kind=HEAD_REVIEW,
                title=a.task.directive.subject,
                detail=f"{a.task} · {a.task.directive.number_symbol}",
                deadline=a.handler_due_date or a.due_date,
                link=reverse("directives:distribution_task", args=[a.pk]),
            )
            for a in tasks.select_related("task__directive")
        ]
        items += [
            TodoItem(
                kind=HEAD_REVIEW,
                title=e.subject,
                detail=f"{e.arrival_number or ''} · {e.issuer_name}",
                deadline=e.handler_due_date,
                link=reverse("directives:distribution_letter", args=[e.pk]),
            )
            for e in letters
        ]
    return _by_deadline(items)


@dataclass(frozen=True)
class MenuCounts:
    """The counts beside the menu's entries."""

    to_sign: int
    to_number: int
    to_issue: int
    to_review: int

    @property
    def clerk(self) -> int:
        return self.to_number + self.to_issue


def menu_counts(user: User) -> MenuCounts:
    """The counts of the menu: letters awaiting my approval or signature, the clerk's letters
    to number and to issue (one query for the three), the head's letters to assign and reviews
    waiting."""
    if not user.is_authenticated:
        return MenuCounts(0, 0, 0, 0)
    status = Directive.Status
    counts = {"to_sign": 0, "to_number": 0, "to_issue": 0}
    aggregates = {}
    scope = Q(pk__in=[])
    if user.has_perm("directives.approve_directive"):
        mine = awaiting_signature_q(user)
        aggregates["to_sign"] = Count("pk", filter=mine)
        scope |= mine
    clerk_units = _clerk_units(user, "issue_directive")
    if clerk_units:
        of_agency = Q(issuing_unit_id__in=clerk_units)
        aggregates["to_number"] = Count("pk", filter=of_agency & Q(status=status.APPROVED))
        aggregates["to_issue"] = Count("pk", filter=of_agency & Q(status=status.SIGNED))
        scope |= of_agency & Q(status__in=[status.APPROVED, status.SIGNED])
    if aggregates:
        counts.update(Directive.objects.filter(scope).aggregate(**aggregates))
    to_review = 0
    if user.is_unit_head and user.unit_id is not None:
        tasks, letters = _head_reviews(user)
        to_review = entries_to_assign(user).count() + tasks.count() + letters.count()
    return MenuCounts(to_review=to_review, **counts)


def has_todo_page(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (
            user.has_perm("directives.issue_directive")
            or user.has_perm("directives.track_directive")
            or user.is_unit_head
        )
    )
