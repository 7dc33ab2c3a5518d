"""Views: the receiving unit's work. Accept or refuse a letter of the portal, the incoming book
(sổ văn bản đến, Phụ lục IV) with its print view and XLSX, and the entry of a letter that came
from outside the portal.

Every object is looked up through the scoping selectors: another unit's letter, book, entry or
scan is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.client_ip import client_ip
from common.downloads import export_response, stored_file_response
from common.framing import pdf_frame
from directives.errors import DirectiveError
from directives.exports import incoming_book_file, incoming_book_print_html
from directives.forms.incoming import (
    AcceptForm,
    IncomingBookFilter,
    OutsideLetterForm,
    RefuseForm,
)
from directives.models import IncomingAttachment, IncomingEntry
from directives.selectors.incoming import (
    awaiting_receipt,
    incoming_book_lines,
    incoming_book_queryset,
    incoming_entries_visible_to,
    incoming_entry_history,
    recalled_note,
    receiving_units,
)
from directives.selectors.moves import dispatch_moves
from directives.services.incoming import dispatch_accept, dispatch_refuse
from directives.services.outside import DuplicateLetterWarning, outside_letter_enter
from directives.views.inbox import _my_dispatch


def _book_unit(request: HttpRequest, unit_id: int):
    """A unit whose book the user keeps; any other unit is a 404."""
    for unit in receiving_units(request.user):
        if unit.pk == unit_id:
            return unit
    raise Http404


def _service_errors(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, str(getattr(exc, "message", exc)))


# ---------------------------------------------------------------------------------------------
# Receipt of a letter of the portal
# ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def letter_accept(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _my_dispatch(request, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long (at most %(n)d characters).") % {"n": 1000})
        return redirect("directives:inbox_detail", pk=dispatch.pk)
    try:
        entry = dispatch_accept(
            dispatch=dispatch,
            by=request.user,
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
    except (DirectiveError, ValidationError) as exc:
        for message in getattr(exc, "messages", None) or [str(exc.message)]:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Accepted into the incoming book: arrival number %(n)s/%(year)s.")
            % {"n": entry.arrival_number, "year": entry.year},
        )
    return redirect("directives:inbox_detail", pk=dispatch.pk)


@login_required
def letter_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _my_dispatch(request, pk)
    moves = dispatch_moves(dispatch=dispatch, user=request.user)
    if not moves.refuse:
        messages.error(request, _("This letter cannot be refused now."))
        return redirect("directives:inbox_detail", pk=dispatch.pk)
    form = RefuseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dispatch_refuse(
                    dispatch=dispatch,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    comment=form.cleaned_data["comment"],
                    ip=client_ip(request),
                )
            except (DirectiveError, ValidationError) as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("The letter has been refused; the issuer sees why."))
                return redirect("directives:inbox_detail", pk=dispatch.pk)
        status = 400
    return render(
        request,
        "directives/incoming/refuse.html",
        {"dispatch": dispatch, "directive": dispatch.directive, "form": form},
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# The incoming book
# ---------------------------------------------------------------------------------------------


@login_required
def incoming_home(request: HttpRequest) -> HttpResponse:
    """The book of the first unit the user keeps one for (the agency before its division)."""
    units = receiving_units(request.user)
    if not units:
        raise PermissionDenied
    return incoming_book(request, units[0].pk)


BOOK_PAGE_SIZE = 100


def _book(request: HttpRequest, unit_id: int):
    unit = _book_unit(request, unit_id)
    flt = IncomingBookFilter(
        request.GET, queryset=incoming_book_queryset(user=request.user, unit=unit)
    )
    return unit, flt


@login_required
def incoming_book(request: HttpRequest, unit: int) -> HttpResponse:
    book_unit, flt = _book(request, unit)
    # A page of the book at a time; its print and its export keep the whole selection.
    page = Paginator(flt.qs, BOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params = params.urlencode()
    return render(
        request,
        "directives/incoming/book.html",
        {
            "unit": book_unit,
            "units": receiving_units(request.user),
            "filter": flt,
            "year": flt.book_year,
            "page": page,
            "lines": incoming_book_lines(page.object_list),
            "awaiting": awaiting_receipt(request.user).filter(unit=book_unit),
            "query_string": params,
        },
    )


@login_required
def incoming_book_print(request: HttpRequest, unit: int) -> HttpResponse:
    book_unit, flt = _book(request, unit)
    return HttpResponse(incoming_book_print_html(request=request, unit=book_unit, book_filter=flt))


@login_required
def incoming_book_export(request: HttpRequest, unit: int) -> HttpResponse:
    book_unit, flt = _book(request, unit)
    return export_response(*incoming_book_file(unit=book_unit, book_filter=flt))


# ---------------------------------------------------------------------------------------------
# A letter from outside the portal
# ---------------------------------------------------------------------------------------------


@login_required
def outside_letter_new(request: HttpRequest, unit: int) -> HttpResponse:
    book_unit = _book_unit(request, unit)
    form = OutsideLetterForm(request.POST or None, request.FILES or None)
    duplicates: list[IncomingEntry] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = outside_letter_enter(
                    by=request.user,
                    unit=book_unit,
                    source=data["source"],
                    issuer_name=data["issuer_name"],
                    number=data["number"],
                    symbol=data["symbol"],
                    letter_date=data["letter_date"],
                    doc_type=data["doc_type"],
                    subject=data["subject"],
                    scan=data["scan"],
                    note=data["note"],
                    confirm_duplicate=data["confirm_duplicate"],
                    ip=client_ip(request),
                )
            except DuplicateLetterWarning as exc:
                duplicates = exc.existing
                form.add_error(None, exc.message)
            except (DirectiveError, ValidationError) as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Entered in the incoming book: arrival number %(n)s/%(year)s.")
                    % {"n": entry.arrival_number, "year": entry.year},
                )
                return redirect("directives:incoming_entry", pk=entry.pk)
        status = 400
    return render(
        request,
        "directives/incoming/outside_form.html",
        {"unit": book_unit, "form": form, "duplicates": duplicates},
        status=status,
    )


@login_required
def incoming_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        incoming_entries_visible_to(request.user).select_related("unit", "dispatch"), pk=pk
    )
    if entry.dispatch_id is not None:
        return redirect("directives:inbox_detail", pk=entry.dispatch_id)
    history, not_kept = incoming_entry_history(entry)
    return render(
        request,
        "directives/incoming/entry.html",
        {
            "entry": entry,
            "history": history,
            "attachments": list(entry.attachments.all()),
            "not_kept": not_kept,
            "recalled": recalled_note(entry),
        },
    )


@pdf_frame
@login_required
def incoming_entry_scan(request: HttpRequest, pk: int) -> FileResponse:
    entry = get_object_or_404(incoming_entries_visible_to(request.user).exclude(scan=""), pk=pk)
    inline = request.GET.get("inline") == "1"
    name = entry.scan_name or "scan.pdf"
    return stored_file_response(entry.scan, name, "application/pdf", inline=inline)


@login_required
def incoming_entry_attachment(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file that came with an edXML letter: through the entry's scoping (another unit's is a
    404), downloaded under its own name and checked type, never shown inline."""
    entry = get_object_or_404(incoming_entries_visible_to(request.user), pk=pk)
    item = get_object_or_404(IncomingAttachment.objects.filter(entry=entry), pk=file_pk)
    return stored_file_response(item.file, item.name, item.content_type, inline=False)


urlpatterns: list = [
    path("inbox/<int:pk>/accept/", letter_accept, name="letter_accept"),
    path("inbox/<int:pk>/refuse/", letter_refuse, name="letter_refuse"),
    path("incoming/", incoming_home, name="incoming"),
    path("incoming/<int:unit>/", incoming_book, name="incoming_book"),
    path("incoming/<int:unit>/print/", incoming_book_print, name="incoming_book_print"),
    path("incoming/<int:unit>/xlsx/", incoming_book_export, name="incoming_book_xlsx"),
    path("incoming/<int:unit>/outside/", outside_letter_new, name="outside_letter_new"),
    path("incoming/entries/<int:pk>/", incoming_entry, name="incoming_entry"),
    path("incoming/entries/<int:pk>/scan/", incoming_entry_scan, name="incoming_entry_scan"),
    path(
        "incoming/entries/<int:pk>/files/<int:file_pk>/",
        incoming_entry_attachment,
        name="incoming_entry_attachment",
    ),
]
