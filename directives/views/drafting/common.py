"""What the drafting desk's views share: the desk's directives and the history's words."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from directives.models import Directive
from directives.selectors.history import event_labels as unit_event_labels
from directives.selectors.scope import agency_unit_ids, directives_visible_to


def desk_directives(user) -> QuerySet[Directive]:
    """The directives of the user's own desk: visible to them and of their unit or agency."""
    queryset = directives_visible_to(user)
    if user.is_superuser or user.has_perm("directives.view_all_directives"):
        return queryset
    ids = agency_unit_ids(user)
    return queryset.filter(Q(issuing_unit_id__in=ids) | Q(drafting_unit_id__in=ids))


def desk_directive(request: HttpRequest, pk: int) -> Directive:
    return get_object_or_404(
        desk_directives(request.user).select_related("issuing_unit", "drafting_unit"), pk=pk
    )


def require_desk(user) -> None:
    if not (
        user.has_perm("directives.view_directive") or user.has_perm("directives.add_directive")
    ):
        raise PermissionDenied


def event_labels() -> dict[str, str]:
    """Words for the history's verbs (verbs are stable identifiers, not UI text)."""
    return {
        **unit_event_labels(),
        "created": _("Draft created"),
        "saved": _("Draft saved"),
        "updated": _("Draft saved"),
        "submitted": _("Submitted for approval"),
        "approved": _("Approved and signed off"),
        "returned": _("Returned to the drafter"),
        "numbered": _("Numbered (number and date taken)"),
        "signed": _("Signed digitally by the signer"),
        "numbering_cancelled": _("Numbering cancelled"),
        "issued": _("Sealed and issued"),
        "paper_entered": _("Entered from a paper original"),
        "recalled": _("Recalled"),
        "replaced": _("Replaced"),
        "replacement_started": _("Replacement drafted"),
        "attachment_added": _("Attachment added"),
        "attachment_removed": _("Attachment removed"),
        "pdf_signed": _("Signed PDF ready"),
        "pdf_failed": _("PDF failed"),
        "pdf_retried": _("PDF asked for again"),
        "email_resent": _("E-mail sent again"),
        "seen": _("Opened by a unit"),
    }
