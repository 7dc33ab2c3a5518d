"""Every notice to a unit reaches it the same way (outbox.unit_notice_rows): each active officer
in the portal and by e-mail, the unit's contact addresses by e-mail; nobody else; once.

Report accepted or returned, extension granted or declined, a reminder and a recall, through
the service and through the clerk's page, and the e-mails really leave after commit."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directives.models import Assignment, ExtensionRequest, Notification
from directives.services import assignments, extensions
from directives.services.issuing import directive_recall
from directives.services.notices import withdrawal_notices_create
from directives.services.reminders import reminders_send
from recipients import roles
from recipients.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(unit_x, officer_x, officer_y):
    """Unit X's officers (one with an address of his own), an officer who left, and someone of
    unit X without the officer role; officer_y is of another unit."""
    second = UserFactory(unit=unit_x, roles=[roles.UNIT_OFFICER], username="vanphong-chupah")
    left = UserFactory(
        unit=unit_x, roles=[roles.UNIT_OFFICER], username="danghi-chupah", is_active=False
    )
    no_role = UserFactory(unit=unit_x, roles=[], username="baove-chupah")
    return {
        "told": [officer_x, second],
        "not_told": [left, no_role, officer_y],
        "left_unit_x": [left, no_role],
    }


def assert_unit_told(kind: str, unit, people, *, only_unit: bool = True) -> None:
    """The unit's officers in the portal and by e-mail, its contact address by e-mail, each
    once; not the officer who left, nor someone without the role, nor (`only_unit`) anyone of
    another unit."""
    everyone = Notification.objects.filter(kind=kind)
    rows = everyone.filter(unit=unit)
    in_app = rows.filter(channel=Notification.Channel.IN_APP)
    emails = rows.filter(channel=Notification.Channel.EMAIL)
    told = people["told"]
    assert sorted(in_app.values_list("user_id", flat=True)) == sorted(p.pk for p in told)
    addresses = [a.lower() for a in emails.values_list("address", flat=True)]
    expected = {unit.contact_emails.lower()} | {p.email.lower() for p in told}
    assert sorted(addresses) == sorted(expected)  # each address once
    outsiders = people["not_told"] if only_unit else people["left_unit_x"]
    for outsider in outsiders:
        assert not everyone.filter(user=outsider).exists()
        assert outsider.email.lower() not in addresses
    if only_unit:
        assert set(everyone.values_list("unit_id", flat=True)) == {unit.pk}


def reported(assignment: Assignment, officer: User) -> Assignment:
    assignments.assignment_report(assignment=assignment, by=officer, text="Đã thực hiện")
    assignment.refresh_from_db()
    return assignment


def extension_asked(assignment: Assignment, officer: User) -> ExtensionRequest:
    return extensions.extension_request_create(
        assignment=assignment,
        by=officer,
        requested_date=assignment.due_date + datetime.timedelta(days=7),
        reason="Chờ số liệu",
    )


def shows(client, person: User, text: str) -> bool:
    client.force_login(person)
    page = client.get(reverse("directives:notifications"))
    assert page.status_code == 200
    return text in page.content.decode()


# --- through the services ------------------------------------------------------------------


@pytest.mark.parametrize("word", ["accepted", "returned"])
def test_report_decision_tells_the_units_officers_in_app_and_by_email(
    word, task1_x, officer_x, clerk, unit_x, people
):
    reported(task1_x, officer_x)
    if word == "accepted":
        assignments.assignment_accept(assignment=task1_x, by=clerk, comment="Tốt")
    else:
        assignments.assignment_return(assignment=task1_x, by=clerk, comment="Bổ sung số liệu")
    assert_unit_told(f"report_{word}", unit_x, people)


@pytest.mark.parametrize("grant", [True, False])
def test_extension_decision_tells_the_units_officers_in_app_and_by_email(
    grant, task1_x, officer_x, clerk, unit_x, people
):
    ext = extension_asked(task1_x, officer_x)
    extensions.extension_request_decide(extension=ext, by=clerk, grant=grant, note="Ý kiến")
    assert_unit_told("extension_granted" if grant else "extension_declined", unit_x, people)


def test_a_decision_told_twice_writes_nothing_new(task1_x, officer_x, clerk, people):
    reported(task1_x, officer_x)
    assignments.assignment_accept(assignment=task1_x, by=clerk)
    before = Notification.objects.count()
    task1_x.refresh_from_db()
    # The notice of the same decision written again (a retried transaction): nothing new.
    assignments._tell_unit(
        unit=task1_x.unit,
        directive=task1_x.task.directive,
        dispatch=task1_x.dispatch,
        key=f"assignment:{task1_x.pk}:accepted:{task1_x.reviewed_at:%Y%m%d%H%M%S}",
        kind="report_accepted",
        subject="x",
        body="",
    )
    assert Notification.objects.count() == before


def test_a_deadline_reminder_tells_the_units_officers_once_a_day(task1_x, unit_x, people):
    Assignment.objects.filter(dispatch__unit=unit_x).exclude(pk=task1_x.pk).update(
        status=Assignment.Status.DONE
    )
    today = datetime.date(2025, 9, 4)  # a Thursday, a working day
    Assignment.objects.filter(pk=task1_x.pk).update(due_date=today)
    assert reminders_send(today=today) > 0
    assert reminders_send(today=today) == 0
    assert_unit_told("reminder_due_today", unit_x, people)


def test_a_recall_tells_the_units_officers_once(directive, clerk, unit_x, officer_y, people):
    directive_recall(directive=directive, by=clerk, reason="Ban hành nhầm")
    assert_unit_told("recalled", unit_x, people, only_unit=False)
    # The other unit's officer is told of his own unit's copy.
    assert Notification.objects.get(kind="recalled", user=officer_y).unit_id == officer_y.unit_id
    before = Notification.objects.count()
    withdrawal_notices_create(directive=directive, replacement=None)
    assert Notification.objects.count() == before


# --- through the clerk's pages ------------------------------------------------------------


def press_twice(client, clerk, url: str, data: dict | None = None) -> int:
    """The clerk presses the button twice; returns the outbox rows the second press added."""
    client.force_login(clerk)
    assert client.post(url, data or {}).status_code == 302
    before = Notification.objects.count()
    assert client.post(url, data or {}).status_code == 302
    return Notification.objects.count() - before


def decide(task1_x, officer_x, word: str) -> tuple[str, dict, str]:
    """The URL, form and notice kind of the clerk's `word` on unit X's task 1."""
    if word in ("accepted", "returned"):
        reported(task1_x, officer_x)
        name = "assignment_accept" if word == "accepted" else "assignment_return"
        url = reverse(f"directives:{name}", args=[task1_x.pk])
        return url, {"comment": "Bổ sung số liệu"}, f"report_{word}"
    ext = extension_asked(task1_x, officer_x)
    url = reverse("directives:extension_decide", args=[ext.pk])
    choice = "grant" if word == "granted" else "decline"
    form = {"decision": choice, "new_date": ext.requested_date.isoformat(), "note": "Ý kiến"}
    return url, form, f"extension_{word}"


KINDS = ["accepted", "returned", "granted", "declined"]


@pytest.mark.parametrize("word", KINDS)
def test_clerks_decision_page_tells_the_units_officers_once(
    word, client, clerk, task1_x, officer_x, unit_x, people
):
    url, form, kind = decide(task1_x, officer_x, word)
    assert press_twice(client, clerk, url, form) == 0
    assert_unit_told(kind, unit_x, people)
    subject = Notification.objects.filter(kind=kind).first().subject
    for officer in people["told"]:
        assert shows(client, officer, subject)
    for outsider in people["not_told"][1:]:  # the officer who left cannot sign in at all
        assert not shows(client, outsider, subject)


def test_remind_now_page_tells_the_units_officers_once(
    client, clerk, directive, task1_x, unit_x, people, monkeypatch
):
    clicked = timezone.now().replace(hour=10, minute=15, second=20)
    monkeypatch.setattr(timezone, "now", lambda: clicked)
    url = reverse("directives:matrix_remind", args=[directive.pk])
    assert press_twice(client, clerk, url, {"dispatch": [task1_x.dispatch_id], "confirm": "1"}) == 0
    rows = Notification.objects.filter(kind="reminder")
    # Unit X acknowledged: one reminder per open task, each to every officer and address.
    for assignment in Assignment.objects.filter(dispatch=task1_x.dispatch):
        key = f"remind:assignment:{assignment.pk}:manual:"
        mine = rows.filter(key__startswith=key)
        assert sorted(mine.filter(channel="in_app").values_list("user_id", flat=True)) == sorted(
            p.pk for p in people["told"]
        )
        addresses = sorted(mine.filter(channel="email").values_list("address", flat=True))
        assert addresses == sorted({unit_x.contact_emails} | {p.email for p in people["told"]})
    assert not rows.filter(user__in=people["not_told"]).exists()
    assert shows(client, people["told"][1], rows.first().subject)


def test_recall_page_tells_the_units_officers_once(client, clerk, directive, unit_x, people):
    url = reverse("directives:recall", args=[directive.pk])
    assert press_twice(client, clerk, url, {"reason": "Ban hành nhầm", "confirm": "1"}) == 0
    assert_unit_told("recalled", unit_x, people, only_unit=False)
    subject = Notification.objects.filter(kind="recalled").first().subject
    assert shows(client, people["told"][1], subject)


# --- the e-mails leave -----------------------------------------------------------------------


@pytest.mark.parametrize("word", KINDS)
def test_the_decisions_emails_are_sent_after_commit(
    word,
    client,
    clerk,
    task1_x,
    officer_x,
    unit_x,
    people,
    celery_eager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    url, form, kind = decide(task1_x, officer_x, word)
    client.force_login(clerk)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    emails = Notification.objects.filter(kind=kind, channel=Notification.Channel.EMAIL)
    assert set(emails.values_list("status", flat=True)) == {Notification.Status.SENT}
    sent_to = sorted(a.lower() for m in mailoutbox for a in m.recipients())
    assert sent_to == sorted(a.lower() for a in emails.values_list("address", flat=True))
    assert {p.email.lower() for p in people["told"]} <= set(sent_to)
    subject = emails.first().subject
    assert all(m.subject == subject for m in mailoutbox)
