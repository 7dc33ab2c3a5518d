"""Import and export of the recipient groups."""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from tablib import Dataset

from recipients.models import RecipientGroup, Unit
from recipients.resources.common import (
    AllOrNothingResource,
    RowError,
    _code,
    _duplicates,
    _rows,
    _text,
    kinds_help,
    kinds_split,
)
from recipients.resources.widgets import KindsWidget, MembersWidget, OrderWidget, _text_field


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
    column_headers = {
        "code": "Mã nhóm",
        "name": "Tên nhóm",
        "description": "Mô tả",
        "kinds": "Mọi đơn vị thuộc loại",
        "members": "Mã các đơn vị thành viên",
        "sort_order": "Thứ tự",
    }

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
            for written, kind in kinds_split(row.get("kinds")):
                if kind is None:
                    errors.append(
                        RowError(
                            number,
                            "kinds",
                            _("Unknown kind “%(kind)s”. Use one of: %(kinds)s.")
                            % {"kind": written, "kinds": kinds_help()},
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
