"""The clerk's tracking matrix as a spreadsheet (XLSX) or a CSV file, and a unit's incoming
book as a spreadsheet."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from directives.selectors.matrix import Matrix

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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
        rows.append([neutralise(v) for v in values])
        states.append(kinds)
    return header, rows, states


def matrix_csv(matrix: Matrix) -> bytes:
    """UTF-8 with a byte-order mark so that Excel shows Vietnamese letters correctly."""
    header, rows, _states = matrix_table(matrix)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [neutralise(matrix.directive.number_symbol), neutralise(matrix.directive.subject)]
    )
    writer.writerow(matrix.summary)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def matrix_xlsx(matrix: Matrix) -> bytes:
    header, rows, states = matrix_table(matrix)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Tracking")[:31]
    sheet.append([neutralise(matrix.directive.number_symbol), neutralise(matrix.directive.subject)])
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
    buffer = io.BytesIO()
    workbook.save(buffer)
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
    sheet.append(
        [neutralise(_("Incoming book %(year)d — %(unit)s") % {"year": year, "unit": unit.name})]
    )
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
                neutralise(line["issuer"]),
                neutralise(line["number_symbol"]),
                line["letter_date"],
                neutralise(line["type_subject"]),
                neutralise(line["handler"]),
                neutralise(line["signed_for"]),
                neutralise(line["notes"]),
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
