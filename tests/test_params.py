"""The one reader of numeric query parameters (common.params): only plain numbers in range."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from common.params import YearField, id_param, int_param, year_param


@pytest.mark.parametrize(
    "value", [None, "", " ", "²", "٣", "-5", "1e20", "1.5", "0x10", "NaN", "9" * 400, "7\x00"]
)
def test_anything_but_a_plain_number_is_no_number(value):
    assert int_param(value) is None and id_param(value) is None and year_param(value) is None


def test_numbers_in_range():
    assert int_param(" 42 ") == 42
    assert id_param("0") is None and id_param("1") == 1
    assert id_param(str(2**63)) is None
    assert year_param("2026") == 2026
    assert year_param("99999") is None and year_param("1899") is None


def test_a_year_field_refuses_what_is_no_year():
    field = YearField(required=False)
    assert field.clean("2026") == 2026 and field.clean("") is None
    for value in ("99999", "-5", "1e20", "²"):
        with pytest.raises(ValidationError):
            field.clean(value)
