"""The delivery job's own statements on PostgreSQL read and write what the ORM path does: the
same unit, tasks and officers in the e-mail, the same rows, and a unit's rows all or none (on
either database)."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError

from directives.models import Assignment, Notification, Task
from directives.services.notices import delivery, delivery_sql
from recipients import roles
from tests.directives.dispatch.conftest import make_ready, make_units
from tests.factories import UserFactory


@pytest.fixture
def dispatch_id(agency):
    """A unit with two officers, a colleague who is not one, a former officer (inactive), and
    two tasks whose order in the letter differs from their creation order."""
    (unit,) = make_units(1, officers=2)
    UserFactory(unit=unit, roles=[roles.DRAFTER], username="not-an-officer")
    UserFactory(unit=unit, roles=[roles.UNIT_OFFICER], username="left", is_active=False)
    directive = make_ready([unit], issuing_unit=agency)
    dispatch = directive.dispatches.get()
    first, second = Task.objects.filter(directive=directive).order_by("position")
    Task.objects.filter(pk=first.pk).update(position=3)
    Assignment.objects.filter(task=second, dispatch=dispatch).update(
        due_date=datetime.date(2026, 12, 31)
    )
    return dispatch.pk


def _what_the_email_shows(dispatch, state):
    return {
        "unit": (dispatch.unit.pk, dispatch.unit.name, dispatch.unit.contact_emails),
        "tasks": [
            (a.pk, a.task.position, a.task.title, a.due_date) for a in dispatch.task_assignments
        ],
        "officers": [(o.pk, o.email, o.get_full_name()) for o in dispatch.delivery_officers],
        "letter": dict(zip(delivery_sql.LETTER_STATE, state, strict=True)),
    }


def test_one_statement_reads_what_the_orm_reads(
    postgres_required, dispatch_id, django_assert_num_queries
):
    with django_assert_num_queries(1):
        fast = delivery_sql.dispatch_read(dispatch_id)
    orm = delivery._dispatch_read_orm(dispatch_id)

    shown = _what_the_email_shows(*fast)
    assert shown == _what_the_email_shows(*orm)
    assert [position for _pk, position, _t, _due in shown["tasks"]] == [2, 3]
    assert shown["tasks"][0][3] == datetime.date(2026, 12, 31)
    assert len(shown["officers"]) == 2
    assert delivery_sql.dispatch_read(dispatch_id + 1000) is None


def test_a_units_rows_are_written_all_or_none(dispatch_id):
    dispatch = delivery.dispatch_for_delivery(dispatch_id)
    rows, written = delivery.dispatch_notices_write(dispatch)
    assert written
    stored = Notification.objects.filter(dispatch_id=dispatch_id).order_by("pk")
    assert [(r.pk, r.key, r.status) for r in rows] == [(r.pk, r.key, r.status) for r in stored]
    assert {r.channel for r in rows} == {"in_app", "email"}
    assert all(r.created_at is not None for r in stored)

    # One new row beside one that exists: the insert fails whole and writes nothing.
    again = [
        Notification(key=f"new:{dispatch_id}", kind="delivery", channel="email", subject="x"),
        Notification(key=rows[0].key, kind="delivery", channel="email", subject="x"),
    ]
    with pytest.raises(IntegrityError):
        delivery._rows_insert(again)
    assert not Notification.objects.filter(key=f"new:{dispatch_id}").exists()
    assert Notification.objects.filter(dispatch_id=dispatch_id).count() == len(rows)


def test_a_unit_is_recorded_delivered_only_when_its_job_still_held_every_email(dispatch_id):
    dispatch = delivery.dispatch_for_delivery(dispatch_id)
    rows, _written = delivery.dispatch_notices_write(dispatch)
    emails = [row.pk for row in rows if row.channel == "email"]
    # Meanwhile the sweep took one address back (the worker seemed dead): not this job's any more.
    Notification.objects.filter(pk=emails[0]).update(status="pending")

    assert not delivery.dispatch_sent_record(dispatch_id=dispatch_id, notification_ids=emails)
    dispatch.refresh_from_db()
    assert dispatch.delivery == "pending" and dispatch.delivered_at is None
    statuses = dict(Notification.objects.filter(pk__in=emails).values_list("pk", "status"))
    assert statuses[emails[0]] == "pending"
    assert {statuses[pk] for pk in emails[1:]} == {"sent"}

    Notification.objects.filter(pk=emails[0]).update(status="sending")
    assert delivery.dispatch_sent_record(dispatch_id=dispatch_id, notification_ids=emails[:1])
    dispatch.refresh_from_db()
    assert dispatch.delivery == "sent" and dispatch.delivered_at is not None
