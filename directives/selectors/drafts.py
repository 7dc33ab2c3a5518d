"""What the drafting desk reads about a draft beyond its own fields: the "Nơi nhận" lines that are
printed but reach nobody, and what changed since the signer last returned it.

A version is the draft as the signer read it: its subject, body, Kính gửi, Nơi nhận and tasks as
text, kept in the data of the "returned" event (services/workflow.py). The signer's review page
shows the differences between that version and the draft submitted again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from django.utils.translation import gettext as _

from directives.models import Directive, Event
from recipients.models import Unit, fold_text

# ---------------------------------------------------------------------------------------------
# "Nơi nhận" lines printed but not sent
# ---------------------------------------------------------------------------------------------

# A filing line ("Lưu: VT, P.TTBCXB") or the reminder of the addressees ("Như trên") is printed
# only: nobody expects the letter to reach it.
_PRINT_ONLY = ("luu", "nhu tren")
_PURPOSE_TAIL = re.compile(r"\s*\([^()]*\)\s*$")
_EDGES = " \t-+•*;,.:"


@dataclass(frozen=True)
class UnsentLine:
    """A "Nơi nhận" line linked to no unit and no group: printed, never sent. `index` is its
    place among the lines (the drafting page's row), `suggestion` the unit whose name it is."""

    index: int
    label: str
    suggestion: Unit | None

    @property
    def suggestion_text(self) -> str:
        unit = self.suggestion
        return f"{unit.name} ({unit.code})" if unit is not None else ""


def _label_key(label: str) -> str:
    """ "- UBND huyện Chư Păh (để biết);" -> "ubnd huyen chu pah"."""
    text = (label or "").strip().strip(_EDGES)
    text = _PURPOSE_TAIL.sub("", text)
    return fold_text(text.strip(_EDGES))


def _is_print_only(label: str) -> bool:
    folded = fold_text(label).strip(_EDGES)
    return any(folded.startswith(word) for word in _PRINT_ONLY)


def units_by_name(units: Iterable[Unit]) -> dict[str, Unit]:
    """Active units under their folded name, short name and code (accent and case ignored)."""
    found: dict[str, Unit] = {}
    for unit in units:
        for text in (unit.code, unit.short_name, unit.name):
            key = fold_text(text or "")
            if key:
                found.setdefault(key, unit)
    return found


def unsent_copy_lines(
    lines: Sequence[tuple[int, str, bool]], names: dict[str, Unit]
) -> list[UnsentLine]:
    """Of the (index, label, linked) lines, those linked to nothing that are not filing lines,
    each with the unit of the same name when there is one."""
    return [
        UnsentLine(index=index, label=label, suggestion=names.get(_label_key(label)))
        for index, label, linked in lines
        if not linked and label.strip() and not _is_print_only(label)
    ]


def active_unit_names() -> dict[str, Unit]:
    return units_by_name(
        Unit.objects.filter(is_active=True).only("pk", "name", "short_name", "code")
    )


def directive_unsent_copy_lines(directive: Directive) -> list[UnsentLine]:
    """The saved draft's "Nơi nhận" lines printed but not sent."""
    lines = [
        (index, c.label, c.unit_id is not None or c.group_id is not None)
        for index, c in enumerate(directive.copy_recipients.all())
    ]
    if all(linked for _i, _l, linked in lines):
        return []
    return unsent_copy_lines(lines, active_unit_names())


# ---------------------------------------------------------------------------------------------
# Versions and what changed since the last return
# ---------------------------------------------------------------------------------------------

VERSION_FIELDS = ("subject", "body", "addressees", "copies", "tasks")


def version_labels() -> dict[str, str]:
    return {
        "subject": _("Subject"),
        "body": _("Body"),
        "addressees": _("Kính gửi"),
        "copies": _("Nơi nhận"),
        "tasks": _("Tasks"),
    }


def directive_version(directive: Directive) -> dict[str, str]:
    """The draft's reviewed parts as text, one line per Kính gửi line, Nơi nhận line or task."""
    addressees = [a.printed_label for a in directive.addressees.select_related("group", "unit")]
    copies = []
    for c in directive.copy_recipients.select_related("group", "unit"):
        target = c.unit or c.group
        copies.append(f"{c.label} → {target}" if target is not None else c.label)
    tasks = []
    for t in directive.tasks.prefetch_related("groups", "units"):
        whom = ", ".join([str(g) for g in t.groups.all()] + [str(u) for u in t.units.all()])
        line = f"{t.position}. {t.title} [{whom}]"
        if t.deadline:
            line += f" ({_('deadline')} {t.deadline:%d/%m/%Y})"
        if t.report_required:
            line += f" ({_('written report')})"
        tasks.append(line)
    return {
        "subject": directive.subject,
        "body": directive.body,
        "addressees": "\n".join(addressees),
        "copies": "\n".join(copies),
        "tasks": "\n".join(tasks),
    }


@dataclass(frozen=True)
class FieldChange:
    """One reviewed part that changed: its label and the text as pieces, each kept, removed or
    added (op -1, 0, 1). The template escapes every piece."""

    name: str
    label: str
    pieces: list[tuple[int, str]]


@dataclass(frozen=True)
class ChangesSinceReturn:
    returned_at: object
    returned_by: str
    reason: str
    changes: list[FieldChange]


# The lists (Kính gửi, Nơi nhận, tasks) change by whole lines; the subject and body by words.
LINE_FIELDS = frozenset({"addressees", "copies", "tasks"})


def text_diff(before: str, after: str, *, by_line: bool = False) -> list[tuple[int, str]]:
    """Pieces of text kept (0), removed (-1) and added (1), grouped so that words read whole;
    `by_line`: whole lines removed or added."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0.5
    before, after = before or "", after or ""
    if by_line:
        # Every line ends with a newline, so that the last one compares as a line too.
        chars_a, chars_b, lines = dmp.diff_linesToChars(
            f"{before}\n" if before else "", f"{after}\n" if after else ""
        )
        pieces = dmp.diff_main(chars_a, chars_b, False)
        dmp.diff_charsToLines(pieces, lines)
        if pieces:
            pieces[-1] = (pieces[-1][0], pieces[-1][1].removesuffix("\n"))
    else:
        pieces = dmp.diff_main(before, after)
        dmp.diff_cleanupSemantic(pieces)
    return [(op, text) for op, text in pieces if text]


def last_return(directive: Directive) -> Event | None:
    return (
        Event.objects.filter(directive=directive, verb="returned")
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def changes_since_return(directive: Directive) -> ChangesSinceReturn | None:
    """What differs between the version the signer returned last and the draft now; None when
    it was never returned or the return kept no version."""
    event = last_return(directive)
    if event is None or not isinstance(event.data.get("version"), dict):
        return None
    before = event.data["version"]
    now = directive_version(directive)
    labels = version_labels()
    changes = [
        FieldChange(
            name=name,
            label=labels[name],
            pieces=text_diff(before.get(name, ""), now[name], by_line=name in LINE_FIELDS),
        )
        for name in VERSION_FIELDS
        if (before.get(name) or "") != now[name]
    ]
    return ChangesSinceReturn(
        returned_at=event.created_at,
        returned_by=event.actor_name or str(event.actor or ""),
        reason=event.comment,
        changes=changes,
    )
