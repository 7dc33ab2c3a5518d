"""The services' refusals. Who may do what is decided once, in `directives.selectors.moves`
(the same moves show the page's buttons); these wrappers raise with the message that fits.

Each service first checks the directive's status under its row lock (a TransitionError naming
the status), then calls the wrapper: a move refused in a right status is refused for the user.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from directives.errors import PermissionDeniedError
from directives.models import Directive
from directives.selectors.moves import directive_moves, is_clerk_for, works_for
from directives.selectors.scope import agency_unit_ids
from recipients.models import Unit, User


def ensure_can_create(user: User, *, issuing_unit: Unit, drafting_unit: Unit) -> None:
    if not user.has_perm("directives.add_directive"):
        raise PermissionDeniedError(_("You are not allowed to draft directives."))
    if not works_for(user, issuing_unit.pk):
        raise PermissionDeniedError(
            _("You cannot draft directives for %(unit)s.") % {"unit": issuing_unit}
        )
    if not (
        works_for(user, drafting_unit.pk)
        or drafting_unit.parent_id in agency_unit_ids(user)
        or drafting_unit.parent_id == issuing_unit.pk
    ):
        raise PermissionDeniedError(
            _("%(unit)s is not a drafting unit of your agency.") % {"unit": drafting_unit}
        )


def ensure_can_edit(user: User, directive: Directive) -> None:
    """Change, delete or attach files to a draft."""
    if not directive_moves(directive=directive, user=user).edit:
        raise PermissionDeniedError(_("Only the drafter of this directive can change it."))


def ensure_can_submit(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).submit:
        raise PermissionDeniedError(_("Only the drafter of this directive can submit it."))


def ensure_can_withdraw(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).withdraw:
        raise PermissionDeniedError(_("Only the drafter of this directive can withdraw it."))


def ensure_can_sign(user: User, directive: Directive) -> None:
    """Approve or return: the chosen signer, or another Signer of the issuing unit."""
    moves = directive_moves(directive=directive, user=user)
    if moves.approve and moves.return_:
        return
    if not user.has_perm("directives.approve_directive"):
        raise PermissionDeniedError(_("Only a signer can approve or return a directive."))
    raise PermissionDeniedError(_("This directive awaits another signer's decision."))


def _clerk_refusal(user: User, perm: str) -> PermissionDeniedError:
    if not user.has_perm(f"directives.{perm}"):
        return PermissionDeniedError(_("Only the clerk (văn thư) can do this."))
    return PermissionDeniedError(
        _("Only a clerk of the issuing unit can do this for its register.")
    )


def ensure_can_issue(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).issue:
        raise _clerk_refusal(user, "issue_directive")


def ensure_can_number(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).number:
        raise _clerk_refusal(user, "issue_directive")


def ensure_can_cancel_number(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).cancel_number:
        raise _clerk_refusal(user, "issue_directive")


def _own_signature_refusal(moves, move: str) -> PermissionDeniedError:
    """Why the signer's own move `move` (sign, sign_remote, sign_confirm, sign_cancel) is
    refused, from the moves they do have."""
    if moves.sign_confirm:
        return PermissionDeniedError(
            _("A remote signature of this directive already awaits your confirmation.")
        )
    if moves.sign_remote and move == "sign":
        return PermissionDeniedError(
            _(
                "Your signing key is at a remote signing service: ask for the signature and "
                "confirm it on your phone."
            )
        )
    if moves.sign and move == "sign_remote":
        return PermissionDeniedError(
            _("Your signing key is not at a remote signing service: sign with its PIN.")
        )
    if moves.sign or moves.sign_remote:
        return PermissionDeniedError(
            _("No remote signature of this directive awaits confirmation.")
        )
    return PermissionDeniedError(
        _("Only the signer who approved this directive can sign it with their own key.")
    )


def ensure_can_sign_digitally(user: User, directive: Directive, move: str = "sign") -> None:
    """The signer's own signature: `move` is sign (a key at hand, with its PIN), sign_remote
    (ask the remote service), sign_confirm or sign_cancel (the remote request)."""
    moves = directive_moves(directive=directive, user=user)
    if not getattr(moves, move):
        raise _own_signature_refusal(moves, move)


def ensure_can_retry_pdf(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).pdf_retry:
        raise _clerk_refusal(user, "issue_directive")


def ensure_can_recall(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).recall:
        raise _clerk_refusal(user, "recall_directive")


def ensure_can_replace(user: User, directive: Directive) -> None:
    if not directive_moves(directive=directive, user=user).replace:
        raise PermissionDeniedError(
            _("Only a clerk or a drafter of the issuing unit can replace this directive.")
        )


def ensure_clerk(user: User, directive_unit: Unit | int, perm: str) -> None:
    """A Clerk holding `perm` for the unit's register (a letter entered from paper)."""
    unit_id = directive_unit if isinstance(directive_unit, int) else directive_unit.pk
    if not is_clerk_for(user, unit_id, perm):
        raise _clerk_refusal(user, perm)
