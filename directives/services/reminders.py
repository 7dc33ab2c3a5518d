"""Reminders, escalations and the clerks' daily digest, counted in Vietnamese working days.

Each notice is keyed by (assignment or dispatch, kind, day): a beat that fires twice, or a
worker that runs the task again, sends nothing more. Nothing is sent on a day the offices are
closed (a weekend or a public holiday); the next working day's run covers it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directives.models import Assignment, Directive, Dispatch, Notification
from directives.selectors.scope import agency_unit_ids
from directives.selectors.workspace import overdue_q
from directives.services.events import event_record
from directives.services.notices.outbox import (
    email_row,
    outbox_key,
    outbox_write,
    unit_notice_rows,
    unit_officers,
)
from directives.services.notices.subjects import number_label
from directives.workdays import (
    add_working_days,
    effective_deadline,
    is_overdue,
    is_working_day,
    working_days_between,
)
from recipients import roles
from recipients.models import User


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def assignment_reminder_kind(due: datetime.date, today: datetime.date) -> str | None:
    """Which reminder an open task gets today, if any: before, on the day, or overdue."""
    if is_overdue(due, today=today):
        return "overdue"
    deadline = effective_deadline(due)
    if today == deadline:
        return "due_today"
    for n in sorted(set(settings.REMINDER_DAYS_BEFORE), reverse=True):
        if n > 0 and add_working_days(today, n) == deadline:
            return f"due_in_{n}"
    return None


def _text(kind: str, assignment: Assignment, today: datetime.date) -> str:
    directive = assignment.task.directive
    values = {
        "task": assignment.task.position,
        "number": number_label(directive),
        "date": assignment.due_date.strftime("%d/%m/%Y"),
    }
    if kind == "due_today":
        return _("Reminder: task %(task)s of document %(number)s is due today (%(date)s)") % values
    if kind == "overdue":
        values["days"] = working_days_between(effective_deadline(assignment.due_date), today)
        return (
            _("Overdue: task %(task)s of %(number)s was due %(date)s (%(days)s working days)")
            % values
        )
    if kind == "escalation":
        values["unit"] = assignment.unit.name
        return (
            _("Escalation: %(unit)s has not done task %(task)s of %(number)s, due %(date)s")
            % values
        )
    return _("Reminder: task %(task)s of document %(number)s is due on %(date)s") % values


def reminders_send(*, today: datetime.date) -> int:
    """Write today's reminders and escalations; returns how many new outbox rows."""
    if not is_working_day(today):
        return 0
    stamp = today.strftime("%Y%m%d")
    assignments = list(
        Assignment.objects.filter(
            status__in=Assignment.OPEN_STATUSES,
            due_date__isnull=False,
            task__directive__status=Directive.Status.ISSUED,
        ).select_related("task__directive", "unit", "dispatch__unit", "dispatch__directive")
    )
    unacknowledged = [
        d
        for d in Dispatch.objects.filter(
            directive__status=Directive.Status.ISSUED,
            acknowledged_at__isnull=True,
            delivered_at__isnull=False,
        ).select_related("directive", "unit")
        if working_days_between(timezone.localdate(d.delivered_at), today)
        >= settings.REMINDER_UNACKNOWLEDGED_DAYS
    ]
    unit_ids = {a.unit_id for a in assignments} | {d.unit_id for d in unacknowledged}
    officers = unit_officers(unit_ids)
    heads: dict[int, list[User]] = defaultdict(list)
    for head in User.objects.filter(unit_id__in=unit_ids, is_active=True, is_unit_head=True):
        heads[head.unit_id].append(head)
    rows: list[Notification] = []
    by_directive: dict[int, set[str]] = defaultdict(set)
    with translation.override(settings.LANGUAGE_CODE):
        for a in assignments:
            kind = assignment_reminder_kind(a.due_date, today)
            if kind is None:
                continue
            jobs = [(kind, officers.get(a.unit_id, []), True)]
            overdue_days = working_days_between(effective_deadline(a.due_date), today)
            if kind == "overdue" and overdue_days >= settings.ESCALATION_OVERDUE_DAYS:
                jobs.append(("escalation", heads.get(a.unit_id, []), False))
            for job_kind, people, to_unit in jobs:
                text = _text(job_kind, a, today)
                body = render_to_string(
                    "email/reminder.txt",
                    {"text": text, "directive": a.task.directive, "assignments": [a]},
                ).strip()
                # The escalation is told once; the other kinds at most once a day.
                key = ("remind", "assignment", a.pk, job_kind) + (
                    () if job_kind == "escalation" else (stamp,)
                )
                rows += unit_notice_rows(
                    unit=a.dispatch.unit,
                    officers=people,
                    key=key,
                    kind=f"reminder_{job_kind}",
                    subject=text,
                    body=body,
                    link=reverse("directives:inbox_detail", args=[a.dispatch_id]),
                    directive=a.dispatch.directive,
                    dispatch=a.dispatch,
                    contacts=to_unit,
                )
                by_directive[a.task.directive_id].add(job_kind)
        for d in unacknowledged:
            text = _("Reminder: please acknowledge receipt of document %(number)s") % {
                "number": number_label(d.directive)
            }
            body = render_to_string(
                "email/reminder.txt", {"text": text, "directive": d.directive, "assignments": []}
            ).strip()
            rows += unit_notice_rows(
                unit=d.unit,
                officers=officers.get(d.unit_id, []),
                key=("remind", "dispatch", d.pk, "unacknowledged", stamp),
                kind="reminder_unacknowledged",
                subject=text,
                body=body,
                link=reverse("directives:inbox_detail", args=[d.pk]),
                directive=d.directive,
                dispatch=d,
            )
            by_directive[d.directive_id].add("unacknowledged")
    with transaction.atomic():
        fresh = outbox_write(rows)
        touched = {row.directive_id for row in fresh}
        for directive in Directive.objects.filter(pk__in=touched):
            event_record(
                directive=directive,
                verb="reminded",
                data={
                    "automatic": True,
                    "day": today.isoformat(),
                    "kinds": sorted(by_directive[directive.pk]),
                },
            )
    return len(fresh)


def digests_send(*, today: datetime.date) -> int:
    """One e-mail per clerk of each issuing agency: acknowledged and reported today, overdue."""
    start, end = _day_bounds(today)
    clerks = (
        User.objects.filter(is_active=True, groups__name=roles.CLERK, unit__isnull=False)
        .exclude(email="")
        .select_related("unit")
        .distinct()
    )
    rows: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        for clerk in clerks:
            issuers = agency_unit_ids(clerk)
            live = {
                "directive__issuing_unit_id__in": issuers,
                "directive__status": Directive.Status.ISSUED,
            }
            acknowledged = list(
                Dispatch.objects.filter(
                    acknowledged_at__gte=start, acknowledged_at__lt=end, **live
                ).select_related("unit", "directive")
            )
            task_scope = {f"task__{k}": v for k, v in live.items()}
            reported = list(
                Assignment.objects.filter(
                    reported_at__gte=start, reported_at__lt=end, **task_scope
                ).select_related("unit", "task__directive")
            )
            overdue = list(
                Assignment.objects.filter(overdue_q(today=today), **task_scope).select_related(
                    "unit", "task__directive"
                )
            )
            if not (acknowledged or reported or overdue):
                continue
            subject = _(
                "Daily summary %(day)s: %(ack)s acknowledged, %(rep)s reported, %(late)s overdue"
            ) % {
                "day": today.strftime("%d/%m/%Y"),
                "ack": len(acknowledged),
                "rep": len(reported),
                "late": len(overdue),
            }
            body = render_to_string(
                "email/digest.txt",
                {
                    "today": today,
                    "acknowledged": acknowledged,
                    "reported": reported,
                    "overdue": overdue,
                    "site_url": settings.SITE_URL,
                },
            ).strip()
            rows.append(
                email_row(
                    key=outbox_key("digest", clerk.pk, today.strftime("%Y%m%d")),
                    kind="digest",
                    address=clerk.email,
                    subject=subject,
                    body=body,
                    link=settings.SITE_URL + reverse("directives:dashboard"),
                    unit=clerk.unit,
                    user=clerk,
                )
            )
    with transaction.atomic():
        return len(outbox_write(rows))
