"""A unit's inbox: its dispatches with their task figures, searched without accents."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from common.cache import cached_under_version, versioned_keys
from directives.models import Assignment, Directive, Dispatch, IncomingEntry, ReportFile
from directives.selectors.scope import dispatches_visible_to, receiving_unit_ids
from directives.selectors.workspace import assignment_is_overdue, overdue_q
from directives.workdays import is_overdue, local_today
from recipients.models import UNITS_VERSION, Unit, User, fold_text
from recipients.permissions import PERMISSIONS_VERSION


def _count(assignments: QuerySet[Assignment]) -> Coalesce:
    return Coalesce(
        Subquery(assignments.values("dispatch").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def inbox_dispatches(user: User, *, today: datetime.date | None = None) -> QuerySet[Dispatch]:
    """The dispatches of my unit and of the units whose incoming book I keep, as whole
    dispatches with their task figures and the receiving unit's decision, in the inbox's order
    (the API's list, a received letter's page). The inbox page reads inbox_letters."""
    queryset = (
        inbox_letters(user)
        .select_related("directive", "directive__issuing_unit", "unit", "incoming_entry")
        .annotate(
            ack_rank=Case(
                When(acknowledged_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        # Urgency orders only the letters not acknowledged yet (InboxRows): an old flash
        # letter, once acknowledged, takes its place by date.
        .order_by("ack_rank", "-urgency_rank", "-created_at", "-pk")
    )
    return with_task_figures(queryset, today=today)


def inbox_letters(user: User) -> QuerySet[Dispatch]:
    """The dispatches of my unit and of the units whose incoming book I keep, as they are:
    what InboxRows pages through (it chooses their columns and their order) and the inbox's
    filter narrows, without the related rows and the order inbox_dispatches adds for a reader
    of whole dispatches, which the page would build only to throw away."""
    units = receiving_unit_ids(user)
    if not units:
        return Dispatch.objects.none()
    return dispatches_visible_to(user).filter(unit_id__in=units)


def with_task_figures(
    queryset: QuerySet[Dispatch], *, today: datetime.date | None = None
) -> QuerySet[Dispatch]:
    """Each dispatch's task figures (next deadline, open, all and overdue tasks), for a filter
    on them (InboxFilter's deadline) or a reader of single dispatches. Subqueries, not a GROUP
    BY over every letter of the unit: the database works them out only for the rows asked for
    (and for the rows a deadline filter looks at)."""
    if "task_count" in queryset.query.annotations:
        return queryset
    today = today or local_today()
    mine = Assignment.objects.filter(dispatch=OuterRef("pk")).order_by()
    open_ones = mine.filter(status__in=Assignment.OPEN_STATUSES)
    return queryset.annotate(
        next_due=Subquery(
            open_ones.filter(due_date__isnull=False).order_by("due_date").values("due_date")[:1]
        ),
        open_count=_count(open_ones),
        task_count=_count(mine),
        overdue_count=_count(mine.filter(overdue_q(today=today))),
    )


def task_figures_read(rows: list[InboxRow], *, today: datetime.date | None = None) -> None:
    """The task figures of with_task_figures set on a page's rows, from one narrow read of the
    page's assignments (a few per letter) and the Python twin of the overdue rule
    (workdays.is_overdue): cheaper to build than a GROUP BY of filtered counts, and the same
    figures (tests/directives/workspace/test_inbox.py)."""
    if not rows:
        return
    today = today or local_today()
    by_dispatch = {row.pk: row for row in rows}
    for dispatch_id, status, due in (
        Assignment.objects.filter(dispatch_id__in=list(by_dispatch))
        .order_by()
        .values_list("dispatch_id", "status", "due_date")
    ):
        row = by_dispatch[dispatch_id]
        row.task_count += 1
        if status in Assignment.OPEN_STATUSES:
            row.open_count += 1
            if due is not None and (row.next_due is None or due < row.next_due):
                row.next_due = due
            if is_overdue(due, today=today):
                row.overdue_count += 1


@dataclass(slots=True)
class InboxIssuer:
    name: str
    short_name: str


@dataclass(slots=True)
class InboxLetter:
    """What a row shows of its letter, with the Directive's own wording of it."""

    number: int | None
    symbol: str
    urgency: str
    subject: str
    status: str
    issued_on: datetime.date | None
    issuing_unit: InboxIssuer

    number_display = Directive.number_display
    number_symbol = Directive.number_symbol
    urgency_stamp = Directive.urgency_stamp

    def get_status_display(self) -> str:
        return str(Directive.Status(self.status).label)


@dataclass(slots=True)
class InboxEntry:
    """The receiving unit's decision on the letter, as its row shows it."""

    decision: str
    arrival_number: int | None
    year: int | None

    Decision = IncomingEntry.Decision
    is_refused = IncomingEntry.is_refused


@dataclass(slots=True)
class InboxRow:
    """A row of the inbox: one dispatch, read as plain values rather than as four model
    instances (a Directive has some fifty fields to set up): a good part of the page's time
    otherwise. Its task figures are set by task_figures_read."""

    pk: int
    directive_id: int
    acknowledged_at: datetime.datetime | None
    directive: InboxLetter
    incoming_entry: InboxEntry | None
    next_due: datetime.date | None = None
    open_count: int = 0
    task_count: int = 0
    overdue_count: int = 0


# What a row of the inbox shows (templatetags/inbox_rows.py), in the order InboxRow reads it.
ROW_FIELDS = (
    "pk",
    "directive_id",
    "acknowledged_at",
    "directive__number",
    "directive__symbol",
    "directive__urgency",
    "directive__subject",
    "directive__status",
    "directive__issued_on",
    "directive__issuing_unit__name",
    "directive__issuing_unit__short_name",
    "incoming_entry__id",
    "incoming_entry__decision",
    "incoming_entry__arrival_number",
    "incoming_entry__year",
)


def _inbox_rows_read(queryset: QuerySet[Dispatch]) -> list[InboxRow]:
    rows = []
    # ROW_FIELDS' order: the dispatch (3), its letter (6), the issuer (2), the entry (4).
    for values in queryset.values_list(*ROW_FIELDS):
        letter = InboxLetter(*values[3:9], InboxIssuer(*values[9:11]))
        entry = None if values[11] is None else InboxEntry(*values[12:15])
        rows.append(InboxRow(*values[:3], letter, entry))
    return rows


class InboxRows:
    """The inbox in its order for a Paginator: the letters not acknowledged yet, urgent first
    then newest, followed by the acknowledged ones, newest first.

    Two queries, each walking an index of its own (models.Dispatch.Meta), rather than one sort
    over every letter the unit ever received: ten years of a district's letters cost the same
    page time as one year's."""

    # Above this many letters waiting, the waiting query goes without their list (below).
    WAITING_LISTED = 5000

    def __init__(
        self,
        queryset: QuerySet[Dispatch],
        *,
        count_kept_for: User | None = None,
        units: list[int] | None = None,
    ):
        self.all = queryset
        self.units = units
        # The whole inbox's count, kept for its reader until a letter reaches or leaves their
        # units (inbox_count_kept): counting twenty thousand letters on every visit is most of the
        # page's time.
        self.count_kept_for = count_kept_for
        # Only the columns a row shows (ROW_FIELDS): a letter's body, legal bases and PDF
        # names are most of its bytes and none of its row.
        rows = queryset.select_related(None)
        self.waiting = rows.filter(acknowledged_at__isnull=True).order_by(
            "-urgency_rank", "-created_at", "-pk"
        )
        self.acknowledged = rows.filter(acknowledged_at__isnull=False).order_by(
            "-created_at", "-pk"
        )
        self._waiting_count: int | None = None
        self._count: int | None = None

    def _waiting_listed(self) -> QuerySet[Dispatch]:
        """The waiting letters, narrowed to the ids the units' `dispatch_unit_waiting` index
        holds: the database then knows they are a few hundred and reads each letter by its key,
        instead of passing over every letter to sort the waiting ones by urgency. One unit's
        waiting letters need no list: its `dispatch_unit_waiting` index is in the page's order,
        so the database walks it and stops after the page."""
        if not self.units or len(self.units) == 1:
            return self.waiting
        ids = list(
            Dispatch.objects.filter(unit_id__in=self.units, acknowledged_at__isnull=True)
            .order_by()
            .values_list("pk", flat=True)[: self.WAITING_LISTED + 1]
        )
        if len(ids) > self.WAITING_LISTED:
            return self.waiting
        return self.waiting.filter(pk__in=ids)

    def count(self) -> int:
        if self._count is None:
            if self.count_kept_for is None:
                self._count = self.all.count()
            else:
                self._count = inbox_count_kept(self.count_kept_for, self.all.count)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[InboxRow]:
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("InboxRows takes a slice without a step")
        start = key.start or 0
        stop = self.count() if key.stop is None else key.stop
        rows: list[InboxRow] = []
        if self._waiting_count is None or start < self._waiting_count:
            rows = _inbox_rows_read(self._waiting_listed()[start:stop])
            if len(rows) < stop - start:
                # Fewer waiting letters than asked for: the first page tells how many there
                # are without counting them; a later page counts them once.
                self._waiting_count = (
                    start + len(rows) if rows or start == 0 else self.waiting.count()
                )
        split = self._waiting_count
        if split is not None and stop > split:
            rows += _inbox_rows_read(self.acknowledged[max(0, start - split) : stop - split])
        task_figures_read(rows)
        return rows


def inbox_version_names(unit_ids: Iterable[int]) -> list[str]:
    """The names (common/cache.py) of these units' inboxes, whose versions change whenever a
    letter reaches one of them or leaves it (services.issuing, apps.py)."""
    return [f"inbox:{pk}" for pk in sorted(set(unit_ids))]


def _units_kept_as(user: User) -> tuple[list[str], str]:
    """The versions of the user's units' inboxes, and those units as a part of a key."""
    units = sorted(receiving_unit_ids(user))
    return inbox_version_names(units), ",".join(map(str, units))


def _count_kept_as(user: User) -> tuple[list[str], str]:
    names, units = _units_kept_as(user)
    return (
        [*names, PERMISSIONS_VERSION],
        f"inbox:user:{user.pk}:{int(user.is_superuser)}:{units}:count",
    )


def _issuers_kept_as(user: User) -> tuple[list[str], str]:
    names, units = _units_kept_as(user)
    return names, f"inbox:{units}:issuers"


def inbox_filter_fields_kept_as(user: User) -> tuple[list[str], str]:
    """The versions and the key under which the unfilled filter's fields are kept
    (templatetags/inbox_rows.py): the same for every visit in the same language to the same
    units while no letter reaches or leaves them (their issuers stay) and no unit is saved (the
    issuers keep their names)."""
    names, units = _units_kept_as(user)
    return [UNITS_VERSION, *names], f"inbox:{units}:filter-fields:{get_language()}"


def inbox_kept_keys(user: User) -> list[str]:
    """Every cache key the unfiltered inbox reads (common/cache.py, cache_read_ahead)."""
    kept = (_count_kept_as(user), _issuers_kept_as(user), inbox_filter_fields_kept_as(user))
    return [key for names, last in kept for key in versioned_keys(names, last)]


def inbox_count_kept(user: User, count: Callable[[], int]) -> int:
    """`count()` of the user's whole inbox, kept for them until a letter reaches or leaves
    their units or their permissions change: the user's own, as what they may see of their
    units' letters depends on their permissions (dispatches_visible_to)."""
    names, key = _count_kept_as(user)
    return cached_under_version(names, key, count, settings.INBOX_CACHE_SECONDS)


def _issuer_ids(units: list[int]) -> list[int]:
    sent_to_me = Dispatch.objects.filter(directive__issuing_unit=OuterRef("pk"), unit_id__in=units)
    return list(Unit.objects.filter(Exists(sent_to_me)).order_by().values_list("pk", flat=True))


def inbox_issuer_ids(user: User, *, kept: bool = False) -> list[int]:
    """The units that sent letters to my inbox, for its filter: a probe of the (directive,
    unit) index per issuing unit, never a pass over the letters themselves. `kept`: worked out
    once until a letter reaches or leaves the units (INBOX_CACHE_SECONDS at most), rather than
    on every visit: it walks every letter of the units."""
    units = sorted(receiving_unit_ids(user))
    if not kept:
        return _issuer_ids(units)
    names, key = _issuers_kept_as(user)
    return cached_under_version(
        names, key, lambda: _issuer_ids(units), settings.INBOX_CACHE_SECONDS
    )


def inbox_issuers(user: User, *, ids: list[int] | None = None) -> QuerySet[Unit]:
    """The units of inbox_issuer_ids (or of `ids` it gave), for the filter's list."""
    if ids is None:
        ids = inbox_issuer_ids(user)
    return Unit.objects.filter(pk__in=ids)


def inbox_search(queryset: QuerySet[Dispatch], user: User, text: str) -> QuerySet[Dispatch]:
    """Search number/symbol and subject, ignoring accents and case ("chu pah" finds "Chư Păh").

    A unit's inbox holds at most a few thousand letters, so the folding is done in Python over
    one narrow query rather than with a database extension.
    """
    needle = fold_text(text)
    if not needle:
        return queryset
    rows = (
        dispatches_visible_to(user)
        .filter(unit_id__in=receiving_unit_ids(user))
        .values_list("pk", "directive__number", "directive__symbol", "directive__subject")
    )
    hits = [
        pk
        for pk, number, symbol, subject in rows
        # Numbers print with two digits ("08/STTTT-TTBCXB"), as on the letter.
        if needle in fold_text(f"{'' if number is None else f'{number:02d}'}/{symbol} {subject}")
    ]
    return queryset.filter(pk__in=hits)


def inbox_dispatch_assignments(
    dispatch: Dispatch, *, today: datetime.date | None = None
) -> list[Assignment]:
    """My unit's tasks of one dispatch, with their files and extension requests; each one's
    `overdue` says whether it is overdue today (for the page, which computes no rule)."""
    today = today or local_today()
    rows = list(
        Assignment.objects.filter(dispatch=dispatch)
        .select_related("task", "reviewed_by", "reported_by")
        .prefetch_related(
            # The unit's report as it went to the issuer; a handler's files waiting for the
            # head stay on the distribution pages.
            Prefetch("files", queryset=ReportFile.objects.filter(to_issuer=True)),
            "extensions",
        )
        .order_by("task__position", "pk")
    )
    for row in rows:
        row.overdue = assignment_is_overdue(row, today=today)
    return rows
