"""`{% matrix_rows matrix review_prefix ext_label %}`: the tracking matrix's body, one row per
unit, and `{% waiting_reports reports review_prefix %}`: the reports waiting for review. A
directive to 500 units with three tasks is 2,500 cells and hundreds of reports; built here as
plain strings they cost a fraction of the same markup through the template engine's loops or
through format_html. Every value is escaped (`_e`), the labels once per page."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

register = template.Library()


def _e(value) -> str:
    # What django.utils.html.escape does, without a SafeString per value.
    return escape(str(value), quote=True)


class _Escaped(dict):
    """Each distinct text escaped once: the same labels and titles fill most cells."""

    def __missing__(self, value):
        text = self[value] = _e(value)
        return text


def _cell(cell, prefix: str, hourglass: str, esc: _Escaped) -> str:
    if not cell.assignment_id:
        inner = f'<span class="badge state-{esc[cell.state]} cell">{esc[cell.label]}</span>'
    else:
        inner = (
            f'<a class="badge state-{esc[cell.state]} cell text-decoration-none" '
            f'href="{prefix}{int(cell.assignment_id)}/">{esc[cell.label]}'
            f"{hourglass if cell.extension_pending else ''}</a>"
        )
    return f'<td title="{esc[cell.title]}">{inner}</td>'


def _receiving(state, esc: _Escaped) -> str:
    if not state.code:
        return '<td data-testid="receiving-status"><span class="text-muted">—</span></td>'
    badge = "bg-danger" if state.code == "02" else "text-bg-light border"
    detail = state.detail
    return (
        '<td data-testid="receiving-status"'
        + (f' title="{esc[detail]}"' if detail else "")
        + f'><span class="badge {badge} cell"><strong>{esc[state.code]}</strong> '
        + f"{esc[state.words]}</span>"
        + (f'<div class="small text-danger">{esc[detail]}</div>' if detail else "")
        + "</td>"
    )


@register.simple_tag
def matrix_rows(matrix, review_prefix: str, ext_label: str) -> SafeString:
    esc = _Escaped()
    prefix = _e(review_prefix)
    hourglass = f' <i class="bi bi-hourglass-split" aria-label="{_e(ext_label)}"></i>'
    rows = []
    for row in matrix.rows:
        unit = row.dispatch.unit
        name = _e(unit.name)
        receipt = row.receipt
        rows.append(
            f'<tr data-unit="{_e(unit.code)}"><td><input class="form-check-input row-select" '
            f'type="checkbox" name="dispatch" value="{int(row.dispatch.pk)}" '
            f'aria-label="{name}"></td><th scope="row" class="fw-normal">{name}</th>'
            f'<td title="{esc[receipt.title]}"><span class="badge state-{esc[receipt.state]} '
            f'cell">{esc[receipt.label]}</span></td>{_receiving(row.receiving, esc)}'
            + "".join([_cell(c, prefix, hourglass, esc) for c in row.cells])
            + "</tr>"
        )
    return mark_safe("\n".join(rows))  # every value escaped above


@register.simple_tag
def waiting_reports(reports, review_prefix: str) -> SafeString:
    """One checkbox line per report waiting for the clerk's review; `reports` are rows of
    (assignment id, reported at, task position, unit name)."""
    prefix = _e(review_prefix)
    read = _e(_("Read the report"))
    # As date_format(localtime(...), "d/m/Y H:i") writes it, without its per-call lookups of
    # the format and the language (a 500-unit letter can have hundreds of reports waiting).
    tz = get_current_timezone()
    task_words: dict[int, str] = {}
    lines = []
    for pk, reported_at, position, unit_name in reports:
        if position not in task_words:
            task_words[position] = _e(_("Task %(n)s") % {"n": position})
        when = _e(reported_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")) if reported_at else ""
        pk = int(pk)
        lines.append(
            '<li class="form-check">\n'
            f'        <input class="form-check-input" type="checkbox" name="assignment" '
            f'value="{pk}" id="report-{pk}">\n'
            f'        <label class="form-check-label" for="report-{pk}">{_e(unit_name)} · '
            f"{task_words[position]} · {when}</label>\n"
            f'        <a class="small ms-1" href="{prefix}{pk}/">{read}</a>\n'
            "      </li>"
        )
    return mark_safe("\n      ".join(lines))  # every value escaped above
