"""Import and export of the recipient units."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from tablib import Dataset

from recipients.models import (
    IDENTIFIER_CODE_PATTERN,
    UNIT_ABBREVIATION_PATTERN,
    UNIT_CODE_PATTERN,
    Unit,
    validate_email_list,
)
from recipients.resources.common import (
    AllOrNothingResource,
    RowError,
    _bool_ok,
    _code,
    _duplicates,
    _rows,
    _text,
    kind_clean,
    kinds_help,
)
from recipients.resources.widgets import (
    CodeWidget,
    FlagWidget,
    KindWidget,
    OrderWidget,
    ParentWidget,
    _text_field,
)

UNIT_CODE_RE = re.compile(UNIT_CODE_PATTERN)
ABBREVIATION_RE = re.compile(UNIT_ABBREVIATION_PATTERN)
IDENTIFIER_CODE_RE = re.compile(IDENTIFIER_CODE_PATTERN)


class UnitResource(AllOrNothingResource):
    code = fields.Field(attribute="code", column_name="code", widget=CodeWidget())
    name = _text_field("name")
    short_name = _text_field("short_name")
    abbreviation = fields.Field(
        attribute="abbreviation", column_name="abbreviation", widget=CodeWidget()
    )
    identifier_code = fields.Field(
        attribute="identifier_code", column_name="identifier_code", widget=CodeWidget()
    )
    contact_emails = _text_field("contact_emails")
    head_title = _text_field("head_title")
    kind = fields.Field(attribute="kind", column_name="kind", widget=KindWidget())
    parent = fields.Field(attribute="parent", column_name="parent", widget=ParentWidget())
    is_external = fields.Field(
        attribute="is_external", column_name="is_external", widget=FlagWidget()
    )
    has_normative_register = fields.Field(
        attribute="has_normative_register",
        column_name="has_normative_register",
        widget=FlagWidget(),
    )
    is_active = fields.Field(attribute="is_active", column_name="is_active", widget=FlagWidget())
    sort_order = fields.Field(
        attribute="sort_order", column_name="sort_order", widget=OrderWidget()
    )

    required_columns = ("code", "name")
    # The template's header row (and what an administrator may write instead of the English
    # names: either is read, whatever the case and the accents).
    column_headers = {
        "code": "Mã đơn vị",
        "name": "Tên đơn vị",
        "short_name": "Tên viết gọn",
        "abbreviation": "Ký hiệu viết tắt",
        "identifier_code": "Mã định danh",
        "kind": "Loại đơn vị",
        "parent": "Mã đơn vị cấp trên",
        "contact_emails": "Thư điện tử liên hệ",
        "head_title": "Chức danh người đứng đầu",
        "is_external": "Đơn vị bên ngoài",
        "has_normative_register": "Sổ văn bản quy phạm pháp luật riêng",
        "is_active": "Đang hoạt động",
        "sort_order": "Thứ tự",
    }

    class Meta:
        model = Unit
        name = gettext_lazy("Units")
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "short_name",
            "abbreviation",
            "identifier_code",
            "kind",
            "parent",
            "contact_emails",
            "head_title",
            "is_external",
            "has_normative_register",
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
            errors += _symbol_errors(number, row)
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
            for column in ("is_external", "has_normative_register", "is_active"):
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
        errors += _duplicates(
            ((n, _code(r.get("identifier_code"))) for n, r in rows), "identifier_code"
        )
        errors += _identifier_codes_held(rows)
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


def _symbol_errors(number: int, row: dict) -> list[RowError]:
    """The abbreviation written in symbols and the identifier code of one row, when given."""
    errors = []
    abbreviation = _code(row.get("abbreviation"))
    if abbreviation and (len(abbreviation) > 20 or not ABBREVIATION_RE.match(abbreviation)):
        errors.append(
            RowError(
                number,
                "abbreviation",
                _(
                    "“%(value)s” is not a valid abbreviation: use upper-case letters and digits, "
                    "without spaces or dashes (e.g. UBND, STTTT, VP), at most 20."
                )
                % {"value": _text(row.get("abbreviation"))},
            )
        )
    identifier = _code(row.get("identifier_code"))
    if identifier and not IDENTIFIER_CODE_RE.match(identifier):
        errors.append(
            RowError(
                number,
                "identifier_code",
                _(
                    "“%(value)s” is not a valid identifier code: four levels separated by dots, "
                    "e.g. 000.00.31.H18 (three digits, two digits, two digits, then a capital "
                    "letter and two digits)."
                )
                % {"value": _text(row.get("identifier_code"))},
            )
        )
    return errors


def _identifier_codes_held(rows: list[tuple[int, dict]]) -> list[RowError]:
    """An identifier code of the file that another unit of the portal holds, and keeps (it is
    not in the file, or the file leaves it that code)."""
    wanted = {_code(r.get("identifier_code")): n for n, r in rows if "identifier_code" in r}
    wanted.pop("", None)
    if not wanted:
        return []
    in_file = {_code(r.get("code")): r for _, r in rows}
    errors = []
    held = Unit.objects.filter(identifier_code__in=wanted).values_list("identifier_code", "code")
    for identifier, holder in held:
        for number, row in rows:
            if _code(row.get("identifier_code")) != identifier or _code(row.get("code")) == holder:
                continue
            holder_row = in_file.get(holder)
            if (
                holder_row is not None
                and "identifier_code" in holder_row
                and _code(holder_row.get("identifier_code")) != identifier
            ):
                continue  # the file gives the holder another code
            errors.append(
                RowError(
                    number,
                    "identifier_code",
                    _("The identifier code “%(value)s” already belongs to the unit %(code)s.")
                    % {"value": identifier, "code": holder},
                )
            )
    return errors


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
