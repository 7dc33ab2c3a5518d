"""How a spreadsheet cell becomes a field value: trimmed text, codes, kinds, flags, parents."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from import_export import fields, widgets

from recipients.models import Unit
from recipients.resources.common import TRUE_WORDS, _code, _text, kind_clean, kinds_split


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
        chosen = {kind for _written, kind in kinds_split(value)}
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
