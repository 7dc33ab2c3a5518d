"""The outgoing register's lines (sổ đăng ký văn bản đi) as a clerk of the agency reads them."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from directives.models import ISSUED_STATES, Addressee, CancelledNumber, CopyRecipient, Directive
from directives.selectors.scope import agency_unit_ids
from recipients.models import User


def register_entries(*, user: User, year: int) -> QuerySet[Directive]:
    """The register's lines for the user's agency: every numbered directive of `year`
    (issued, recalled or replaced), in the order of their numbers."""
    entries = Directive.objects.filter(
        register_year=year, number__isnull=False, status__in=ISSUED_STATES
    )
    if not (user.is_superuser or user.has_perm("directives.view_all_directives")):
        entries = entries.filter(issuing_unit_id__in=agency_unit_ids(user))
    return entries.order_by("number", "pk")


def register_lines(*, user: User, year: int, doc_type: str = "") -> list[dict]:
    """One dict per register line, in the register's order, from three queries: what each
    column shows (the signer's printed name, the file copy's holder, a status other than
    issued in the notes) is decided here, not in the page or the export."""
    entries = register_entries(user=user, year=year)
    if doc_type:
        entries = entries.filter(doc_type=doc_type)
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
                "file_copy": d.file_copy_holder or f"VT, {d.drafting_unit.code}",
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
    rows += _cancelled_lines(user=user, year=year, doc_type=doc_type)
    return sorted(rows, key=lambda row: row["number_value"])


def _cancelled_lines(*, user: User, year: int, doc_type: str) -> list[dict]:
    """The numbers whose letters were abandoned after later numbers were given: a line each,
    "cancelled" in the notes, never given again."""
    cancelled = CancelledNumber.objects.filter(year=year).select_related("directive")
    if not (user.is_superuser or user.has_perm("directives.view_all_directives")):
        cancelled = cancelled.filter(unit_id__in=agency_unit_ids(user))
    if doc_type:
        cancelled = cancelled.filter(directive__doc_type=doc_type)
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
