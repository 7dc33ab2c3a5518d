"""The outgoing register's lines (sổ đăng ký văn bản đi) as a clerk of the agency reads them."""

from __future__ import annotations

from django.db.models import QuerySet

from directives.models import ISSUED_STATES, Directive
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
