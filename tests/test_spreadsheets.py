"""The one helper every CSV and XLSX export goes through (common.spreadsheets)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from common.spreadsheets import csv_row, csv_text_read, xlsx_text_cells

STARTS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", STARTS)
def test_csv_text_that_starts_a_formula_gets_an_apostrophe_and_loses_it_on_import(text):
    (cell,) = csv_row([text])
    assert cell == "'" + text
    assert csv_text_read(cell) == text


def test_csv_leaves_plain_text_numbers_and_apostrophes_alone():
    assert csv_row(["Sở TT&TT", 5, None, "'quoted", "a=b"]) == [
        "Sở TT&TT",
        5,
        None,
        "'quoted",
        "a=b",
    ]
    assert csv_text_read("'quoted") == "'quoted"


def test_xlsx_text_cells_are_strings_never_formulas():
    book = Workbook()
    sheet = book.active
    sheet.append([*STARTS, "plain", 7])
    assert sheet["A1"].data_type == "f"  # what openpyxl makes of "=1+1" on its own
    xlsx_text_cells(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert [c.value for c in row] == [*STARTS, "plain", 7]
    assert [c.data_type for c in row] == ["s"] * 7 + ["n"]
    assert [bool(c.quotePrefix) for c in row] == [True] * 6 + [False, False]
