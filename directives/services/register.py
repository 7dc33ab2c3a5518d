"""The outgoing registers (sổ đăng ký văn bản đi): one run of numbers per issuing unit, register
and year. Each issuing unit keeps its general register, and a register of legal normative
documents (văn bản quy phạm pháp luật) when it wants one (`Unit.has_normative_register`): two
units never share a run, even when their symbols read alike ("UBND").

A number is taken when the clerk numbers a letter (before its signatures, so that both cover
it), inside that transaction, under a row lock on the unit's `Register` row: two clerks at once
queue on that lock, so numbers are consecutive and never given twice; if the numbering fails
afterwards, the rollback gives the number back. Letters signed on paper keep their own number,
which the register then skips. A numbering cancelled before the issue gives its number back when
it is still the register's last; otherwise the number stays in the register, cancelled.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from directives.errors import NumberTakenError
from directives.models import CancelledNumber, Directive, Register, RegisterKind
from directives.selectors.register import register_next_number
from recipients.models import Unit, User

GENERAL = RegisterKind.GENERAL


def _locked_register(*, unit: Unit, year: int, kind: str = GENERAL) -> Register:
    """The unit's register of `kind` for the year, created if needed, locked until the
    transaction ends."""
    if not Register.objects.filter(unit=unit, kind=kind, year=year).exists():
        try:
            # A savepoint: losing the race to create the row must not abort the caller's
            # transaction; the winner's row is then read (and locked) below.
            with transaction.atomic():
                Register.objects.create(unit=unit, kind=kind, year=year)
        except IntegrityError:
            pass
    return Register.objects.select_for_update().get(unit=unit, kind=kind, year=year)


def register_take_next(*, unit: Unit, year: int, kind: str = GENERAL) -> int:
    """The next free number of the unit's register of `kind` for `year`; call inside the
    issuing transaction. Numbers already held by letters entered from paper are skipped."""
    if not transaction.get_connection().in_atomic_block:
        # Outside the caller's transaction the lock would end here and the number with it.
        raise RuntimeError("register_take_next must run inside the issuing transaction")
    register = _locked_register(unit=unit, year=year, kind=kind)
    number = register_next_number(unit_id=unit.pk, year=year, kind=kind, after=register.last_number)
    register.last_number = number
    register.save(update_fields=["last_number"])
    return number


def register_reserve(*, unit: Unit, year: int, number: int, kind: str = GENERAL) -> None:
    """Claim `number` for a letter signed on paper; refused when a directive already holds it.

    The register's counter does not move: the portal keeps giving the lower free numbers and
    steps over this one when it gets there."""
    _locked_register(unit=unit, year=year, kind=kind)
    holder = Directive.objects.filter(
        issuing_unit=unit, register_kind=kind, register_year=year, number=number
    ).first()
    if holder is not None:
        raise NumberTakenError(
            _("Number %(number)s of %(year)d is already in the register: %(symbol)s.")
            % {"number": holder.number_display, "year": year, "symbol": holder.number_symbol}
        )
    cancelled = CancelledNumber.objects.filter(
        unit=unit, register_kind=kind, year=year, number=number
    ).first()
    if cancelled is not None:
        raise NumberTakenError(
            _("Number %(number)s of %(year)d was given to %(symbol)s and cancelled.")
            % {"number": f"{number:02d}", "year": year, "symbol": cancelled.symbol}
        )


def register_give_back(*, directive: Directive, by: User | None = None) -> bool:
    """Release the number of a numbered letter whose signing was abandoned; call inside the
    cancelling transaction. True when the number went back to the register (it was the last
    one given: the next letter gets it); False when later numbers exist, so it is recorded as
    cancelled and never given again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("register_give_back must run inside the cancelling transaction")
    unit, year, number = directive.issuing_unit, directive.register_year, directive.number
    kind = directive.register_kind
    register = _locked_register(unit=unit, year=year, kind=kind)
    if register.last_number == number:
        register.last_number = number - 1
        register.save(update_fields=["last_number"])
        return True
    CancelledNumber.objects.create(
        unit=unit,
        register_kind=kind,
        year=year,
        number=number,
        symbol=directive.number_symbol,
        directive=directive,
        subject=directive.subject,
        numbered_on=directive.issued_on,
        cancelled_by=by,
    )
    return False
