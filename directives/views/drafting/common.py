"""What the drafting desk's views share: one directive of the desk, or a 404; the desk's role."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from directives.models import Directive
from directives.selectors.scope import desk_directives


def desk_directive(request: HttpRequest, pk: int) -> Directive:
    return get_object_or_404(
        desk_directives(request.user).select_related("issuing_unit", "drafting_unit"), pk=pk
    )


def require_desk(user) -> None:
    if not (
        user.has_perm("directives.view_directive") or user.has_perm("directives.add_directive")
    ):
        raise PermissionDenied
