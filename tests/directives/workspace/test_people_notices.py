"""The issuing agency's clerks are told when a unit reports, asks for more time, or cannot be
reached for good; once each, and never a clerk of another agency. Their to-do page lists the
reports and requests by deadline."""

from __future__ import annotations

import datetime

import pytest

from directives.errors import TransitionError
from directives.models import Dispatch, Notification
from directives.selectors.todo import DELIVERY_FAILED, EXTENSION, REPORT, clerk_todo
from directives.services import assignments, extensions
from directives.services.notices import dispatch_delivery_update, people
from recipients import roles
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(db):
    """A clerk of another issuing agency."""
    return UserFactory(unit=UnitFactory(code="SYT", name="Sở Y tế"), roles=[roles.CLERK])


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, channel=Notification.Channel.IN_APP).values_list(
            "kind", flat=True
        )
    )


def test_a_report_tells_the_agencys_clerks(task1_x, officer_x, clerk, stranger):
    assignments.assignment_report(assignment=task1_x, by=officer_x, text="Đã phổ biến.")

    assert kinds(clerk) == [people.REPORTED]
    row = Notification.objects.get(user=clerk)
    assert row.body == "Đã phổ biến." and row.dispatch_id == task1_x.dispatch_id
    assert kinds(stranger) == []
    assert kinds(officer_x) == []
    assert [i.kind for i in clerk_todo(clerk)] == [REPORT]
    assert clerk_todo(stranger) == []


def test_an_extension_request_tells_the_clerks_once(task1_x, officer_x, clerk, stranger):
    wanted = task1_x.due_date + datetime.timedelta(days=10)
    extensions.extension_request_create(
        assignment=task1_x, by=officer_x, requested_date=wanted, reason="Chờ số liệu"
    )
    with pytest.raises(TransitionError):  # one pending request at a time: nothing new is written
        extensions.extension_request_create(
            assignment=task1_x, by=officer_x, requested_date=wanted, reason="again"
        )

    assert kinds(clerk) == [people.EXTENSION]
    assert "Chờ số liệu" in Notification.objects.get(user=clerk).body
    assert kinds(stranger) == []
    assert [i.kind for i in clerk_todo(clerk)] == [EXTENSION]


def test_a_delivery_failed_for_good_tells_the_clerks_once(
    directive, dispatch_x, unit_x, clerk, stranger
):
    Notification.objects.create(
        key=f"test:{dispatch_x.pk}",
        kind="delivery",
        channel=Notification.Channel.EMAIL,
        directive=directive,
        dispatch=dispatch_x,
        unit=unit_x,
        address="vanphong@chupah.gialai.gov.vn",
        status=Notification.Status.FAILED,
    )

    assert dispatch_delivery_update(dispatch_id=dispatch_x.pk) == Dispatch.Delivery.FAILED
    assert dispatch_delivery_update(dispatch_id=dispatch_x.pk) == Dispatch.Delivery.FAILED

    assert kinds(clerk) == [people.DELIVERY_FAILED]
    assert unit_x.name in Notification.objects.get(user=clerk).subject
    assert kinds(stranger) == []
    assert [i.kind for i in clerk_todo(clerk)] == [DELIVERY_FAILED]


def test_the_clerks_todo_is_ordered_by_deadline(task1_x, officer_x, clerk):
    task2_x = task1_x.dispatch.assignments.get(task__position=2)
    later, sooner = datetime.date(2027, 6, 1), datetime.date(2027, 2, 1)
    task1_x.due_date = later
    task1_x.save(update_fields=["due_date"])
    task2_x.due_date = sooner
    task2_x.save(update_fields=["due_date"])
    assignments.assignment_report(assignment=task1_x, by=officer_x, text="Xong nhiệm vụ 1")
    assignments.assignment_report(assignment=task2_x, by=officer_x, text="Xong nhiệm vụ 2")

    items = clerk_todo(clerk)
    assert [(i.kind, i.deadline) for i in items] == [(REPORT, sooner), (REPORT, later)]
