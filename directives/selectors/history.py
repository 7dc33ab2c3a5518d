"""The directive's history as a receiving unit may see it, with the words for each step."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from directives.models import Directive


def event_labels() -> dict[str, str]:
    """Words for the history lines a unit sees (verbs are stable identifiers, not UI text)."""
    return {
        "issued": _("Issued"),
        "recalled": _("Recalled"),
        "replaced": _("Replaced"),
        "delivered": _("Delivered"),
        "seen": _("Opened for the first time"),
        "acknowledged": _("Receipt acknowledged"),
        "incoming_accepted": _("Accepted into the incoming book"),
        "incoming_refused": _("Refused by the receiving unit"),
        "assignment_started": _("Task started"),
        "assignment_reported": _("Task reported done"),
        "assignment_accepted": _("Report accepted"),
        "assignment_returned": _("Report returned"),
        "extension_requested": _("Extension requested"),
        "extension_granted": _("Extension granted"),
        "extension_declined": _("Extension declined"),
        "reminded": _("Reminder sent"),
        "incoming_assigned": _("Assigned inside the unit"),
        "assignment_handed_over": _("Task assigned inside the unit"),
        "assignment_reported_to_head": _("Reported to the head of the unit"),
        "assignment_returned_by_head": _("Returned by the head of the unit"),
        "incoming_opened_by_handler": _("Opened by its handler inside the unit"),
        "incoming_started": _("Handling started inside the unit"),
        "incoming_marked_handled": _("Marked handled, for the head's review"),
        "incoming_handled": _("Handled (approved by the head of the unit)"),
        "incoming_returned_by_head": _("Returned by the head of the unit"),
        "incoming_edxml": _("Entered in the incoming book"),
        "incoming_entered": _("Entered in the incoming book"),
        "incoming_recalled": _("Recalled by the issuer"),
        "incoming_recall_refused": _("Recall refused: the letter was handled already"),
    }


def history_for_unit(directive: Directive, unit_id: int) -> list:
    """The directive's history as one unit may see it: what the unit did, what was done to its
    assignments, and the directive-wide steps (issue, recall, replacement)."""
    from directives.models import Event

    labels = event_labels()
    events = list(
        Event.objects.filter(directive=directive)
        .filter(
            Q(unit_id=unit_id)
            | Q(data__unit=unit_id)
            | Q(verb__in=["issued", "recalled", "replaced"])
        )
        .order_by("created_at", "pk")
    )
    for event in events:
        event.label = labels.get(event.verb, event.verb)
        if "task" in event.data:
            event.label = (
                f"{event.label} ({_('task %(position)d') % {'position': event.data['task']}})"
            )
    return events


# The receiving unit's own work inside it (its head's notes, its handlers' drafts and the head's
# returns): the unit's history shows it; the issuer's desk sees only its outcome (the 04..06 of
# the matrix, and the unit's report once the head approves it).
UNIT_INTERNAL_VERBS = (
    "incoming_assigned",
    "assignment_handed_over",
    "assignment_reported_to_head",
    "assignment_returned_by_head",
    "incoming_opened_by_handler",
    "incoming_started",
    "incoming_marked_handled",
    "incoming_handled",
    "incoming_returned_by_head",
)


def desk_history(directive: Directive) -> list[tuple]:
    """The directive's history as the issuing desk reads it, with the words for each step;
    without the receiving units' work inside them."""
    labels = desk_event_labels()
    return [
        (event, labels.get(event.verb, event.verb))
        for event in directive.events.exclude(verb__in=UNIT_INTERNAL_VERBS)
        .select_related("actor", "unit")
        .order_by("created_at", "pk")
    ]


def desk_event_labels() -> dict[str, str]:
    """Words for every verb of the history as the issuing desk reads it: the unit's and the
    drafting and signing steps."""
    return {
        **event_labels(),
        "created": _("Draft created"),
        "saved": _("Draft saved"),
        "updated": _("Draft saved"),
        "submitted": _("Submitted for approval"),
        "approved": _("Approved and signed off"),
        "returned": _("Returned to the drafter"),
        "withdrawn": _("Withdrawn by the drafter before approval"),
        "numbered": _("Numbered (number and date taken)"),
        "signed": _("Signed digitally by the signer"),
        "remote_signature_requested": _(
            "Remote signature asked for, awaiting the signer's confirmation"
        ),
        "remote_signature_cancelled": _("Remote signature request withdrawn"),
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
