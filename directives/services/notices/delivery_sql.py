"""The delivery job's statements on PostgreSQL, written out.

A fan-out runs the delivery job once per unit, a thousand times in a row. Building the job's few
ORM queries again for every unit was most of its CPU: reading the dispatch, the unit, the
letter's state, the assignments and the officers cost 8.5 ms of CPU per unit through the ORM
against 0.9 ms as the one statement below (2-core development machine, 2026-11-29). With it,
the fan-out of `make bench BENCH_ARGS=fanout` went from 22.8-26.3 s to 15.6-17.9 s.

So on PostgreSQL the job reads in one statement, writes its rows in another and records them
sent with the unit delivered in a third; each statement is built once per process from the
models' metadata (names quoted, every value a parameter). SQLite takes the ORM path in
delivery.py; tests/directives/dispatch/test_delivery_sql.py checks that both read the same.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection, models

from directives.models import Assignment, Directive, Dispatch, Notification, Task
from recipients import roles
from recipients.models import Unit, User

# The parts of an assignment and its task the delivery e-mail shows; of an officer, what a
# notice needs (the same as outbox.unit_officers reads).
ASSIGNMENT_FIELDS = ("id", "task_id", "unit_id", "dispatch_id", "due_date")
TASK_FIELDS = ("id", "directive_id", "position", "title", "deadline")
OFFICER_FIELDS = ("id", "unit_id", "email", "username", "first_name", "last_name")
LETTER_STATE = ("status", "pdf_status", "pdf_sha256", "updated_at")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[models.Model]) -> str:
    return _q(model._meta.db_table)


def _fields(model: type[models.Model], names: Sequence[str] | None = None) -> list[models.Field]:
    """The model's columns (or those of `names`, attnames), in the model's order, which
    Model.from_db expects."""
    return [f for f in model._meta.concrete_fields if names is None or f.attname in names]


def _json_object(model: type[models.Model], alias: str, names: Sequence[str]) -> str:
    pairs = (f"'{f.attname}', {alias}.{_q(f.column)}" for f in _fields(model, names))
    return f"json_build_object({', '.join(pairs)})"


def _column(model: type[models.Model], name: str) -> str:
    return _q(model._meta.get_field(name).column)


@functools.cache
def _read_sql() -> str:
    dispatch_columns = [f"d.{_q(f.column)}" for f in _fields(Dispatch)]
    unit_columns = [f"u.{_q(f.column)}" for f in _fields(Unit)]
    state_columns = [f"l.{_q(f.column)}" for f in _fields(Directive, LETTER_STATE)]
    groups = User._meta.get_field("groups")
    group = groups.related_model
    user_group = _q(groups.remote_field.through._meta.db_table)
    user_column, group_column = _q(groups.m2m_column_name()), _q(groups.m2m_reverse_name())
    # The officers are outbox.unit_officers' people: active, with the unit officer role.
    return f"""
        SELECT {", ".join(dispatch_columns + unit_columns + state_columns)},
            (SELECT coalesce(json_agg(json_build_object(
                        'assignment', {_json_object(Assignment, "a", ASSIGNMENT_FIELDS)},
                        'task', {_json_object(Task, "t", TASK_FIELDS)})
                    ORDER BY t.{_column(Task, "position")}, a.{_column(Assignment, "id")}
                ), '[]')
             FROM {_table(Assignment)} a
             JOIN {_table(Task)} t ON t.{_column(Task, "id")} = a.{_column(Assignment, "task")}
             WHERE a.{_column(Assignment, "dispatch")} = d.{_column(Dispatch, "id")}
            ) AS assignments,
            (SELECT coalesce(json_agg({_json_object(User, "p", OFFICER_FIELDS)}
                    ORDER BY p.{_column(User, "id")}), '[]')
             FROM {_table(User)} p
             WHERE p.{_column(User, "unit")} = d.{_column(Dispatch, "unit")}
               AND p.{_column(User, "is_active")}
               AND EXISTS (
                   SELECT 1 FROM {user_group} ug
                   JOIN {_table(group)} g ON g.{_column(group, "id")} = ug.{group_column}
                   WHERE ug.{user_column} = p.{_column(User, "id")}
                     AND g.{_column(group, "name")} = %s)
            ) AS officers
        FROM {_table(Dispatch)} d
        JOIN {_table(Unit)} u ON u.{_column(Unit, "id")} = d.{_column(Dispatch, "unit")}
        JOIN {_table(Directive)} l
          ON l.{_column(Directive, "id")} = d.{_column(Dispatch, "directive")}
        WHERE d.{_column(Dispatch, "id")} = %s
    """  # noqa: S608


def _from_json(model: type[models.Model], names: Sequence[str], data: dict) -> models.Model:
    fields = _fields(model, names)
    values = [field.to_python(data[field.attname]) for field in fields]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def dispatch_read(dispatch_id: int) -> tuple[Dispatch, tuple] | None:
    """The dispatch with its unit, `task_assignments` (with their tasks, in the tasks' order)
    and `delivery_officers`, and the letter's state (LETTER_STATE), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_read_sql(), [roles.UNIT_OFFICER, dispatch_id])
        row = cursor.fetchone()
    if row is None:
        return None
    dispatch_fields, unit_fields = _fields(Dispatch), _fields(Unit)
    values = iter(row)

    def take(fields):
        return [next(values) for _field in fields]

    dispatch = Dispatch.from_db(
        connection.alias, [f.attname for f in dispatch_fields], take(dispatch_fields)
    )
    dispatch.unit = Unit.from_db(
        connection.alias, [f.attname for f in unit_fields], take(unit_fields)
    )
    state_fields = _fields(Directive, LETTER_STATE)
    state_values = dict(zip((f.attname for f in state_fields), take(state_fields), strict=True))
    state = tuple(state_values[name] for name in LETTER_STATE)
    assignments, officers = (
        json.loads(value) if isinstance(value, str) else value for value in values
    )
    dispatch.task_assignments = []
    for pair in assignments:
        assignment = _from_json(Assignment, ASSIGNMENT_FIELDS, pair["assignment"])
        assignment.task = _from_json(Task, TASK_FIELDS, pair["task"])
        dispatch.task_assignments.append(assignment)
    dispatch.delivery_officers = [_from_json(User, OFFICER_FIELDS, o) for o in officers]
    return dispatch, state


@functools.cache
def _insert_fields() -> list[models.Field]:
    return [f for f in _fields(Notification) if not f.primary_key]


def notifications_insert(rows: Sequence[Notification]) -> None:
    """Insert new rows in one statement and give them their ids. Raises IntegrityError, having
    inserted none, when one of their keys exists."""
    fields = _insert_fields()
    holders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(_q(f.column) for f in fields)
    values = ", ".join([holders] * len(rows))
    returning = _column(Notification, "id")
    sql = f"INSERT INTO {_table(Notification)} ({columns}) VALUES {values} RETURNING {returning}"  # noqa: S608
    params = [
        field.get_db_prep_save(field.pre_save(row, add=True), connection)
        for row in rows
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [pk for (pk,) in cursor.fetchall()]
    # PostgreSQL returns the ids in the order of the VALUES, as Django's bulk_create relies on.
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias


@functools.cache
def _sent_record_sql() -> str:
    notification, dispatch = _table(Notification), _table(Dispatch)
    status, attempts = _column(Notification, "status"), _column(Notification, "attempts")
    sent_at, last_error = _column(Notification, "sent_at"), _column(Notification, "last_error")
    delivery, delivered_at = _column(Dispatch, "delivery"), _column(Dispatch, "delivered_at")
    # The dispatch is updated only when every row was still held; delivered_at keeps the first
    # delivery's time.
    return f"""
        WITH sent AS (
            UPDATE {notification}
            SET {status} = %s, {attempts} = {attempts} + 1, {sent_at} = %s, {last_error} = ''
            WHERE {_column(Notification, "id")} = ANY(%s::bigint[]) AND {status} = %s
            RETURNING 1
        )
        UPDATE {dispatch}
        SET {delivery} = %s, {delivered_at} = COALESCE({delivered_at}, %s)
        WHERE {_column(Dispatch, "id")} = %s AND (SELECT count(*) FROM sent) = %s
    """  # noqa: S608


def sent_record(*, dispatch_id: int, notification_ids: list[int], now: datetime) -> bool:
    """delivery.dispatch_sent_record in one statement: the held rows sent, and the unit
    delivered if every row was still held. True when the unit was recorded delivered."""
    params = [
        Notification.Status.SENT,
        now,
        notification_ids,
        Notification.Status.SENDING,
        Dispatch.Delivery.SENT,
        now,
        dispatch_id,
        len(notification_ids),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sent_record_sql(), params)
        return cursor.rowcount == 1
