"""Working days in Vietnam: Monday to Friday, except public holidays (Tết included).

Deadlines in the portal are counted in working days. A deadline that falls on a weekend or a
holiday moves to the next working day (Bộ luật Dân sự 2015, art. 148), so a unit is never
chased on a day the office is closed.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[datetime.date]:
    # The package knows the lunar holidays (Tết, Giỗ Tổ Hùng Vương) and substituted days off.
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_holiday(day: datetime.date) -> bool:
    return day in _holidays_of(day.year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """The day itself when it is a working day, otherwise the next one."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The date n working days after `day` (before it when n is negative)."""
    step = datetime.timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]: 0 when end <= start."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def effective_deadline(due: datetime.date) -> datetime.date:
    """The day a deadline really falls on: moved past weekends and holidays."""
    return next_working_day(due)


# Registers and deadlines follow the agency's calendar, whatever the server's clock says.
REGISTER_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in Vietnam: 31 December 23:30 UTC is already 1 January there."""
    return (now or timezone.now()).astimezone(REGISTER_TZ).date()
