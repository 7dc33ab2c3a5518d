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


@lru_cache(maxsize=4096)  # pages and exports ask it for the same few hundred dates per request
def effective_deadline(due: datetime.date) -> datetime.date:
    """The day a deadline really falls on: moved past weekends and holidays."""
    return next_working_day(due)


def is_overdue(due: datetime.date | None, *, today: datetime.date) -> bool:
    """Whether an open task due on `due` is overdue on `today`: its effective deadline has passed.

    The one definition of "overdue" (matrix, dashboard, inbox, reminders, exports); a task that is
    no longer open (see Assignment.OPEN_STATUSES) is never overdue, whatever its date. A task due
    on a Saturday is not overdue on Sunday nor on Monday (its deadline moved there), but on Tuesday.
    """
    return due is not None and effective_deadline(due) < today


def overdue_cutoff(today: datetime.date) -> datetime.date:
    """The last working day strictly before `today`: for database filters, an open task is
    overdue on `today` exactly when its due date is on or before this day (`due_date__lte`).

    Proof: effective_deadline(due) is the first working day on or after `due`, so it falls
    before `today` exactly when some working day before `today` is on or after `due`, that is
    when the last such working day (this cutoff) is on or after `due`.
    """
    day = today - datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def reported_on_time(due: datetime.date | None, *, reported_on: datetime.date) -> bool:
    """Whether a report made on `reported_on` meets the deadline `due` (counted as is_overdue:
    a report on the Monday after a Saturday deadline is on time)."""
    return due is None or reported_on <= effective_deadline(due)


# Registers and deadlines follow the agency's calendar, whatever the server's clock says.
REGISTER_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in Vietnam: 31 December 23:30 UTC is already 1 January there."""
    return (now or timezone.now()).astimezone(REGISTER_TZ).date()
