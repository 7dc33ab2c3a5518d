"""Distribution inside the receiving unit as its people read it: the head's desk (accepted
letters to assign, reports waiting for review), the handler's list, the people a head may hand
work to. Another unit's letters and tasks are a 404."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from directives.models import (
    ISSUED_STATES,
    Assignment,
    Attachment,
    Directive,
    IncomingEntry,
    ReportFile,
)
from recipients.models import Unit, User


def headed_unit_ids(user: User) -> list[int]:
    """The unit the user heads (their own unit, as its head and one of its officers)."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.is_unit_head
        or user.unit_id is None
        or not user.has_perm("directives.receive_directive")
    ):
        return []
    return [user.unit_id]


def handled_by_q(user: User) -> Q:
    """The tasks named to this user, or to their division when they are one of its officers."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    q = Q(handler_user=user)
    if user.unit_id is not None and user.has_perm("directives.receive_directive"):
        q |= Q(handler_unit_id=user.unit_id, handler_user__isnull=True)
    return q


def distribution_assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """The tasks the user handles or whose unit they head; any other is a 404."""
    return (
        Assignment.objects.filter(handled_by_q(user) | Q(unit_id__in=headed_unit_ids(user)))
        .filter(task__directive__status=Directive.Status.ISSUED)
        .select_related(
            "task",
            "task__directive",
            "task__directive__issuing_unit",
            "unit",
            "dispatch",
            "handler_unit",
            "handler_user",
        )
        .prefetch_related("extensions")
    )


def distribution_entries_visible_to(user: User) -> QuerySet[IncomingEntry]:
    """The accepted letters of the unit the user heads."""
    return IncomingEntry.objects.filter(
        unit_id__in=headed_unit_ids(user), decision=IncomingEntry.Decision.ACCEPTED
    ).select_related("unit", "dispatch", "dispatch__directive", "handler_unit", "handler_user")


def _own_unit_ids(user: User) -> list[int]:
    """The units whose letters a handler may be handed: their own, and the unit above when they
    are an officer of one of its divisions."""
    if user.unit_id is None:
        return []
    return [pk for pk in (user.unit_id, user.unit.parent_id) if pk is not None]


def distribution_letters_visible_to(user: User) -> QuerySet[IncomingEntry]:
    """The accepted letters the user heads the unit of, or handles inside their unit: named as
    the letter's handler or as the handler of one of its tasks. Another unit's letter, or one
    the user was never handed, is a 404."""
    if not user.is_authenticated or not user.is_active:
        return IncomingEntry.objects.none()
    tasks = Assignment.objects.filter(handled_by_q(user), unit_id__in=_own_unit_ids(user))
    handled = Q(unit_id__in=_own_unit_ids(user)) & (
        handled_by_q(user) | Q(dispatch_id__in=tasks.values("dispatch_id"))
    )
    return (
        IncomingEntry.objects.filter(
            handled | Q(unit_id__in=headed_unit_ids(user)),
            decision=IncomingEntry.Decision.ACCEPTED,
        )
        .filter(Q(dispatch__isnull=True) | Q(dispatch__directive__status__in=ISSUED_STATES))
        .select_related(
            "unit",
            "dispatch",
            "dispatch__directive",
            "dispatch__directive__issuing_unit",
            "handler_unit",
            "handler_user",
            "handler_opened_by",
        )
    )


def distribution_directives_visible_to(user: User) -> QuerySet[Directive]:
    """The issued letters a handler (or the head) may open from the task or letter page: those
    of the letters and tasks handed to them inside their unit."""
    if not user.is_authenticated or not user.is_active:
        return Directive.objects.none()
    tasks = Assignment.objects.filter(
        handled_by_q(user) | Q(unit_id__in=headed_unit_ids(user)),
        unit_id__in=_own_unit_ids(user),
    )
    letters = distribution_letters_visible_to(user).filter(dispatch__isnull=False)
    return Directive.objects.filter(
        Q(pk__in=letters.values("dispatch__directive_id"))
        | Q(pk__in=tasks.values("task__directive_id")),
        status__in=ISSUED_STATES,
    )


def distribution_attachments_visible_to(user: User) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        directive__in=distribution_directives_visible_to(user).values("pk")
    ).select_related("seal")


def distribution_report_files_visible_to(user: User) -> QuerySet[ReportFile]:
    """The files of the reports of the tasks the user handles or reviews as the head."""
    return ReportFile.objects.filter(
        assignment__in=distribution_assignments_visible_to(user).values("pk")
    )


def handler_report_files(assignment: Assignment) -> list[ReportFile]:
    """The files of the task's report as the unit sees them: the handler's, waiting for the
    head (or returned), and, once approved, those that went to the issuer."""
    return list(ReportFile.objects.filter(assignment=assignment).order_by("pk"))


def letter_files_context(directive: Directive | None) -> dict:
    """The letter's signed PDF and attachments as its handler opens them (for the page)."""
    if directive is None:
        return {"letter": None, "pdf_ready": False, "attachments": []}
    return {
        "letter": directive,
        "pdf_ready": bool(directive.pdf) and directive.pdf_status == Directive.PdfStatus.READY,
        "attachments": list(directive.attachments.select_related("seal")),
    }


def letter_tasks(entry: IncomingEntry) -> list[Assignment]:
    """The unit's tasks of the letter, for its page."""
    if entry.dispatch_id is None:
        return []
    return list(
        Assignment.objects.filter(dispatch_id=entry.dispatch_id)
        .select_related("task", "handler_unit", "handler_user")
        .order_by("task__position", "pk")
    )


@dataclass
class DistributionDesk:
    to_assign: list[IncomingEntry] = field(default_factory=list)
    to_review: list[Assignment] = field(default_factory=list)
    handling: list[Assignment] = field(default_factory=list)
    letters_to_review: list[IncomingEntry] = field(default_factory=list)
    letters_handling: list[IncomingEntry] = field(default_factory=list)


def distribution_desk(user: User) -> DistributionDesk:
    """The head's letters waiting for a handler and reports waiting for review; the handler's
    open tasks; each ordered by deadline."""
    entries = (
        distribution_entries_visible_to(user)
        .filter(handler_unit__isnull=True, handler_user__isnull=True, recalled_at__isnull=True)
        .exclude(dispatch__directive__status__in=[Directive.Status.RECALLED])
        .order_by("-arrived_at", "-pk")
    )
    visible = distribution_assignments_visible_to(user)
    # A letter its issuer recalled by edXML is closed: nothing waits on it.
    letters = (
        distribution_letters_visible_to(user)
        .filter(recalled_at__isnull=True)
        .order_by("handler_due_date", "arrived_at", "pk")
    )
    return DistributionDesk(
        letters_to_review=list(
            letters.filter(
                unit_id__in=headed_unit_ids(user), head_review=IncomingEntry.HeadReview.WAITING
            )
        ),
        # Letters with no task for the unit, to handle as a whole (those with tasks are
        # handled task by task, listed below).
        letters_handling=list(
            letters.filter(
                handled_by_q(user), handled_at__isnull=True, unit_id__in=_own_unit_ids(user)
            )
            .filter(
                Q(dispatch__isnull=True) | Q(dispatch__directive__status=Directive.Status.ISSUED)
            )
            .exclude(Exists(Assignment.objects.filter(dispatch_id=OuterRef("dispatch_id"))))
        ),
        to_assign=list(entries[:200]),
        to_review=list(
            visible.filter(
                unit_id__in=headed_unit_ids(user), head_review=Assignment.HeadReview.WAITING
            ).order_by("handler_due_date", "due_date", "pk")
        ),
        handling=list(
            visible.filter(handled_by_q(user), status__in=Assignment.OPEN_STATUSES).order_by(
                "handler_due_date", "due_date", "pk"
            )
        ),
    )


def handler_choices(unit: Unit) -> list[tuple[str, str]]:
    """The unit's active divisions ("unit:<id>") and officers ("user:<id>"), for the form."""
    divisions = Unit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "name")
    officers = (
        User.objects.filter(
            unit=unit,
            is_active=True,
            groups__permissions__codename="receive_directive",
            groups__permissions__content_type__app_label="directives",
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    return [(f"unit:{u.pk}", u.name) for u in divisions] + [
        (
            f"user:{u.pk}",
            f"{u.get_full_name() or u.username}" + (f" — {u.title}" if u.title else ""),
        )
        for u in officers
    ]


def handler_from_choice(unit: Unit, value: str) -> tuple[Unit | None, User | None]:
    """The division or officer a form's choice names, among the unit's own (else None, None)."""
    if value not in dict(handler_choices(unit)):
        return None, None
    kind, _sep, pk = value.partition(":")
    if kind == "unit":
        return Unit.objects.get(pk=int(pk)), None
    return None, User.objects.get(pk=int(pk))
