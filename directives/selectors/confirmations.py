"""The questions the portal asks before a move that cannot be undone: what will happen, in
numbers the user can check ("Ban hành số 15/STTTT-TTBCXB đến 19 đơn vị?").

Each question is a read: asking takes no number from the register and reserves nothing. The
number a numbering question names is the register's next, read as numbering reads it (without
its lock); the number an issue question names is the one the letter was given when it was
numbered; the units are counted by the same reading of the recipient lines that issuing
snapshots (`reach`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from directives.documents.symbols import register_kind_for, symbol_for
from directives.models import Directive
from directives.selectors.reach import directive_reach
from directives.selectors.register import register_next_number
from directives.workdays import local_today


def number_question(directive: Directive) -> str:
    """ "Cấp số 15/STTTT-TTBCXB, ngày 01/12/2026?": the number the register gives next, read
    without its lock. Should another clerk number a letter first, this one takes the next
    number, which the page then shows."""
    day = local_today()
    kind = register_kind_for(directive)
    number = register_next_number(unit_id=directive.issuing_unit_id, year=day.year, kind=kind)
    return _("Number this letter %(number)s, dated %(date)s?") % {
        "number": f"{number:02d}/{symbol_for(directive)}",
        "date": day.strftime("%d/%m/%Y"),
    }


def issue_question(directive: Directive) -> str:
    count = directive_reach(directive).unit_count
    return _("Issue number %(number)s to %(count)d units?") % {
        "number": directive.number_symbol,
        "count": count,
    }


def recall_question(directive: Directive) -> str:
    count = directive.dispatches.count()
    return _(
        "Recall %(number)s, sent to %(count)d units? Every unit it reached is told it is "
        "withdrawn; a recall cannot be undone."
    ) % {"number": directive.number_symbol, "count": count}


def return_question(directive: Directive) -> str:
    drafter = directive.drafter
    name = (drafter.get_full_name() or drafter.get_username()) if drafter else "—"
    return _("Return this draft to its drafter %(name)s, with your reason?") % {"name": name}


def remind_question(count: int) -> str:
    return _("Send a reminder now to %(count)d units?") % {"count": count}


def questions_for(directive: Directive, moves) -> dict[str, str]:
    """The questions of the buttons the directive page shows (its `moves`)."""
    asked: dict[str, str] = {}
    if moves.number:
        asked["number"] = number_question(directive)
    if moves.issue:
        asked["issue"] = issue_question(directive)
    if moves.recall:
        asked["recall"] = recall_question(directive)
    if moves.return_:
        asked["return"] = return_question(directive)
    return asked
