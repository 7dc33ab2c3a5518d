"""`{% inbox_rows dispatches %}`: the rows of the inbox's page, `{% inbox_filter_fields form %}`:
its filter's fields, and `{% book_rows lines linked %}`: the lines of the incoming book (its page
and its print). They are what every receiving unit opens
all day: built here as plain strings, they cost a fraction of the same markup through the
template engine's loops, tags and filters (the rows' `{% url %}`, `|date` and `{% blocktranslate
%}` per row). Every value is escaped (`_e`); the labels are translated once per page."""

from __future__ import annotations

import datetime
from html import escape

from django import template
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.cache import cached_under_version

register = template.Library()


def _e(value) -> str:
    # What django.utils.html.escape does, without a SafeString per value.
    return escape(str(value), quote=True)


def _day(value: datetime.date | None) -> str:
    # The `|date:"d/m/Y"` of the templates.
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year}"


def _link(name: str) -> tuple[str, str]:
    """The two halves of the URL of `name` around its object's id (reversed once per page)."""
    head, _zero, tail = reverse(name, args=[0]).rpartition("0")
    return _e(head), _e(tail)


def _inbox_row(dispatch, link: tuple[str, str], labels: dict[str, str]) -> str:
    d = dispatch.directive
    issuer = d.issuing_unit
    stamp = d.urgency_stamp
    state = []
    if dispatch.acknowledged_at:
        state.append(f'<span class="badge state-acknowledged">{labels["acknowledged"]}</span>')
    else:
        state.append(f'<span class="badge state-overdue">{labels["waiting"]}</span>')
    try:
        entry = dispatch.incoming_entry
    except ObjectDoesNotExist:  # not decided yet (the row's select_related found none)
        entry = None
    if entry is not None and entry.is_refused:
        state.append(
            '<div><span class="badge bg-danger" data-testid="inbox-refused">'
            f"{labels['refused']}</span></div>"
        )
    elif entry is not None:
        accepted = _("Accepted: arrival number %(n)s/%(y)s") % {
            "n": entry.arrival_number,
            "y": entry.year,
        }
        state.append(
            '<div><span class="badge text-bg-light border" data-testid="inbox-accepted">'
            f"{_e(accepted)}</span></div>"
        )
    if dispatch.overdue_count:
        n = dispatch.overdue_count
        overdue = ngettext("%(n)s task overdue", "%(n)s tasks overdue", n) % {"n": n}
        state.append(f'<div><span class="badge state-overdue">{_e(overdue)}</span></div>')
    elif dispatch.next_due:
        state.append(
            f'<div class="text-muted">{labels["next_due"]}: {_day(dispatch.next_due)}</div>'
        )
    if dispatch.task_count:
        open_tasks = _("Open tasks: %(open)s") % {"open": dispatch.open_count}
        state.append(f'<div class="text-muted">{_e(open_tasks)}</div>')
    status = (
        f'<span class="badge text-bg-secondary">{_e(d.get_status_display())}</span>'
        if d.status != "issued"
        else ""
    )
    return (
        f'<a href="{link[0]}{int(dispatch.pk)}{link[1]}" class="list-group-item '
        "list-group-item-action py-3"
        f'{"" if dispatch.acknowledged_at else " inbox-unacknowledged"}" data-testid="inbox-row">'
        '<div class="d-flex flex-column flex-md-row w-100 justify-content-between gap-1 '
        'gap-md-3"><div class="inbox-subject"><div class="fw-semibold">'
        + (f'<span class="badge bg-danger me-1">{_e(stamp)}</span> ' if stamp else "")
        + f"{_e(d.number_symbol)} "
        f'<span class="text-muted fw-normal">· {_e(issuer.short_name or issuer.name)}</span>'
        f"</div><div>V/v {_e(d.subject)}</div>{status}</div>"
        '<div class="text-md-end flex-shrink-0 small inbox-state">'
        f'<div class="text-muted">{_day(d.issued_on)}</div>' + "".join(state) + "</div></div></a>"
    )


@register.simple_tag
def inbox_rows(dispatches) -> SafeString:
    """The inbox's rows as the template wrote them: the letter's stamp, number, issuer and
    subject; its date, receipt, decision of the book, deadlines and open tasks."""
    labels = {
        "acknowledged": _e(_("Acknowledged")),
        "waiting": _e(_("Not acknowledged")),
        "refused": _e(_("Refused")),
        "next_due": _e(_("Next deadline")),
    }
    link = _link("directives:inbox_detail")
    return mark_safe("\n".join([_inbox_row(p, link, labels) for p in dispatches]))  # escaped


@register.simple_tag
def book_rows(lines, linked: bool) -> SafeString:
    """The incoming book's lines (selectors.incoming.incoming_book_lines): on the page each
    arrival number opens its entry; the print keeps room for a signature on paper."""
    link = _link("directives:incoming_entry") if linked else None
    paper = '<div class="paper-signature" data-testid="paper-signature"></div>'
    rows = []
    for line in lines:
        number = _e(line["arrival_number"])
        if link is not None:
            number = f'<a href="{link[0]}{int(line["entry"].pk)}{link[1]}">{number}</a>'
        arrived = localtime(line["arrived_at"])
        signed_for = _e(line["signed_for"]) if line["signed_for"] else ("" if linked else paper)
        rows.append(
            f'<tr data-testid="incoming-row"><td class="text-end">{number}</td>'
            f"<td>{_day(arrived)} {arrived.hour:02d}:{arrived.minute:02d}</td>"
            f"<td>{_e(line['issuer'])}</td><td>{_e(line['number_symbol'])}</td>"
            f"<td>{_day(line['letter_date'])}</td><td>{_e(line['type_subject'])}</td>"
            f"<td>{_e(line['handler'])}</td>"
            f'<td data-testid="signed-for">{signed_for}</td><td>{_e(line["notes"])}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # every value escaped above


@register.simple_tag
def inbox_filter_fields(form, issuers, filled: bool, kept_as: tuple[list[str], str]) -> SafeString:
    """The inbox filter's fields (templates/directives/inbox/_filter_fields.html). Unfilled,
    they are the same for every visit in the same language to the same units while their
    `issuers` and the issuers' names stay: with a cache every process shares, kept under the
    versions and the key of `kept_as` (selectors.inbox.inbox_filter_fields_kept_as), so no
    query at all. Drawing six widgets and their options through the form renderer's templates
    is a good part of the page otherwise. Unfilled, `form` may be lazy: it is made only when
    it must be drawn."""
    if filled:
        return render_to_string("directives/inbox/_filter_fields.html", {"form": form})

    def drawn() -> str:
        # The options from the issuers read (what the field's own query would list, the
        # unit's name being its label), rather than the field's own query.
        field = form.fields["issuer"]
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        field.widget.choices = empty + list(issuers.values_list("pk", "name"))
        return str(render_to_string("directives/inbox/_filter_fields.html", {"form": form}))

    names, key = kept_as
    html = cached_under_version(names, key, drawn, settings.INBOX_CACHE_SECONDS)
    return mark_safe(html)  # rendered by the template above, escaped there
