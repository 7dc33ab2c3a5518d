"""The append-only history of a directive. Services call this inside their transaction."""

from __future__ import annotations

from typing import Any

from directives.models import Directive, Event, IncomingEntry
from recipients.models import Unit, User


def event_record(
    *,
    directive: Directive | None,
    verb: str,
    by: User | None = None,
    by_name: str = "",
    unit: Unit | None = None,
    ip: str | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
    incoming_entry: IncomingEntry | None = None,
) -> Event:
    """Write one history line: who (a user, or a name for someone acting through a link), which
    unit, what, from where. A letter entered from outside the portal has no directive: its
    events name its `incoming_entry`."""
    return Event.objects.create(
        directive=directive,
        incoming_entry=incoming_entry,
        actor=by if by is not None and by.is_authenticated else None,
        actor_name=by_name or (str(by) if by is not None else ""),
        unit=unit if unit is not None else getattr(by, "unit", None),
        verb=verb,
        comment=comment,
        ip=ip or None,
        data=data or {},
    )
