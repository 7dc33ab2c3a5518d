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


def test_clerks_daily_digest_is_sent_once(agency, clerk):
    units = make_units(2, officers=0)
    directive = make_issued(units=units, issuing_unit=agency, tasks=1, deadline=D(2025, 9, 2))
    today = D(2025, 9, 10)
    noon = timezone.make_aware(datetime.datetime(2025, 9, 10, 12, 0))
    Dispatch.objects.filter(directive=directive, unit=units[0]).update(acknowledged_at=noon)
    Assignment.objects.filter(unit=units[0]).update(status="done", reported_at=noon)
    assert digests_send(today=today) == 1
    assert digests_send(today=today) == 0
    digest = Notification.objects.get(kind="digest")
    assert digest.address == clerk.email
    assert "1 " in digest.subject and digest.body.count(units[1].name) == 1
