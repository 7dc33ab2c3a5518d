"""Reminders before, on and after a deadline, counted in working days across a weekend and the
National Day holiday (1-2 September 2025); escalation to the head; the clerks' digest."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from directives.models import Assignment, Dispatch, Notification
from directives.services.reminders import digests_send, reminders_send
from recipients import roles
from tests.directives.dispatch.conftest import make_units
from tests.directives.workspace.data import make_issued
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def days(start: datetime.date, end: datetime.date):
    while start <= end:
        yield start
        start += datetime.timedelta(days=1)


def run_twice(day: datetime.date) -> list[Notification]:
    """A beat that fires twice in one day: the second run must add nothing."""
    seen = set(Notification.objects.values_list("pk", flat=True))
    reminders_send(today=day)
    assert reminders_send(today=day) == 0
    return list(Notification.objects.exclude(pk__in=seen))


@pytest.fixture
def scene(agency, settings):
    settings.REMINDER_DAYS_BEFORE = [2, 1]
    settings.REMINDER_UNACKNOWLEDGED_DAYS = 1
    settings.ESCALATION_OVERDUE_DAYS = 3
    late, punctual = make_units(2, officers=1)
    head = UserFactory(unit=late, is_unit_head=True, username="truongphong")
    # Due on 2 September 2025, a holiday: the deadline really falls on Wednesday 3 September.
    directive = make_issued(
        units=[late, punctual], issuing_unit=agency, tasks=1, deadline=D(2025, 9, 2)
    )
    Dispatch.objects.filter(directive=directive).update(acknowledged_at=timezone.now())
    Assignment.objects.filter(unit=punctual).update(status=Assignment.Status.DONE)
    return late, punctual, head


def test_deadline_reminders_skip_weekend_and_holiday_and_escalate_once(scene):
    late, punctual, head = scene
    officer = late.officers.get(groups__name=roles.UNIT_OFFICER)
    kinds_by_day = {}
    for day in days(D(2025, 8, 26), D(2025, 9, 9)):
        new = run_twice(day)
        assert not [n for n in new if n.unit_id == punctual.pk]  # its task is done
        kinds_by_day[day] = sorted(
            n.kind.removeprefix("reminder_")
            for n in new
            if n.channel == "in_app" and n.user_id in (officer.pk, head.pk)
        )
    assert {d: k for d, k in kinds_by_day.items() if k} == {
        D(2025, 8, 28): ["due_in_2"],  # Thu: Fri, then (weekend, 1-2/9 off) Wed 3/9
        D(2025, 8, 29): ["due_in_1"],
        D(2025, 9, 3): ["due_today"],
        D(2025, 9, 4): ["overdue"],
        D(2025, 9, 5): ["overdue"],
        D(2025, 9, 8): ["escalation", "overdue"],  # third overdue working day: the head is told
        D(2025, 9, 9): ["overdue"],
    }
    escalations = Notification.objects.filter(kind="reminder_escalation")
    assert set(escalations.filter(channel="in_app").values_list("user_id", flat=True)) == {head.pk}
    assert escalations.filter(channel="email").get().address == head.email
    # One reminder reaches the unit's contact address and its officer's, by e-mail.
    due_today = Notification.objects.filter(kind="reminder_due_today", channel="email")
    assert sorted(due_today.values_list("address", flat=True)) == sorted(
        [late.contact_emails, officer.email]
    )


def test_unacknowledged_unit_is_reminded_after_one_working_day(agency):
    (unit,) = make_units(1, officers=1)
    directive = make_issued(units=[unit], issuing_unit=agency, tasks=0)
    friday = timezone.make_aware(datetime.datetime(2025, 8, 29, 15, 0))
    Dispatch.objects.filter(directive=directive).update(delivered_at=friday)
    reminded = {
        day
        for day in days(D(2025, 8, 29), D(2025, 9, 4))
        if any(n.kind == "reminder_unacknowledged" for n in run_twice(day))
    }
    # Friday's delivery: the next working day is Wednesday 3/9 (weekend, then National Day).
    assert reminded == {D(2025, 9, 3), D(2025, 9, 4)}
    Dispatch.objects.filter(directive=directive).update(acknowledged_at=timezone.now())
    assert not run_twice(D(2025, 9, 5))


def local(*parts: int) -> datetime.datetime:
    """A moment in Vietnam's time (the project's time zone)."""
    return timezone.make_aware(datetime.datetime(*parts))


def digest_lists(body: str) -> dict[str, tuple[str, list[str]]]:
    """The digest's sections: heading -> (the count it states, the units its lines name)."""
    sections: dict[str, tuple[str, list[str]]] = {}
    heading = ""
    for line in body.splitlines():
        if line.startswith("- "):
            sections[heading][1].append(line[2:].split(":")[0])
        elif ": " in line and line.rsplit(": ", 1)[1].isdigit():
            heading, count = line.rsplit(": ", 1)
            sections[heading] = (count, [])
    return sections


def test_clerks_daily_digest_counts_and_names_the_days_news(agency, clerk):
    u0, u1, u2, u3 = make_units(4, officers=0)
    directive = make_issued(
        units=[u0, u1, u2, u3], issuing_unit=agency, tasks=1, deadline=D(2025, 9, 2)
    )
    dispatches = Dispatch.objects.filter(directive=directive)
    # 10/9 (local time): u0 and u1 acknowledge, u1 just after midnight; u3 did so late the day
    # before. u0 reports; u1, u2 and u3 are late (due 2/9).
    dispatches.filter(unit=u3).update(acknowledged_at=local(2025, 9, 9, 23, 30))
    dispatches.filter(unit=u1).update(acknowledged_at=local(2025, 9, 10, 0, 30))
    dispatches.filter(unit=u0).update(acknowledged_at=local(2025, 9, 10, 12, 0))
    Assignment.objects.filter(unit=u0).update(status="done", reported_at=local(2025, 9, 10, 14))

    assert digests_send(today=D(2025, 9, 10)) == 1
    assert digests_send(today=D(2025, 9, 10)) == 0
    digest = Notification.objects.get(kind="digest")
    assert digest.address == clerk.email
    assert digest.subject == (
        "Tổng hợp ngày 10/09/2025: 2 đã xác nhận đã nhận, 1 đã báo cáo, 3 quá hạn"
    )
    assert digest.body.splitlines()[0] == "Tổng hợp tình hình ngày 10/09/2025"
    assert digest_lists(digest.body) == {
        "Đã xác nhận đã nhận trong ngày": ("2", [u0.name, u1.name]),
        "Báo cáo đã gửi trong ngày": ("1", [u0.name]),
        "Quá hạn": ("3", [u1.name, u2.name, u3.name]),
    }
    assert "100/STTTT-TTBCXB, nhiệm vụ 1 (hạn 02/09/2025)" in digest.body

    # 11/9: u1 reports. The next digest counts only that day's news.
    Assignment.objects.filter(unit=u1).update(status="done", reported_at=local(2025, 9, 11, 9))
    assert digests_send(today=D(2025, 9, 11)) == 1
    second = Notification.objects.filter(kind="digest").exclude(pk=digest.pk).get()
    assert second.subject == (
        "Tổng hợp ngày 11/09/2025: 0 đã xác nhận đã nhận, 1 đã báo cáo, 2 quá hạn"
    )
    assert digest_lists(second.body) == {
        "Đã xác nhận đã nhận trong ngày": ("0", []),
        "Báo cáo đã gửi trong ngày": ("1", [u1.name]),
        "Quá hạn": ("2", [u2.name, u3.name]),
    }
