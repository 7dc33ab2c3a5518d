"""A unit's heads are told when a letter arrives in its incoming book, and their to-do page
lists the letters nobody handles yet, by the nearest deadline of the unit's tasks."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from directives.models import Assignment, Notification
from directives.selectors.todo import TO_ASSIGN, head_todo, menu_counts
from directives.services.incoming import dispatch_accept
from directives.services.notices import people
from recipients import roles
from tests.directives.workspace.data import make_issued
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(sttt):
    return UserFactory(
        unit=sttt, roles=[roles.UNIT_OFFICER], is_unit_head=True, email="gd@stttt.gov.vn"
    )


@pytest.fixture
def press_head(press):
    return UserFactory(unit=press, roles=[roles.UNIT_OFFICER], is_unit_head=True)


def arrivals(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind=people.ARRIVED).values_list(
            "channel", flat=True
        )
    )


def test_an_accepted_letter_tells_the_units_heads_once(to_sttt, clerk, head, press_head):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)

    assert arrivals(head) == [Notification.Channel.IN_APP]  # no e-mail: not chosen
    row = Notification.objects.get(user=head, kind=people.ARRIVED)
    assert row.link == reverse("directives:incoming_entry", args=[entry.pk])
    assert arrivals(press_head) == []
    assert arrivals(clerk) == []
    # Reported again (a retried job): nothing new.
    assert people.entry_heads_notify(entry=entry, occasion=people.ARRIVED, by=clerk) == []
    assert Notification.objects.filter(kind=people.ARRIVED).count() == 1


def test_a_head_who_chose_email_gets_one(to_sttt, clerk, head):
    head.notify_by_email = True
    head.save(update_fields=["notify_by_email"])
    dispatch_accept(dispatch=to_sttt, by=clerk)

    assert sorted(arrivals(head)) == ["email", "in_app"]
    assert Notification.objects.get(user=head, channel="email").address == "gd@stttt.gov.vn"


def test_the_heads_todo_lists_letters_to_assign_by_deadline(
    sttt, chupah, to_sttt, clerk, head, press_head, client
):
    later = make_issued(units=[sttt], issuing_unit=chupah, number=200, tasks=1)
    Assignment.objects.filter(dispatch__directive=later).update(due_date=datetime.date(2027, 5, 1))
    Assignment.objects.filter(dispatch=to_sttt).update(due_date=datetime.date(2027, 1, 15))
    undated = make_issued(units=[sttt], issuing_unit=chupah, number=201, tasks=0)
    for dispatch in (later.dispatches.get(), undated.dispatches.get(), to_sttt):
        dispatch_accept(dispatch=dispatch, by=clerk)

    items = head_todo(head)
    assert [i.kind for i in items] == [TO_ASSIGN] * 3
    assert [i.deadline for i in items] == [
        datetime.date(2027, 1, 15),
        datetime.date(2027, 5, 1),
        None,
    ]
    assert menu_counts(head).to_review == 3
    assert head_todo(press_head) == [] and menu_counts(press_head).to_review == 0
    assert head_todo(clerk) == []  # the clerk is not the unit's head

    client.force_login(head)
    page = client.get(reverse("directives:todo")).content.decode()
    assert 'data-testid="head-todo"' in page
    assert 'data-testid="to-review-count">3<' in page
    client.force_login(press_head)
    page = client.get(reverse("directives:todo")).content.decode()
    assert 'data-testid="head-todo"' not in page
