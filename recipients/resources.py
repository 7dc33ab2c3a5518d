"""Import and export of units and group membership (django-import-export).

A file is all or nothing: every row is checked first, with the row number people see in their
spreadsheet (the header is row 1), and a file with any bad row saves nothing. Rows that are
already identical in the portal are skipped, so export-then-import changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_slug
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import Result, RowResult
from tablib import Dataset

from .models import RecipientGroup, Unit, fold_text, validate_email_list

UNIT_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9&.]*$")
TRUE_WORDS = {"1", "true", "yes", "y", "x", "co", "có"}
FALSE_WORDS = {"0", "false", "no", "n", "khong", "không", ""}
FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}


# --- the report handed to services, the admin and the management command -----------------------


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


# --- reading bytes into a dataset --------------------------------------------------------------


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


# --- small value helpers (values come as str from CSV, as int/bool/None from XLSX) -------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _code(value: object) -> str:
    return _text(value).upper()


def _bool_ok(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    return _text(value).lower() in TRUE_WORDS | FALSE_WORDS


def kind_lookup() -> dict[str, str]:
    """Accept the stored value ("department") and the label in either language."""
    from django.utils import translation

    table: dict[str, str] = {}
    for value, label in Unit.Kind.choices:
        table[value] = value
        for lang in ("vi", "en"):
            with translation.override(lang):
                table[fold_text(str(label))] = value
    return table


def kind_clean(value: object) -> str | None:
    text = _text(value)
    return kind_lookup().get(text) or kind_lookup().get(fold_text(text))


def kinds_help() -> str:
    return ", ".join(Unit.Kind.values)


# --- widgets -----------------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Trimmed text; an empty XLSX cell (None) is an empty string, as the model stores it."""

    def clean(self, value, row=None, **kwargs):
        return _text(value)


def _text_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=TextWidget())


class CodeWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _code(value)


class KindWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        kind = kind_clean(value)
        if kind is None:
            raise ValueError(_("Unknown kind “%(kind)s”.") % {"kind": _text(value)})
        return kind


class FlagWidget(widgets.BooleanWidget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        return _text(value).lower() in TRUE_WORDS

    def render(self, value, obj=None, **kwargs):
        return 1 if value else 0


class OrderWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        return int(_text(value) or 0)

    def render(self, value, obj=None, **kwargs):
        return value or 0


class ParentWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Unit, field="code")

    def clean(self, value, row=None, **kwargs):
        code = _code(value)
        if not code:
            return None
        try:
            return Unit.objects.get(code=code)
        except Unit.DoesNotExist:
            raise ValueError(_("There is no unit with code “%(code)s”.") % {"code": code})


class KindsWidget(widgets.Widget):
    """A group's kinds as "department, district_committee", kept in the order of Unit.Kind."""

    def clean(self, value, row=None, **kwargs):
        chosen = {kind_clean(p) for p in re.split(r"[,;\n]", _text(value)) if p.strip()}
        return [k for k in Unit.Kind.values if k in chosen]

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class MembersWidget(widgets.ManyToManyWidget):
    def __init__(self) -> None:
        super().__init__(Unit, field="code", separator=",")

    def clean(self, value, row=None, **kwargs):
        codes = [_code(c) for c in re.split(r"[,;\n]", _text(value)) if c.strip()]
        return Unit.objects.filter(code__in=codes)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(u.code for u in value.order_by("code"))


# --- the all-or-nothing import ----------------------------------------------------------------


class AllOrNothingResource(resources.ModelResource):
    """Checks every row before touching the database, then imports inside one transaction that
    is rolled back if any row fails (rollback_on_validation_errors is forced on, also for the
    admin's confirm step)."""

    required_columns: tuple[str, ...] = ()

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

    def _check_columns(self, dataset: Dataset) -> list[RowError]:
        headers = [(_text(h)).lower() for h in (dataset.headers or [])]
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            return [
                RowError(
                    1,
                    "",
                    _("Missing column(s): %(columns)s. The header row must contain: %(all)s.")
                    % {
                        "columns": ", ".join(missing),
                        "all": ", ".join(self.get_export_headers()),
                    },
                )
            ]
        if dataset.headers != headers:
            dataset.headers = headers
        if not len(dataset):
            return [RowError(None, "", _("The file has no data rows."))]
        return []


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


class UnitResource(AllOrNothingResource):
    code = fields.Field(attribute="code", column_name="code", widget=CodeWidget())
    name = _text_field("name")
    short_name = _text_field("short_name")
    contact_emails = _text_field("contact_emails")
    head_title = _text_field("head_title")
    kind = fields.Field(attribute="kind", column_name="kind", widget=KindWidget())
    parent = fields.Field(attribute="parent", column_name="parent", widget=ParentWidget())
    is_external = fields.Field(
        attribute="is_external", column_name="is_external", widget=FlagWidget()
    )
    is_active = fields.Field(attribute="is_active", column_name="is_active", widget=FlagWidget())
    sort_order = fields.Field(
        attribute="sort_order", column_name="sort_order", widget=OrderWidget()
    )

    required_columns = ("code", "name")

    class Meta:
        model = Unit
        name = gettext_lazy("Units")
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "contact_emails",
            "head_title",
            "is_external",
            "is_active",
            "sort_order",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_export_queryset(self, request=None):
        return Unit.objects.select_related("parent")

    def export(self, queryset=None, **kwargs):
        # Parents before children, so the same file imports into an empty portal.
        units = list(
            (queryset if queryset is not None else Unit.objects.all()).select_related("parent")
        )
        return super().export(queryset=_parents_first(units), **kwargs)

    def precheck(self, dataset: Dataset) -> list[RowError]:
        errors: list[RowError] = []
        rows = list(_rows(dataset))
        file_codes = {_code(r.get("code")) for _, r in rows}
        parents_in_file = {_code(r.get("code")): _code(r.get("parent")) for _, r in rows}
        wanted_parents = {p for p in parents_in_file.values() if p} - file_codes
        db_parents = dict(
            Unit.objects.filter(Q(code__in=wanted_parents) | Q(code__in=file_codes)).values_list(
                "code", "parent__code"
            )
        )
        for number, row in rows:
            code = _code(row.get("code"))
            if not code:
                errors.append(RowError(number, "code", _("The unit code is empty.")))
            elif len(code) > 20 or not UNIT_CODE_RE.match(code):
                errors.append(
                    RowError(
                        number,
                        "code",
                        _(
                            "“%(code)s” is not a valid code: use upper-case ASCII letters, "
                            "digits, “.” and “&” (e.g. STTTT, UBND.CHUPAH), at most 20."
                        )
                        % {"code": _text(row.get("code"))},
                    )
                )
            if not _text(row.get("name")):
                errors.append(RowError(number, "name", _("The unit name is empty.")))
            if "kind" in row and kind_clean(row.get("kind")) is None:
                errors.append(
                    RowError(
                        number,
                        "kind",
                        _("Unknown kind “%(kind)s”. Use one of: %(kinds)s.")
                        % {"kind": _text(row.get("kind")), "kinds": kinds_help()},
                    )
                )
            parent = _code(row.get("parent"))
            if parent and parent == code:
                errors.append(RowError(number, "parent", _("A unit cannot be its own parent.")))
            elif parent and parent not in file_codes and parent not in db_parents:
                errors.append(
                    RowError(
                        number,
                        "parent",
                        _(
                            "Unknown parent code “%(code)s”: no such unit in the portal "
                            "or in this file."
                        )
                        % {"code": parent},
                    )
                )
            emails = _text(row.get("contact_emails"))
            if emails:
                try:
                    validate_email_list(emails)
                except ValidationError as exc:
                    errors.extend(RowError(number, "contact_emails", m) for m in exc.messages)
            for column in ("is_external", "is_active"):
                if column in row and not _bool_ok(row.get(column)):
                    errors.append(
                        RowError(
                            number,
                            column,
                            _("“%(value)s” is not yes/no: use 1 or 0.")
                            % {"value": _text(row.get(column))},
                        )
                    )
            order = _text(row.get("sort_order"))
            if order and not order.isdigit():
                errors.append(
                    RowError(
                        number,
                        "sort_order",
                        _("“%(value)s” is not a whole number.") % {"value": order},
                    )
                )
        errors += _duplicates(((n, _code(r.get("code"))) for n, r in rows), "code")
        errors += self._cycles(rows, {**db_parents, **parents_in_file})
        return sorted(errors, key=lambda e: (e.row or 0, e.column))

    @staticmethod
    def _cycles(rows: list[tuple[int, dict]], parent_of: dict[str, str | None]) -> list[RowError]:
        errors = []
        for number, row in rows:
            start = _code(row.get("code"))
            seen, current = {start}, parent_of.get(start)
            while current:
                if current == start:
                    errors.append(
                        RowError(
                            number,
                            "parent",
                            _("The parents of “%(code)s” go round in a circle.") % {"code": start},
                        )
                    )
                    break
                if current in seen:
                    break
                seen.add(current)
                current = parent_of.get(current)
        return errors

    def reorder(self, dataset: Dataset) -> list[int]:
        """Parents before children whatever the order of the file (the FK needs the parent)."""
        codes = [_code(v) for v in dataset["code"]]
        parents = (
            [_code(v) for v in dataset["parent"]]
            if "parent" in dataset.headers
            else [""] * len(codes)
        )
        index_of = {c: i for i, c in enumerate(codes)}
        done: set[int] = set()
        order: list[int] = []

        def visit(i: int) -> None:
            if i in done:
                return
            done.add(i)
            parent = index_of.get(parents[i])
            if parent is not None:
                visit(parent)
            order.append(i)

        for i in range(len(codes)):
            visit(i)
        return order


def _parents_first(units: list[Unit]) -> list[Unit]:
    by_id = {u.pk: u for u in units}
    done: set[int] = set()
    ordered: list[Unit] = []

    def visit(unit: Unit) -> None:
        if unit.pk in done:
            return
        done.add(unit.pk)
        if unit.parent_id in by_id:
            visit(by_id[unit.parent_id])
        ordered.append(unit)

    for unit in units:
        visit(unit)
    return ordered


class RecipientGroupResource(AllOrNothingResource):
    code = _text_field("code")
    name = _text_field("name")
    description = _text_field("description")
    kinds = fields.Field(attribute="kinds", column_name="kinds", widget=KindsWidget())
    members = fields.Field(attribute="members", column_name="members", widget=MembersWidget())
    sort_order = fields.Field(
        attribute="sort_order", column_name="sort_order", widget=OrderWidget()
    )

    required_columns = ("code", "name")

    class Meta:
        model = RecipientGroup
        name = gettext_lazy("Recipient groups and their members")
        import_id_fields = ("code",)
        fields = ("code", "name", "description", "kinds", "members", "sort_order")
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_export_queryset(self, request=None):
        return RecipientGroup.objects.prefetch_related("members")

    def precheck(self, dataset: Dataset) -> list[RowError]:
        errors: list[RowError] = []
        rows = list(_rows(dataset))
        all_codes: set[str] = set()
        for _number, row in rows:
            all_codes |= {
                _code(c) for c in re.split(r"[,;\n]", _text(row.get("members"))) if c.strip()
            }
        known = set(Unit.objects.filter(code__in=all_codes).values_list("code", flat=True))
        for number, row in rows:
            code = _text(row.get("code"))
            try:
                validate_slug(code)
            except ValidationError:
                errors.append(
                    RowError(
                        number,
                        "code",
                        _("“%(code)s” is not a valid group code: use letters, digits and “-”.")
                        % {"code": code},
                    )
                )
            if not _text(row.get("name")):
                errors.append(RowError(number, "name", _("The group name is empty.")))
            for kind in re.split(r"[,;\n]", _text(row.get("kinds"))):
                if kind.strip() and kind_clean(kind) is None:
                    errors.append(
                        RowError(
                            number,
                            "kinds",
                            _("Unknown kind “%(kind)s”. Use one of: %(kinds)s.")
                            % {"kind": kind.strip(), "kinds": kinds_help()},
                        )
                    )
            members = [
                _code(c) for c in re.split(r"[,;\n]", _text(row.get("members"))) if c.strip()
            ]
            unknown = [c for c in members if c not in known]
            if unknown:
                errors.append(
                    RowError(
                        number,
                        "members",
                        _("Unknown unit code(s): %(codes)s.") % {"codes": ", ".join(unknown)},
                    )
                )
            repeated = [c for c, n in Counter(members).items() if n > 1]
            if repeated:
                errors.append(
                    RowError(
                        number,
                        "members",
                        _("Unit code(s) listed twice: %(codes)s.") % {"codes": ", ".join(repeated)},
                    )
                )
        errors += _duplicates(((n, _text(r.get("code"))) for n, r in rows), "code")
        errors += _duplicates(((n, _text(r.get("name"))) for n, r in rows), "name")
        return sorted(errors, key=lambda e: (e.row or 0, e.column))


# --- from import-export's Result to our report -------------------------------------------------


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
