"""`{% matrix_rows matrix review_prefix ext_label %}`: the tracking matrix's body, one row per
unit. A directive to 500 units with three tasks is 2,500 cells; built here with format_html they
cost a fraction of the same markup through the template engine's loops. Every value is escaped."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _cell(cell, review_prefix: str, ext_label: str) -> SafeString:
    if not cell.assignment_id:
        inner = format_html('<span class="badge state-{} cell">{}</span>', cell.state, cell.label)
    else:
        hourglass = (
            format_html(' <i class="bi bi-hourglass-split" aria-label="{}"></i>', ext_label)
            if cell.extension_pending
            else ""
        )
        inner = format_html(
            '<a class="badge state-{} cell text-decoration-none" href="{}{}/">{}{}</a>',
            cell.state,
            review_prefix,
            cell.assignment_id,
            cell.label,
            hourglass,
        )
    return format_html('<td title="{}">{}</td>', cell.title, inner)


def _receiving(state) -> SafeString:
    if not state.code:
        return mark_safe(
            '<td data-testid="receiving-status"><span class="text-muted">—</span></td>'
        )
    badge = "bg-danger" if state.code == "02" else "text-bg-light border"
    detail = state.detail
    return format_html(
        '<td data-testid="receiving-status"{}><span class="badge {} cell"><strong>{}</strong> {}'
        "</span>{}</td>",
        format_html(' title="{}"', detail) if detail else "",
        badge,
        state.code,
        state.words,
        format_html('<div class="small text-danger">{}</div>', detail) if detail else "",
    )


@register.simple_tag
def matrix_rows(matrix, review_prefix: str, ext_label: str) -> SafeString:
    rows = []
    for row in matrix.rows:
        unit = row.dispatch.unit
        rows.append(
            format_html(
                '<tr data-unit="{}"><td><input class="form-check-input row-select" '
                'type="checkbox" name="dispatch" value="{}" aria-label="{}"></td>'
                '<th scope="row" class="fw-normal">{}</th>'
                '<td title="{}"><span class="badge state-{} cell">{}</span></td>{}{}</tr>',
                unit.code,
                row.dispatch.pk,
                unit.name,
                unit.name,
                row.receipt.title,
                row.receipt.state,
                row.receipt.label,
                _receiving(row.receiving),
                format_html_join(
                    "", "{}", ((_cell(c, review_prefix, ext_label),) for c in row.cells)
                ),
            )
        )
    return mark_safe("\n".join(rows))  # each row built by format_html above
