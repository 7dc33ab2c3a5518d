"""Numbers from a query string, read in one place: a value that is not one is no filter.

`int()` takes "²" (which `str.isdigit()` calls a digit) as an error and "-5", "1e20", "٣" or
"99999" as numbers the database cannot use for a year or an id; each of those once answered
with a 500. Pages and the admin's filters read their numeric parameters through these helpers:
only plain ASCII digits in range count, anything else is as if the parameter were absent."""

from __future__ import annotations

from django import forms

YEAR_MIN = 1900
YEAR_MAX = 2999
ID_MAX = 2**63 - 1  # the largest BigAutoField


def int_param(value: object, *, minimum: int = 0, maximum: int = ID_MAX) -> int | None:
    """A whole number written in ASCII digits within [minimum, maximum], else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def id_param(value: object) -> int | None:
    """A database id (1 and above)."""
    return int_param(value, minimum=1)


def year_param(value: object) -> int | None:
    return int_param(value, minimum=YEAR_MIN, maximum=YEAR_MAX)


class YearField(forms.IntegerField):
    """A year in a filter form: anything but a plausible year is invalid, so the filter is
    dropped (django-filter filters only by valid fields) and the page shows every year."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        year = year_param(str(value))
        if year is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return year
