"""What every import shares: reading the file, the report of its rows, the all-or-nothing
resource, and the helpers for values that come as text from CSV and typed from XLSX."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import resources
from import_export.formats import base_formats
from import_export.results import Result, RowResult
from tablib import Dataset

from common.spreadsheets import csv_row, csv_text_read, xlsx_text_workbook
from recipients.models import Unit, fold_text

TRUE_WORDS = {"1", "true", "yes", "y", "x", "co", "có"}


FALSE_WORDS = {"0", "false", "no", "n", "khong", "không", ""}


class TextCSV(base_formats.CSV):
    """CSV whose text cells never start a formula where it is opened (common.spreadsheets)."""

    def export_data(self, dataset, **kwargs):
        safe = Dataset(headers=csv_row(dataset.headers or []), title=dataset.title)
        for row in dataset:
            safe.append(csv_row(row))
        return super().export_data(safe, **kwargs)


class TextXLSX(base_formats.XLSX):
    """XLSX whose text cells are text, never formulas (tablib writes "=..." as one)."""

    def export_data(self, dataset, **kwargs):
        return xlsx_text_workbook(super().export_data(dataset, **kwargs))


FORMATS = {"csv": TextCSV, "xlsx": TextXLSX}


@dataclass(frozen=True)
class RowError:
    row: int | None  # spreadsheet row (header = 1); None for a problem with the whole file
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row} if self.row else _("File")
        column = f" [{self.column}]" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class ImportReport:
    dry_run: bool
    total_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        """Whether anything was written: never for a dry run or a file with errors."""
        return self.ok and not self.dry_run and bool(self.new or self.updated)

    def error_lines(self) -> list[str]:
        return [str(e) for e in self.errors]


class FileReadError(Exception):
    """The file cannot be read as a table at all (encoding, format); carries per-row errors."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def encoding_errors(data: bytes, *, limit: int = 20) -> list[RowError]:
    """Rows of a text file that are not UTF-8, e.g. a file saved as Windows-1258 or Latin-1."""
    errors: list[RowError] = []
    bad_rows = 0
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad_rows += 1
            if len(errors) < limit:
                errors.append(
                    RowError(
                        number,
                        "",
                        _(
                            "This row is not UTF-8 text (the file looks like it was saved as "
                            "Windows-1258 or Latin-1). Save the file as “CSV UTF-8” and try again."
                        ),
                    )
                )
    if bad_rows > limit:
        errors.append(
            RowError(
                None, "", _("%(count)s more rows are not UTF-8.") % {"count": bad_rows - limit}
            )
        )
    return errors


ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .doc) container


def file_format(*, data: bytes, name: str) -> str:
    """ "csv" or "xlsx", read from the file itself: its name's extension and its first bytes must
    agree (a workbook is a zip, a CSV is text). FileReadError says what the file is instead."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    is_zip = data.startswith(ZIP_MAGIC)
    if data.startswith(OLE2_MAGIC) or suffix == "xls":
        message = _(
            "“%(name)s” is in the old Excel format (.xls), which the portal does not read: "
            "save it as Excel Workbook (.xlsx) or as CSV UTF-8."
        )
    elif suffix == "xlsx" and is_zip:
        return "xlsx"
    elif suffix == "xlsx":
        message = _("“%(name)s” ends in .xlsx but is not an Excel workbook.")
    elif suffix in ("csv", "txt") and is_zip:
        message = _(
            "“%(name)s” ends in .%(ext)s but holds a workbook: name it .xlsx, or save it as "
            "CSV UTF-8."
        )
    elif suffix in ("csv", "txt", ""):
        return "xlsx" if is_zip else "csv"
    else:
        message = _("“%(name)s” is neither a CSV nor an XLSX file.")
    raise FileReadError([RowError(None, "", message % {"name": name, "ext": suffix})])


def dataset_load(*, data: bytes, format: str) -> Dataset:
    """Read CSV (UTF-8, with or without BOM) or XLSX bytes; FileReadError when it cannot."""
    format = (format or "").lower().lstrip(".")
    if format not in FORMATS:
        raise FileReadError([RowError(None, "", _("Unsupported file format: %s") % format)])
    input_format = FORMATS[format]()
    if input_format.is_binary():
        payload: bytes | str = data
    else:
        try:
            payload = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileReadError(encoding_errors(data)) from None
    try:
        dataset = input_format.create_dataset(payload)
    except Exception as exc:  # tablib/openpyxl raise many types for a broken file
        if isinstance(payload, str):
            ragged = _ragged_rows(payload)
            if ragged:
                raise FileReadError(ragged) from exc
        raise FileReadError(
            [
                RowError(
                    None,
                    "",
                    _("The file could not be read as %(format)s (%(error)s).")
                    % {"format": format.upper(), "error": type(exc).__name__},
                )
            ]
        ) from exc
    return dataset


def _ragged_rows(text: str) -> list[RowError]:
    """Rows whose number of cells differs from the header (often an unquoted comma)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    width = len(rows[0])
    return [
        RowError(
            number,
            "",
            _(
                "This row has %(count)s cells but the header has %(width)s; put values that "
                "contain commas in double quotes."
            )
            % {"count": len(row), "width": width},
        )
        for number, row in enumerate(rows, 1)
        if row and len(row) != width
    ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # A CSV the portal exported marks text that looks like a formula with an apostrophe.
    return csv_text_read(str(value).strip()).strip()


def _code(value: object) -> str:
    return _text(value).upper()


def _bool_ok(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    return _text(value).lower() in TRUE_WORDS | FALSE_WORDS


# What people write for a kind besides its label ("Sở" for "Sở, ban, ngành tỉnh"), folded.
KIND_ALIASES = {
    "bo": Unit.Kind.MINISTRY,
    "ubnd tinh": Unit.Kind.PROVINCIAL_COMMITTEE,
    "so": Unit.Kind.DEPARTMENT,
    "so, nganh": Unit.Kind.DEPARTMENT,
    "ubnd huyen": Unit.Kind.DISTRICT_COMMITTEE,
    "ubnd cap huyen": Unit.Kind.DISTRICT_COMMITTEE,
    "bao": Unit.Kind.PRESS,
    "phong": Unit.Kind.DIVISION,
}


def kind_lookup() -> dict[str, str]:
    """Accept the stored value ("department"), the label in either language ("Sở, ban, ngành
    tỉnh", "Provincial department") and the usual short forms ("Sở", "UBND huyện")."""
    from django.utils import translation

    table: dict[str, str] = {}
    for value, label in Unit.Kind.choices:
        table[value] = value
        for lang in ("vi", "en"):
            with translation.override(lang):
                table[fold_text(str(label))] = value
    table.update({alias: str(kind) for alias, kind in KIND_ALIASES.items()})
    return table


def kind_clean(value: object) -> str | None:
    text = _text(value)
    return kind_lookup().get(text) or kind_lookup().get(fold_text(text))


def kinds_split(value: object) -> list[tuple[str, str | None]]:
    """A group's kinds as written, each with its kind (None when unknown): separated by ";",
    new lines or commas, where a label's own commas ("Sở, ban, ngành tỉnh") stay in it."""
    found: list[tuple[str, str | None]] = []
    for chunk in re.split(r"[;\n]", _text(value)):
        parts = [p.strip() for p in chunk.split(",")]
        start = 0
        while start < len(parts):
            if not parts[start]:
                start += 1
                continue
            for end in range(len(parts), start, -1):
                written = ", ".join(parts[start:end])
                kind = kind_clean(written)
                if kind is not None:
                    found.append((written, kind))
                    start = end
                    break
            else:
                found.append((parts[start], None))
                start += 1
    return found


def kinds_help() -> str:
    """Each kind as a person may write it: its label (in the page's language), then its code."""
    return "; ".join(f"{label} ({value})" for value, label in Unit.Kind.choices)


class AllOrNothingResource(resources.ModelResource):
    """Checks every row before touching the database, then imports inside one transaction that
    is rolled back if any row fails (rollback_on_validation_errors is forced on, also for the
    admin's confirm step)."""

    required_columns: tuple[str, ...] = ()
    # Each column's Vietnamese name: the template's header; files may use it or the column's
    # own (English) name.
    column_headers: dict[str, str] = {}

    def precheck(self, dataset: Dataset) -> list[RowError]:
        raise NotImplementedError

    def reorder(self, dataset: Dataset) -> list[int]:
        """Indexes of the rows in the order they must be imported (default: as in the file)."""
        return list(range(len(dataset)))

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        problems = self._check_columns(dataset) or self.precheck(dataset)
        if problems:
            _problems_into_result(result, dataset, problems)
            return result
        order = self.reorder(dataset)
        ordered = Dataset(headers=dataset.headers)
        for index in order:
            ordered.append(dataset[index])
        result = super().import_data(ordered, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        # Row numbers from import-export count data rows of the reordered set; map them back
        # to the rows of the user's file.
        for invalid in result.invalid_rows:
            invalid.number = order[invalid.number - 1] + 2
        for error_row in result.error_rows:
            error_row.number = order[error_row.number - 1] + 2
            for error in error_row.errors:
                error.number = error_row.number
        return result

    def header_names(self) -> list[str]:
        """The template's header row: each column's Vietnamese name."""
        return [self.column_headers.get(c, c) for c in self.get_export_headers()]

    def header_lookup(self) -> dict[str, str]:
        """A header as written in a file (folded: case and accents aside) -> its column: the
        Vietnamese names of the template and the English ones of earlier files and exports."""
        table = {fold_text(c): c for c in self.get_export_headers()}
        table.update({fold_text(h): c for c, h in self.column_headers.items()})
        return table

    def column_label(self, column: str) -> str:
        """How a column is named to a person: "Mã đơn vị (code)"."""
        header = self.column_headers.get(column)
        return f"{header} ({column})" if header else column

    def get_diff_headers(self):
        return [self.column_headers.get(h, h) for h in super().get_diff_headers()]

    def _check_columns(self, dataset: Dataset) -> list[RowError]:
        lookup = self.header_lookup()
        written = [_text(h) for h in (dataset.headers or [])]
        columns: list[str] = []
        errors: list[RowError] = []
        seen: dict[str, str] = {}
        for index, header in enumerate(written):
            column = lookup.get(fold_text(header))
            if column is None and not header:
                if any(_text(row[index]) for row in dataset):
                    errors.append(
                        RowError(1, "", _("A column without a name holds values; name it."))
                    )
                columns.append(f"__blank_{index}")
                continue
            if column is None:
                errors.append(
                    RowError(
                        1,
                        header,
                        _("Unknown column “%(column)s”. The columns are: %(all)s.")
                        % {"column": header, "all": ", ".join(self.header_names())},
                    )
                )
                columns.append(header)
                continue
            if column in seen:
                errors.append(
                    RowError(
                        1,
                        header,
                        _("The columns “%(first)s” and “%(second)s” are the same column.")
                        % {"first": seen[column], "second": header},
                    )
                )
            seen[column] = header
            columns.append(column)
        missing = [c for c in self.required_columns if c not in seen]
        if missing:
            errors.append(
                RowError(
                    1,
                    "",
                    _("Missing column(s): %(columns)s. The header row must contain: %(all)s.")
                    % {
                        "columns": ", ".join(self.column_label(c) for c in missing),
                        "all": ", ".join(self.header_names()),
                    },
                )
            )
        if errors:
            return errors
        blank = [c for c in columns if c.startswith("__blank_")]
        dataset.headers = columns
        for column in blank:
            del dataset[column]
        if not len(dataset):
            return [RowError(None, "", _("The file has no data rows."))]
        return []


def import_template(*, resource: AllOrNothingResource, format: str) -> bytes:
    """An empty file for administrators to fill in: one header row of the columns' Vietnamese
    names. CSV with a byte order mark, so Excel shows the accents; the XLSX has a second sheet
    that says which columns are required, their English names and the kinds of unit."""
    headers = resource.header_names()
    if format == "csv":
        text = TextCSV().export_data(Dataset(headers=headers))
        return ("\ufeff" + text).encode("utf-8")
    if format != "xlsx":
        raise ValueError(f"Unsupported format: {format}")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(resource._meta.model._meta.verbose_name_plural)[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("Guide")[:31])
    guide.append([_("Column"), _("Name in earlier files"), _("Required")])
    for column in resource.get_export_headers():
        required = _("yes") if column in resource.required_columns else ""
        guide.append([resource.column_headers.get(column, column), column, required])
    guide.append([])
    guide.append([_("Kinds of unit: write the name or the code")])
    for value, label in Unit.Kind.choices:
        guide.append([str(label), value])
    for letter in ("A", "B", "C"):
        guide.column_dimensions[letter].width = 40
    for row in (1, guide.max_row - len(Unit.Kind.choices)):
        for cell in guide[row]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return xlsx_text_workbook(buffer.getvalue())


def _problems_into_result(result: Result, dataset: Dataset, problems: list[RowError]) -> None:
    """Show precheck problems where import-export shows its own (admin and report alike)."""
    by_row: dict[int | None, dict[str, list[str]]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, {}).setdefault(
            problem.column or NON_FIELD_ERRORS, []
        ).append(problem.message)
    for row_number, errors in by_row.items():
        if row_number is None or row_number < 2 or row_number - 2 >= len(dataset):
            # Whole-file problems: one invalid "row" 0/1 keeps them in the same table.
            number = row_number or 0
            row = {}
        else:
            number = row_number
            row = dict(zip(dataset.headers, dataset[row_number - 2], strict=False))
        result.append_invalid_row(number, row, ValidationError(errors))
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1


def _duplicates(values: Iterable[tuple[int, str]], column: str) -> list[RowError]:
    seen: dict[str, int] = {}
    errors = []
    for row, value in values:
        if not value:
            continue
        if value in seen:
            errors.append(
                RowError(
                    row,
                    column,
                    _("“%(value)s” already appears in row %(first)s of this file.")
                    % {"value": value, "first": seen[value]},
                )
            )
        else:
            seen[value] = row
    return errors


def _rows(dataset: Dataset) -> Iterable[tuple[int, dict]]:
    for index, values in enumerate(dataset):
        yield index + 2, dict(zip(dataset.headers, values, strict=False))


def report_from_result(result: Result, *, dry_run: bool) -> ImportReport:
    report = ImportReport(
        dry_run=dry_run,
        total_rows=result.total_rows,
        new=result.totals[RowResult.IMPORT_TYPE_NEW],
        updated=result.totals[RowResult.IMPORT_TYPE_UPDATE],
        unchanged=result.totals[RowResult.IMPORT_TYPE_SKIP],
    )
    for error in result.base_errors:
        report.errors.append(RowError(None, "", str(error.error)))
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            label = "" if column == NON_FIELD_ERRORS else column
            for message in messages:
                report.errors.append(RowError(invalid.number or None, label, str(message)))
    for error_row in result.error_rows:
        for error in error_row.errors:
            report.errors.append(RowError(error_row.number, "", str(error.error)))
    report.errors.sort(key=lambda e: (e.row or 0, e.column))
    if report.errors:
        # Nothing was saved: the transaction was rolled back.
        report.new = report.updated = 0
    return report
