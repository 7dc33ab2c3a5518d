"""The clerk's tracking matrix as a spreadsheet (XLSX) or a CSV file."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

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


def matrix_table(matrix: Matrix) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header, rows of words, and rows of states (for colours)."""
    header = [_("Unit"), _("Code"), _("Receipt"), _("Receipt time")]
    for task in matrix.tasks:
        header += [
            _("Task %(position)d") % {"position": task.position},
            _("Task %(position)d details") % {"position": task.position},
        ]
    rows, states = [], []
    for row in matrix.rows:
        unit = row.dispatch.unit
        values = [unit.name, unit.code, row.receipt.label, row.receipt.title]
        kinds = ["", "", row.receipt.state, ""]
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
    writer.writerow([matrix.directive.number_symbol, matrix.directive.subject])
    writer.writerow(matrix.summary)
    writer.writerow(header)
    writer.writerows(rows)
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
