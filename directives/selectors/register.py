"""The outgoing registers' lines (sổ đăng ký văn bản đi) as a clerk of the agency reads them: the
general register, and the register of legal normative documents of a unit that keeps one."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from directives.models import (
    ISSUED_STATES,
    Addressee,
    CancelledNumber,
    CopyRecipient,
    Directive,
    Register,
    RegisterKind,
)
from directives.selectors.scope import agency_unit_ids, issuing_agency_id
from recipients.models import Unit, User

GENERAL = RegisterKind.GENERAL
REGISTER_PAGE_SIZE = 100


def _sees_all(user: User) -> bool:
    return user.is_superuser or user.has_perm("directives.view_all_directives")


def register_keeper(user: User) -> bool:
    """Whether the person keeps the register (the clerk who issues): its page, XLSX and API."""
    return user.has_perm("directives.issue_directive")


def register_agency(user: User) -> Unit | None:
    """The issuing unit whose registers the user's register page shows."""
    agency_id = issuing_agency_id(user)
    return Unit.objects.filter(pk=agency_id).first() if agency_id else None


def register_kinds(user: User) -> list[tuple[str, str]]:
    """The registers the user's agency keeps: always the general one; the one of legal
    normative documents when the unit keeps it apart or has numbered letters in it."""
    kinds = [(GENERAL.value, str(GENERAL.label))]
    units = (
        Unit.objects.all() if _sees_all(user) else Unit.objects.filter(pk__in=agency_unit_ids(user))
    )
    normative = RegisterKind.NORMATIVE
    if (
        units.filter(has_normative_register=True).exists()
        or Directive.objects.filter(issuing_unit__in=units, register_kind=normative).exists()
    ):
        kinds.append((normative.value, str(normative.label)))
    return kinds


def register_entries(*, user: User, year: int, kind: str = GENERAL) -> QuerySet[Directive]:
    """The lines of the user's agency's register of `kind`: every numbered directive of `year`
    (issued, recalled or replaced), in the order of their numbers."""
    entries = Directive.objects.filter(
        register_kind=kind, register_year=year, number__isnull=False, status__in=ISSUED_STATES
    )
    if not _sees_all(user):
        entries = entries.filter(issuing_unit_id__in=agency_unit_ids(user))
    return entries.order_by("number", "pk")


def register_page(
    *, user: User, year: int, doc_type: str = "", kind: str = GENERAL, page: str | None = None
) -> tuple[Page, list[dict]]:
    """One page of the register (REGISTER_PAGE_SIZE letters, with the cancelled numbers that
    fall among them): a year of a busy agency is a few thousand lines, which the page would
    otherwise read and draw at once. The export keeps the whole year (`register_lines`)."""
    entries = register_entries(user=user, year=year, kind=kind)
    if doc_type:
        entries = entries.filter(doc_type=doc_type)
    shown = Paginator(entries.only("pk", "number"), REGISTER_PAGE_SIZE).get_page(page)
    letters = list(shown.object_list)
    numbers = [d.number for d in letters]
    lines = register_lines(
        user=user,
        year=year,
        doc_type=doc_type,
        kind=kind,
        only=[d.pk for d in letters],
        after=numbers[0] if numbers and shown.has_previous() else None,
        before=numbers[-1] if numbers and shown.has_next() else None,
    )
    return shown, lines


def register_lines(
    *,
    user: User,
    year: int,
    doc_type: str = "",
    kind: str = GENERAL,
    only: list[int] | None = None,
    after: int | None = None,
    before: int | None = None,
) -> list[dict]:
    """One dict per register line, in the register's order, from three queries: what each
    column shows (the signer's printed name, the file copy's holder, a status other than
    issued in the notes) is decided here, not in the page or the export. `only` limits the
    letters to a page of them, and `after`/`before` the cancelled numbers to those among
    them."""
    entries = register_entries(user=user, year=year, kind=kind)
    if doc_type:
        entries = entries.filter(doc_type=doc_type)
    if only is not None:
        entries = entries.filter(pk__in=only)
    entries = (
        entries.select_related("signer", "issuing_unit", "drafting_unit")
        .prefetch_related(
            Prefetch("addressees", queryset=Addressee.objects.select_related("group", "unit")),
            Prefetch("copy_recipients", queryset=CopyRecipient.objects.all()),
        )
        .annotate(
            dispatch_count=Count("dispatches", distinct=True),
            ack_count=Count(
                "dispatches", filter=Q(dispatches__acknowledged_at__isnull=False), distinct=True
            ),
        )
        .order_by("number", "pk")
    )
    rows = []
    for d in entries:
        recipients = [a.printed_label for a in d.addressees.all()]
        recipients += [c.label for c in d.copy_recipients.all()]
        type_name = d.type_title.capitalize() if not d.is_cong_van else "Công văn"
        rows.append(
            {
                "directive": d,
                "number_value": d.number,
                "number": d.number_display,
                "symbol": d.number_symbol,
                "date": d.issued_on,
                "type_subject": f"{type_name}: {d.subject}",
                "signer": d.signer_name or (str(d.signer) if d.signer else ""),
                "recipients": recipients,
                "file_copy": d.file_copy_holder or f"VT, {d.drafting_unit.symbol_abbreviation}",
                "copies": d.copies,
                "sent": d.issued_at,
                "receipt": (d.ack_count, d.dispatch_count),
                "notes": "; ".join(
                    part
                    for part in (
                        _("signed on paper") if d.is_paper else "",
                        d.get_status_display() if d.status != Directive.Status.ISSUED else "",
                        d.notes,
                    )
                    if part
                ),
            }
        )
    rows += _cancelled_lines(
        user=user, year=year, doc_type=doc_type, kind=kind, after=after, before=before
    )
    return sorted(rows, key=lambda row: row["number_value"])


def _cancelled_lines(
    *, user: User, year: int, doc_type: str, kind: str, after: int | None, before: int | None
) -> list[dict]:
    """The numbers whose letters were abandoned after later numbers were given: a line each,
    "cancelled" in the notes, never given again."""
    cancelled = CancelledNumber.objects.filter(year=year, register_kind=kind).select_related(
        "directive"
    )
    if not _sees_all(user):
        cancelled = cancelled.filter(unit_id__in=agency_unit_ids(user))
    if doc_type:
        cancelled = cancelled.filter(directive__doc_type=doc_type)
    if after is not None:
        cancelled = cancelled.filter(number__gt=after)
    if before is not None:
        cancelled = cancelled.filter(number__lt=before)
    return [
        {
            "directive": None,
            "number_value": c.number,
            "number": f"{c.number:02d}",
            "symbol": c.symbol,
            "date": c.numbered_on,
            "type_subject": c.subject,
            "signer": "",
            "recipients": [],
            "file_copy": "",
            "copies": "",
            "sent": None,
            "receipt": (0, 0),
            "notes": _("cancelled"),
            "cancelled": True,
        }
        for c in cancelled
    ]


def register_next_number(
    *, unit_id: int, year: int, kind: str = GENERAL, after: int | None = None
) -> int:
    """The number the unit's register of `kind` gives next in `year`: the first after `after`
    (the register's last number, read here when not given) that no letter entered from paper
    holds and no cancelled line keeps. Reads only: the numbering service calls it under the
    register's lock to take the number, the clerk's question before "Cấp số" to name it."""
    if after is None:
        after = (
            Register.objects.filter(unit_id=unit_id, kind=kind, year=year)
            .values_list("last_number", flat=True)
            .first()
            or 0
        )
    held = Directive.objects.filter(
        issuing_unit_id=unit_id, register_kind=kind, register_year=year, number__gt=after
    )
    cancelled = CancelledNumber.objects.filter(
        unit_id=unit_id, register_kind=kind, year=year, number__gt=after
    )
    used = set(held.values_list("number", flat=True)) | set(
        cancelled.values_list("number", flat=True)
    )
    number = after + 1
    while number in used:
        number += 1
    return number
