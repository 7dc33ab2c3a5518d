"""The clerk's spreadsheets: the tracking matrix (XLSX or CSV), the outgoing register and a
unit's incoming book (XLSX).

Every text cell goes through `common.spreadsheets`, so that no name, subject or report that
starts with "=", "+", "-" or "@" runs as a formula where the file is opened."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from common.spreadsheets import csv_row, xlsx_text_cells
from directives.models import RegisterKind
from directives.selectors.incoming import incoming_book_lines
from directives.selectors.matrix import Matrix
from directives.selectors.register import register_lines

# Same colours as the matrix on screen (static/css/portal.css), so the sheet reads alike.
FILLS = {
    "sent": "E7F1FF",
    "seen": "E2E3E5",
    "acknowledged": "D1E7DD",
    "in_progress": "FFF3CD",
    "done": "BADBCC",
    "accepted": "198754",
    "overdue": "F8D7DA",
    "failed": "842029",
    "pending": "F8F9FA",
    "withdrawn": "E2E3E5",
}


def matrix_table(matrix: Matrix) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header, rows of words, and rows of states (for colours)."""
    header = [
        _("Unit"),
        _("Code"),
        _("Receipt"),
        _("Receipt time"),
        _("Status code (edXML)"),
        _("Receiving status"),
    ]
    for task in matrix.tasks:
        header += [
            _("Task %(position)d") % {"position": task.position},
            _("Task %(position)d details") % {"position": task.position},
        ]
    rows, states = [], []
    for row in matrix.rows:
        unit = row.dispatch.unit
        state = row.receiving
        words = " — ".join(p for p in (state.words, state.detail) if p)
        values = [unit.name, unit.code, row.receipt.label, row.receipt.title, state.code, words]
        kinds = ["", "", row.receipt.state, "", "", ""]
        for cell in row.cells:
            values += [cell.label, cell.title]
            kinds += [cell.state, ""]
        rows.append(values)
        states.append(kinds)
    return header, rows, states


def matrix_csv(matrix: Matrix) -> bytes:
    """UTF-8 with a byte-order mark so that Excel shows Vietnamese letters correctly."""
    header, rows, _states = matrix_table(matrix)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row([matrix.directive.number_symbol, matrix.directive.subject]))
    writer.writerow(csv_row(matrix.summary))
    writer.writerow(csv_row(header))
    writer.writerows(csv_row(row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def matrix_xlsx(matrix: Matrix) -> bytes:
    header, rows, states = matrix_table(matrix)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Tracking")[:31]
    sheet.append([matrix.directive.number_symbol, matrix.directive.subject])
    sheet.append([" · ".join(matrix.summary)])
    sheet.append(header)
    bold = Font(bold=True)
    for cell in sheet[3]:
        cell.font = bold
    fills = {name: PatternFill("solid", fgColor=colour) for name, colour in FILLS.items()}
    for values, kinds in zip(rows, states, strict=True):
        sheet.append(values)
        for cell, kind in zip(sheet[sheet.max_row], kinds, strict=True):
            if kind in fills:
                cell.fill = fills[kind]
                if kind in ("accepted", "failed"):
                    cell.font = Font(color="FFFFFF")
    sheet.column_dimensions["A"].width = 45
    sheet.freeze_panes = "C4"
    xlsx_text_cells(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_headers() -> list[str]:
    return [
        _("Number"),
        _("Date"),
        _("Number and symbol"),
        _("Type and subject"),
        _("Signer"),
        _("Recipients"),
        _("File copy kept by"),
        _("Copies"),
        _("Date sent"),
        # The decree's register names this column "Ký nhận" (signed for on receipt).
        pgettext("register column", "Receipt"),
        _("Notes"),
    ]


def register_xlsx(*, year: int, rows: list[dict], normative: bool = False) -> bytes:
    """The outgoing register of a year (or its register of legal normative documents), one line
    per number, as the decree's book lays it out."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    title = (
        _("Register of legal normative documents %(year)d")
        if normative
        else _("Outgoing register %(year)d")
    )
    sheet.append([title % {"year": year}])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(register_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sent = row["sent"]
        sheet.append(
            [
                row["number_value"],
                row["date"],
                row["symbol"],
                row["type_subject"],
                row["signer"],
                "\n".join(row["recipients"]),
                row["file_copy"],
                row["copies"],
                timezone.localtime(sent).replace(tzinfo=None) if sent else None,
                f"{row['receipt'][0]}/{row['receipt'][1]}",
                row["notes"],
            ]
        )
    for letter, width in zip(
        "ABCDEFGHIJK", (8, 12, 22, 60, 24, 45, 20, 8, 16, 10, 30), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    for line in sheet.iter_rows(min_row=3):
        line[1].number_format = "DD/MM/YYYY"
        line[8].number_format = "DD/MM/YYYY HH:MM"
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    xlsx_text_cells(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def incoming_book_headers() -> list[str]:
    """The columns of the incoming book (Nghị định 30/2020/NĐ-CP, Phụ lục IV)."""
    return [
        _("Arrival number"),
        _("Arrival date"),
        _("Issuer"),
        _("Number and symbol"),
        _("Date of the letter"),
        _("Type and subject"),
        _("Unit or person handling it"),
        # The decree's book names this column "Ký nhận" (signed for by the handler).
        pgettext("incoming book column", "Signed for"),
        _("Notes"),
    ]


def incoming_book_xlsx(*, unit, year: int, lines: list[dict]) -> bytes:
    """The unit's incoming book as a spreadsheet; no text cell can run as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    sheet.append([_("Incoming book %(year)d — %(unit)s") % {"year": year, "unit": unit.name}])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(incoming_book_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for line in lines:
        sheet.append(
            [
                line["arrival_number"],
                line["arrived_at"].replace(tzinfo=None),
                line["issuer"],
                line["number_symbol"],
                line["letter_date"],
                line["type_subject"],
                line["handler"],
                line["signed_for"],
                line["notes"],
            ]
        )
    for letter, width in zip("ABCDEFGHI", (8, 16, 30, 20, 12, 60, 25, 12, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=3):
        row[1].number_format = "DD/MM/YYYY HH:MM"
        row[4].number_format = "DD/MM/YYYY"
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    xlsx_text_cells(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# The downloads as the pages and the API serve them: one selection, one file name
# ---------------------------------------------------------------------------------------------


def incoming_book_file(*, unit, book_filter) -> tuple[bytes, str]:
    """The whole selection of the book's filters (`IncomingBookFilter`) as XLSX, and its name."""
    year = book_filter.book_year
    lines = incoming_book_lines(book_filter.qs)
    return incoming_book_xlsx(unit=unit, year=year, lines=lines), (
        f"so-van-ban-den-{unit.code}-{year}.xlsx"
    )


def incoming_book_print_html(*, request, unit, book_filter) -> str:
    """The book's print view (the whole selection, for the browser's print)."""
    return render_to_string(
        "directives/incoming/book_print.html",
        {
            "unit": unit,
            "filter": book_filter,
            "year": book_filter.book_year,
            "lines": incoming_book_lines(book_filter.qs),
        },
        request=request,
    )


def register_file(*, user, year: int, kind: str, doc_type: str) -> tuple[bytes, str]:
    """The clerk's register of the year (one kind, optionally one type) as XLSX, and its name."""
    rows = register_lines(user=user, year=year, doc_type=doc_type, kind=kind)
    normative = kind == RegisterKind.NORMATIVE
    name = "so-van-ban-qppl" if normative else "so-van-ban-di"
    return register_xlsx(year=year, rows=rows, normative=normative), f"{name}-{year}.xlsx"


def matrix_file(*, directive, matrix: Matrix, kind: str) -> tuple[bytes, str, str]:
    """The tracking matrix (its filters applied) as XLSX or CSV: body, content type, name."""
    base = (directive.number_symbol or f"directive-{directive.pk}").replace("/", "-")
    if kind == "xlsx":
        body = matrix_xlsx(matrix)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = matrix_csv(matrix), "text/csv; charset=utf-8"
    return body, content_type, f"theo-doi-{base}.{kind}"
