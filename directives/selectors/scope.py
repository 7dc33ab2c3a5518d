"""Reads for a user. Every query a view makes for a user starts from one of these doors."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from directives.models import ISSUED_STATES, Directive, Dispatch
from recipients.models import Unit, User


def agency_unit_ids(user: User) -> list[int]:
    """The units whose outgoing directives this user works on: their own, and the agency above
    when their unit is an internal division of it (the Sở's Văn phòng clerk works on the Sở's
    letters). A unit that is not a division issues on its own: a Sở under the provincial
    committee, or a district committee, never works on the letters of the unit above it."""
    if user.unit_id is None:
        return []
    unit = user.unit
    if unit.kind == Unit.Kind.DIVISION and unit.parent_id is not None:
        return [unit.pk, unit.parent_id]
    return [unit.pk]


def issuing_agency_id(user: User) -> int | None:
    """The unit whose letters this user issues by default: the agency above a division, else
    the user's own unit."""
    ids = agency_unit_ids(user)
    return ids[-1] if ids else None


def receiving_unit_ids(user: User) -> list[int]:
    """The units whose incoming letters this user receives and whose incoming book they keep:
    a unit officer their own unit's; a clerk (keep_incoming_book) their agency's too (the Sở's
    Văn phòng clerk keeps the Sở's book). Worked out once per request (an inbox asks seven
    times), kept on the user as Django keeps their permissions, for the unit it was worked
    out for."""
    if not user.is_authenticated or user.unit_id is None:
        return []
    kept = getattr(user, "_receiving_unit_ids", None)
    if kept is not None and kept[0] == user.unit_id:
        return list(kept[1])
    ids: list[int] = []
    if user.has_perm("directives.keep_incoming_book"):
        ids += list(reversed(agency_unit_ids(user)))  # the agency first, then the division
    if user.has_perm("directives.receive_directive"):
        ids.append(user.unit_id)
    ids = list(dict.fromkeys(ids))
    user._receiving_unit_ids = (user.unit_id, tuple(ids))
    return ids


def directives_visible_to(user: User) -> QuerySet[Directive]:
    """The directives this user may open: their issuing unit's own, or those sent to their unit.

    Anything outside this queryset is a 404 for the user, never a 403.
    """
    if not user.is_authenticated:
        return Directive.objects.none()
    if user.is_superuser or user.has_perm("directives.view_all_directives"):
        return Directive.objects.all()
    if user.unit_id is None:
        return Directive.objects.none()
    desk_units = agency_unit_ids(user)
    own_desk = Q(issuing_unit_id__in=desk_units) | Q(drafting_unit_id__in=desk_units)
    if not (
        user.has_perm("directives.view_directive") or user.has_perm("directives.add_directive")
    ):
        own_desk = Q(pk__in=[])
    received_by = [user.unit_id, *receiving_unit_ids(user)]
    received = Q(
        pk__in=Dispatch.objects.filter(unit_id__in=received_by).values("directive_id"),
        status__in=ISSUED_STATES,
    )
    return Directive.objects.filter(own_desk | received)


def dispatches_visible_to(user: User) -> QuerySet[Dispatch]:
    """Dispatches of the user's unit and of the units whose book they keep (an officer's or a
    clerk's inbox), or all of the directives they manage."""
    if not user.is_authenticated:
        return Dispatch.objects.none()
    if user.is_superuser or user.has_perm("directives.view_all_directives"):
        return Dispatch.objects.all()
    received_by = [user.unit_id, *receiving_unit_ids(user)]
    # A letter reaches its units once its assignments are written (the PDF job's first step,
    # moments after issue): a unit never sees it without its tasks.
    condition = Q(
        unit_id__in=received_by,
        directive__status__in=ISSUED_STATES,
        directive__pending_assignments__isnull=True,
    )
    if user.has_perm("directives.track_directive"):
        condition |= Q(directive__issuing_unit_id__in=agency_unit_ids(user))
    return Dispatch.objects.filter(condition)


def desk_directives(user) -> QuerySet[Directive]:
    """The directives of the user's own desk: visible to them and of their unit or agency."""
    queryset = directives_visible_to(user)
    if user.is_superuser or user.has_perm("directives.view_all_directives"):
        return queryset
    ids = agency_unit_ids(user)
    return queryset.filter(Q(issuing_unit_id__in=ids) | Q(drafting_unit_id__in=ids))
