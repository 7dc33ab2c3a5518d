"""The parts of a directive written together with it: its fields, its "Kính gửi" and "Nơi nhận"
lines and its tasks. Checked first, then written, so a bad line leaves nothing behind."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from directives.errors import DirectiveError
from directives.models import LETTER_FIELDS, Addressee, CopyRecipient, Directive, Task
from recipients.models import User

# What a drafter may set; the register, the workflow and the signing own everything else.
EDITABLE_FIELDS = frozenset({*LETTER_FIELDS, "signer", "replaces"})


# Foreign keys stay None when cleared; text fields store "" as Django expects.
_NULLABLE = frozenset({"signer", "replaces", "issuing_unit", "drafting_unit"})


def apply_fields(directive: Directive, fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not a field a drafter sets: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(directive, name, "" if value is None and name not in _NULLABLE else value)


def signer_follow(directive: Directive, *, before: User | None) -> None:
    """The printed signer follows the chosen one: a title or name left empty, or still the one
    of the signer chosen before, becomes the new signer's; one the drafter wrote stays."""
    chosen = directive.signer
    if chosen is None or (before is not None and before.pk == chosen.pk):
        return
    if directive.signer_name in ("", before.get_full_name() if before else ""):
        directive.signer_name = chosen.get_full_name()
    if chosen.title and directive.signer_title in ("", before.title if before else ""):
        directive.signer_title = chosen.title


def validate_directive(directive: Directive) -> None:
    """Field rules of the model (required subject, known choices, lengths) as one message."""
    if directive.issuing_unit_id is None or directive.drafting_unit_id is None:
        raise DirectiveError(_("Choose the issuing unit and the drafting unit."))
    try:
        directive.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        parts = []
        for name, messages in exc.message_dict.items():
            try:
                label = str(Directive._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a non-field error has no label
                label = ""
            parts += [f"{label.capitalize()}: {m}" if label else m for m in messages]
        raise DirectiveError(" ".join(parts))


def check_lines(addressees: list[dict], copies: list[dict], tasks: list[dict]) -> None:
    for number, line in enumerate(addressees, start=1):
        if (line.get("group") is None) == (line.get("unit") is None):
            raise DirectiveError(
                _("Kính gửi line %(n)d: choose a group or a unit, not both.") % {"n": number}
            )
    for number, line in enumerate(copies, start=1):
        if not (line.get("label") or "").strip():
            raise DirectiveError(
                _("Nơi nhận line %(n)d: write the line as it will be printed.") % {"n": number}
            )
        if line.get("purpose") and line["purpose"] not in CopyRecipient.Purpose.values:
            raise DirectiveError(_("Nơi nhận line %(n)d: unknown purpose.") % {"n": number})
    for number, line in enumerate(tasks, start=1):
        if not (line.get("title") or "").strip():
            raise DirectiveError(_("Task %(n)d: describe the task.") % {"n": number})
        if not (line.get("groups") or line.get("units")):
            raise DirectiveError(
                _("Task %(n)d: choose the groups or units that must carry it out.") % {"n": number}
            )


def write_lines(
    directive: Directive, addressees: list[dict], copies: list[dict], tasks: list[dict]
) -> None:
    """Replace the directive's lines with these, in this order."""
    directive.addressees.all().delete()
    directive.copy_recipients.all().delete()
    directive.tasks.all().delete()
    Addressee.objects.bulk_create(
        Addressee(
            directive=directive,
            position=position,
            group=line.get("group"),
            unit=line.get("unit"),
            label=(line.get("label") or "").strip(),
        )
        for position, line in enumerate(addressees)
    )
    CopyRecipient.objects.bulk_create(
        CopyRecipient(
            directive=directive,
            position=position,
            label=line["label"].strip(),
            unit=line.get("unit"),
            group=line.get("group"),
            purpose=line.get("purpose") or CopyRecipient.Purpose.INFO,
        )
        for position, line in enumerate(copies)
    )
    for position, line in enumerate(tasks, start=1):
        task = Task.objects.create(
            directive=directive,
            position=position,
            title=line["title"].strip(),
            deadline=line.get("deadline"),
            report_required=bool(line.get("report_required")),
        )
        task.groups.set(line.get("groups") or [])
        task.units.set(line.get("units") or [])


def read_lines(directive: Directive) -> tuple[list[dict], list[dict], list[dict]]:
    """The directive's lines in the shape `write_lines` takes (to copy them into a new draft)."""
    addressees = [
        {"group": a.group, "unit": a.unit, "label": a.label}
        for a in directive.addressees.select_related("group", "unit")
    ]
    copies = [
        {"label": c.label, "unit": c.unit, "group": c.group, "purpose": c.purpose}
        for c in directive.copy_recipients.select_related("group", "unit")
    ]
    tasks = [
        {
            "title": t.title,
            "deadline": t.deadline,
            "report_required": t.report_required,
            "groups": list(t.groups.all()),
            "units": list(t.units.all()),
        }
        for t in directive.tasks.prefetch_related("groups", "units")
    ]
    return addressees, copies, tasks
