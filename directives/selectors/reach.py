"""Which units a letter reaches: the one reading of its recipient lines that issuing snapshots
and that the clerk's "Seal and issue" question counts, so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from directives.models import Directive, Dispatch, Task
from recipients.models import RecipientGroup


@dataclass
class Reach:
    """Every unit the letter reaches, first line first, with the kind of line that reached it,
    and for each task the units that must do it."""

    sources: dict[int, str] = field(default_factory=dict)
    task_units: list[tuple[Task, list[int]]] = field(default_factory=list)

    @property
    def unit_count(self) -> int:
        return len(self.sources)


def _group_unit_ids(group: RecipientGroup, issuer_id: int) -> list[int]:
    # "Every department" must not send the issuing department its own letter.
    return [pk for pk in group.current_units().values_list("pk", flat=True) if pk != issuer_id]


def directive_reach(directive: Directive) -> Reach:
    """The units reached by an addressee, a linked copy line or a task, groups expanded as they
    are today (an issued letter keeps its snapshot; later edits of a group change nothing).
    Reads only: asking how many units a letter would reach takes and reserves nothing."""
    issuer_id = directive.issuing_unit_id
    reach = Reach()
    expanded: dict[int, list[int]] = {}  # a group named by several lines is expanded once

    def group_units(group: RecipientGroup) -> list[int]:
        if group.pk not in expanded:
            expanded[group.pk] = _group_unit_ids(group, issuer_id)
        return expanded[group.pk]

    def add(unit_ids: list[int], source: str) -> None:
        for unit_id in unit_ids:
            reach.sources.setdefault(unit_id, source)

    def unit_ids_of(group: RecipientGroup | None, unit) -> list[int]:
        if group is not None:
            return group_units(group)
        return [unit.pk] if unit is not None and unit.is_active else []

    for line in directive.addressees.select_related("group", "unit"):
        add(unit_ids_of(line.group, line.unit), Dispatch.Source.ADDRESSEE)
    for line in directive.copy_recipients.select_related("group", "unit"):
        add(unit_ids_of(line.group, None), Dispatch.Source.COPY)
        add(unit_ids_of(None, line.unit), Dispatch.Source.COPY)
    for task in directive.tasks.prefetch_related("groups", "units"):
        unit_ids: list[int] = []
        for group in task.groups.all():
            unit_ids += group_units(group)
        unit_ids += [u.pk for u in task.units.all() if u.is_active]
        unit_ids = list(dict.fromkeys(unit_ids))
        add(unit_ids, Dispatch.Source.TASK)
        reach.task_units.append((task, unit_ids))
    return reach
