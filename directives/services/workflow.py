"""Approval: the drafter submits to the chosen signer, who approves or returns it with a reason;
until then the drafter may withdraw it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directives.errors import DirectiveError, TransitionError
from directives.models import Directive
from directives.selectors.drafts import directive_version
from directives.selectors.moves import is_signer_for
from directives.services.access import ensure_can_sign, ensure_can_submit, ensure_can_withdraw
from directives.services.drafting import locked
from directives.services.events import event_record
from directives.services.lines import signer_follow
from directives.services.notices import people
from recipients.models import User


def _has_recipients(directive: Directive) -> bool:
    return (
        directive.addressees.exists()
        or directive.copy_recipients.filter(unit__isnull=False).exists()
        or directive.copy_recipients.filter(group__isnull=False).exists()
    )


def directive_submit(
    *, directive: Directive, by: User, signer: User | None = None, ip: str | None = None
) -> Directive:
    """Hand the draft to its signer: the one chosen on the drafting page, or `signer` (a draft
    saved before the page offered the choice). The printed signer follows a new choice."""
    with transaction.atomic():
        draft = locked(directive)
        if draft.status != Directive.Status.DRAFT:
            raise TransitionError(_("Only a draft can be submitted for approval."))
        ensure_can_submit(by, draft)
        before = draft.signer
        signer = signer or before
        if signer is None:
            raise DirectiveError(_("Choose the signer on the drafting page first."))
        if not is_signer_for(signer, draft):
            raise DirectiveError(
                _("%(user)s cannot sign directives of %(unit)s: choose one of its signers.")
                % {"user": signer, "unit": draft.issuing_unit}
            )
        if not _has_recipients(draft):
            raise DirectiveError(
                _("Add at least one Kính gửi line or a Nơi nhận line linked to a unit.")
            )
        draft.status = Directive.Status.SUBMITTED
        draft.signer = signer
        signer_follow(draft, before=before)
        draft.submitted_at = timezone.now()
        # The last return is answered by this submission; the history keeps its reason.
        draft.return_reason = ""
        draft.save(
            update_fields=[
                "status",
                "signer",
                "signer_name",
                "signer_title",
                "submitted_at",
                "return_reason",
                "updated_at",
            ]
        )
        event = event_record(
            directive=draft, verb="submitted", by=by, ip=ip, data={"signer": signer.pk}
        )
        people.directive_people_notify(
            directive=draft, occasion=people.SUBMITTED, by=by, key=event.pk
        )
    return draft


def directive_withdraw(*, directive: Directive, by: User, ip: str | None = None) -> Directive:
    """The drafter takes a submitted draft back to edit it, until the signer approves it; the
    signer is told it no longer waits for them."""
    with transaction.atomic():
        submitted = locked(directive)
        if submitted.status != Directive.Status.SUBMITTED:
            raise TransitionError(
                _("Only a directive awaiting approval can be withdrawn; this one is “%(status)s”.")
                % {"status": submitted.get_status_display()}
            )
        ensure_can_withdraw(by, submitted)
        submitted.status = Directive.Status.DRAFT
        submitted.save(update_fields=["status", "updated_at"])
        event = event_record(
            directive=submitted,
            verb="withdrawn",
            by=by,
            ip=ip,
            data={"signer": submitted.signer_id},
        )
        people.directive_people_notify(
            directive=submitted, occasion=people.WITHDRAWN, by=by, key=event.pk
        )
    return submitted


def directive_approve(
    *, directive: Directive, by: User, ip: str | None = None, comment: str = ""
) -> Directive:
    """The signer agrees; the clerk may now issue it. A deputy standing in becomes the signer."""
    with transaction.atomic():
        submitted = locked(directive)
        if submitted.status != Directive.Status.SUBMITTED:
            raise TransitionError(_("Only a directive awaiting approval can be approved."))
        ensure_can_sign(by, submitted)
        chosen = submitted.signer
        if (
            chosen is not None
            and chosen.pk != by.pk
            and submitted.signer_name
            in (
                "",
                chosen.get_full_name(),
            )
        ):
            # The deputy who signs is the name printed under the signature.
            submitted.signer_name = by.get_full_name()
        submitted.status = Directive.Status.APPROVED
        submitted.signer = by
        submitted.approved_at = timezone.now()
        submitted.save(
            update_fields=["status", "signer", "signer_name", "approved_at", "updated_at"]
        )
        event = event_record(
            directive=submitted, verb="approved", by=by, ip=ip, comment=(comment or "").strip()
        )
        people.directive_people_notify(
            directive=submitted, occasion=people.APPROVED, by=by, key=event.pk
        )
    return submitted


def directive_return(
    *, directive: Directive, by: User, reason: str, ip: str | None = None
) -> Directive:
    """Back to the drafter with the reason, which the drafter's page shows."""
    reason = (reason or "").strip()
    if not reason:
        raise DirectiveError(_("Say why the directive is returned."))
    with transaction.atomic():
        submitted = locked(directive)
        if submitted.status != Directive.Status.SUBMITTED:
            raise TransitionError(_("Only a directive awaiting approval can be returned."))
        ensure_can_sign(by, submitted)
        submitted.status = Directive.Status.DRAFT
        submitted.return_reason = reason
        submitted.save(update_fields=["status", "return_reason", "updated_at"])
        # The version the signer read: on the next submission the signer sees what changed.
        event = event_record(
            directive=submitted,
            verb="returned",
            by=by,
            ip=ip,
            comment=reason,
            data={"version": directive_version(submitted)},
        )
        people.directive_people_notify(
            directive=submitted, occasion=people.RETURNED, by=by, key=event.pk, body=reason
        )
    return submitted
