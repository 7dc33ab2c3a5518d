"""Text that leaves the portal in a spreadsheet stays text (CSV and formula injection).

A unit's name, a letter's subject or a report written by anyone may start with "=", "+", "-" or
"@" (or a tab or a carriage return, which spreadsheet programs skip before such a sign). Opened
in Excel or LibreOffice, such a cell would run as a formula: `=HYPERLINK(...)` sends the sheet's
data away, `=cmd|...` (DDE) runs a program. Every CSV and XLSX the portal writes goes through
here:

- CSV has no types: a text cell that would start a formula gets a leading apostrophe, which
  spreadsheet programs read as "this is text" (OWASP's advice); `csv_text_read` takes it off
  again when such a file comes back to the portal's import.
- XLSX has typed cells: each text cell is written as a string, never as a formula (openpyxl
  would turn "=..." into one), and marked with the quote prefix, so the cell shows exactly the
  text and editing it in Excel does not turn it into a formula either.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: object) -> object:
    """One CSV cell: text that would start a formula gets a leading apostrophe."""
    return "'" + value if starts_formula(value) else value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_text(value) for value in values]


def csv_text_read(value: str) -> str:
    """The inverse on import: the apostrophe `csv_text` added is not part of the value."""
    if value.startswith("'") and starts_formula(value[1:]):
        return value[1:]
    return value


def xlsx_text_cells(sheet: Worksheet) -> None:
    """Every cell of the sheet that holds text shows it as text: none is a formula.

    The portal never writes formulas, so a formula cell is always text that openpyxl guessed
    was one."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or starts_formula(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def xlsx_text_workbook(data: bytes) -> bytes:
    """The same for a workbook another library wrote (tablib, for the imports' exports)."""
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        xlsx_text_cells(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
