"""Who may do what to a directive. The services call these; views only hide buttons.

Roles are Django groups carrying permissions (recipients/roles.py), so a role is checked with
`has_perm`; the unit is checked against the agency the user works for (`agency_unit_ids`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from directives.errors import PermissionDeniedError
from directives.models import Directive
from directives.selectors.scope import agency_unit_ids
from recipients.models import Unit, User


def works_for(user: User, unit_id: int | None) -> bool:
    """The user works on the outgoing letters of this unit (their own unit or its agency)."""
    return user.is_superuser or (unit_id is not None and unit_id in agency_unit_ids(user))


def can_edit(user: User, directive: Directive) -> bool:
    """The drafter, or another drafter of the same agency (a colleague taking over)."""
    if not user.is_active:
        return False
    if directive.drafter_id == user.pk:
        return True
    return user.has_perm("directives.add_directive") and works_for(user, directive.issuing_unit_id)


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
    if not can_edit(user, directive):
        raise PermissionDeniedError(_("Only the drafter of this directive can change it."))


def ensure_can_submit(user: User, directive: Directive) -> None:
    if not (user.has_perm("directives.submit_directive") and can_edit(user, directive)):
        raise PermissionDeniedError(_("Only the drafter of this directive can submit it."))


def is_signer_for(user: User, directive: Directive) -> bool:
    """A Signer of the issuing unit or of one of its divisions."""
    return bool(
        user.is_active
        and user.has_perm("directives.approve_directive")
        and user.unit_id is not None
        and directive.issuing_unit_id in (user.unit_id, user.unit.parent_id)
    )


def ensure_can_sign(user: User, directive: Directive) -> None:
    """The chosen signer, or another Signer of the issuing unit (a deputy standing in)."""
    if not user.has_perm("directives.approve_directive"):
        raise PermissionDeniedError(_("Only a signer can approve or return a directive."))
    if directive.signer_id != user.pk and not works_for(user, directive.issuing_unit_id):
        raise PermissionDeniedError(_("This directive awaits another signer's decision."))


def ensure_clerk(user: User, directive_unit: Unit | int, perm: str) -> None:
    """A Clerk holding `perm` for the issuing unit's register."""
    unit_id = directive_unit if isinstance(directive_unit, int) else directive_unit.pk
    if not user.has_perm(f"directives.{perm}"):
        raise PermissionDeniedError(_("Only the clerk (văn thư) can do this."))
    if not works_for(user, unit_id):
        raise PermissionDeniedError(
            _("Only a clerk of the issuing unit can do this for its register.")
        )
