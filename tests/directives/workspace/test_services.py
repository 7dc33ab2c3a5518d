"""The assignment services: each transition, refusals that change nothing, uploads, decisions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Assignment, Event, ExtensionRequest, Notification, ReportFile
from directives.services import assignments, extensions
from recipients import roles
from tests.directives.workspace.data import PDF_BYTES
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf(name: str = "bao-cao.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def snapshot(assignment: Assignment) -> tuple:
    assignment.refresh_from_db()
    return (
        assignment.status,
        assignment.due_date,
        assignment.report_text,
        assignment.reported_at,
        assignment.files.count(),
        Event.objects.count(),
    )


def test_unit_moves_task_from_acknowledged_to_in_progress_to_done(task1_x, officer_x):
    assignments.assignment_start(assignment=task1_x, by=officer_x, ip="10.0.0.5")
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.IN_PROGRESS

    assignments.assignment_report(
        assignment=task1_x, by=officer_x, text="Đã phổ biến đến 100% cán bộ.", files=[pdf()]
    )
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.DONE
    assert task1_x.reported_by == officer_x
    stored = ReportFile.objects.get(assignment=task1_x)
    assert stored.content_type == "application/pdf"
    assert stored.file.read() == PDF_BYTES
    verbs = list(
        Event.objects.filter(directive=task1_x.task.directive).values_list("verb", "unit_id")
    )
    assert ("assignment_started", officer_x.unit_id) in verbs
    assert ("assignment_reported", officer_x.unit_id) in verbs
    started = Event.objects.get(verb="assignment_started")
    assert started.ip == "10.0.0.5"


def test_task_cannot_start_before_receipt_is_acknowledged(dispatch_x, officer_x):
    assignment = dispatch_x.assignments.first()
    before = snapshot(assignment)
    with pytest.raises(TransitionError):
        assignments.assignment_start(assignment=assignment, by=officer_x)
    assert snapshot(assignment) == before


def test_another_units_officer_and_the_clerk_cannot_act_for_the_unit(task1_x, officer_y, clerk):
    before = snapshot(task1_x)
    for intruder in (officer_y, clerk):
        with pytest.raises(PermissionDeniedError):
            assignments.assignment_start(assignment=task1_x, by=intruder)
        with pytest.raises(PermissionDeniedError):
            assignments.assignment_report(assignment=task1_x, by=intruder, text="x")
        with pytest.raises(PermissionDeniedError):
            extensions.extension_request_create(
                assignment=task1_x,
                by=intruder,
                requested_date=timezone.localdate() + datetime.timedelta(days=60),
                reason="x",
            )
    assert snapshot(task1_x) == before
    assert not ExtensionRequest.objects.exists()


def test_report_required_needs_text_or_file(task1_x, officer_x):
    before = snapshot(task1_x)
    with pytest.raises(ValidationError):
        assignments.assignment_report(assignment=task1_x, by=officer_x, text="   ", files=[])
    assert snapshot(task1_x) == before


def test_pdf_that_is_really_an_exe_is_refused_and_nothing_is_stored(task1_x, officer_x):
    fake = pdf("bao-cao.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    before = snapshot(task1_x)
    with pytest.raises(ValidationError) as exc:
        assignments.assignment_report(
            assignment=task1_x, by=officer_x, text="ok", files=[pdf(), fake]
        )
    assert "bao-cao.pdf" in str(exc.value)
    assert snapshot(task1_x) == before
    assert not ReportFile.objects.exists()


def test_file_over_the_size_limit_is_refused(task1_x, officer_x, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = pdf("lon.pdf", PDF_BYTES + b"0" * (1024 * 1024 + 1))
    before = snapshot(task1_x)
    with pytest.raises(ValidationError):
        assignments.assignment_report(assignment=task1_x, by=officer_x, text="ok", files=[big])
    assert snapshot(task1_x) == before


def report(assignment, officer):
    assignments.assignment_report(assignment=assignment, by=officer, text="Xong", files=[])
    assignment.refresh_from_db()
    return assignment


def test_clerk_accepts_a_report_and_the_unit_is_told(task1_x, officer_x, clerk):
    report(task1_x, officer_x)
    assignments.assignment_accept(assignment=task1_x, by=clerk, comment="Tốt")
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.ACCEPTED
    assert task1_x.reviewed_by == clerk
    note = Notification.objects.get(user=officer_x, kind="report_accepted")
    assert note.channel == Notification.Channel.IN_APP
    assert Event.objects.filter(verb="assignment_accepted", data__unit=officer_x.unit_id).exists()


def test_clerk_returns_a_report_with_a_comment_back_to_in_progress(task1_x, officer_x, clerk):
    report(task1_x, officer_x)
    with pytest.raises(ValidationError):
        assignments.assignment_return(assignment=task1_x, by=clerk, comment="")
    assignments.assignment_return(assignment=task1_x, by=clerk, comment="Thiếu số liệu")
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.IN_PROGRESS
    assert task1_x.review_comment == "Thiếu số liệu"
    # The unit can report again after a return.
    report(task1_x, officer_x)
    assert task1_x.status == Assignment.Status.DONE


def test_only_the_issuing_agencys_clerks_review(task1_x, officer_x):
    report(task1_x, officer_x)
    other_clerk = UserFactory(unit=UnitFactory(code="SYT"), roles=[roles.CLERK])
    before = snapshot(task1_x)
    for intruder in (other_clerk, officer_x):
        with pytest.raises(PermissionDeniedError):
            assignments.assignment_accept(assignment=task1_x, by=intruder)
        with pytest.raises(PermissionDeniedError):
            assignments.assignment_return(assignment=task1_x, by=intruder, comment="x")
    assert snapshot(task1_x) == before


def test_accept_needs_a_submitted_report(task1_x, clerk):
    with pytest.raises(TransitionError):
        assignments.assignment_accept(assignment=task1_x, by=clerk)


def test_extension_granted_changes_due_date_and_tells_the_unit(task1_x, officer_x, clerk):
    wanted = task1_x.due_date + datetime.timedelta(days=10)
    ext = extensions.extension_request_create(
        assignment=task1_x, by=officer_x, requested_date=wanted, reason="Chờ số liệu quý"
    )
    with pytest.raises(TransitionError):  # one pending request at a time
        extensions.extension_request_create(
            assignment=task1_x, by=officer_x, requested_date=wanted, reason="again"
        )
    extensions.extension_request_decide(extension=ext, by=clerk, grant=True, note="Đồng ý")
    task1_x.refresh_from_db()
    ext.refresh_from_db()
    assert task1_x.due_date == wanted
    assert ext.status == ExtensionRequest.Status.GRANTED and ext.new_date == wanted
    note = Notification.objects.get(user=officer_x, kind="extension_granted")
    assert wanted.strftime("%d/%m/%Y") in note.subject
    # E-mail rows for the unit's contact address land in the outbox as well.
    assert Notification.objects.filter(
        kind="extension_granted", channel=Notification.Channel.EMAIL, address="chupah@gialai.gov.vn"
    ).exists()
    with pytest.raises(TransitionError):
        extensions.extension_request_decide(extension=ext, by=clerk, grant=False)
    assert Event.objects.filter(verb="extension_granted").count() == 1


def test_extension_declined_keeps_due_date_and_tells_the_unit(task1_x, officer_x, clerk):
    due = task1_x.due_date
    ext = extensions.extension_request_create(
        assignment=task1_x,
        by=officer_x,
        requested_date=due + datetime.timedelta(days=3),
        reason="Bận",
    )
    extensions.extension_request_decide(extension=ext, by=clerk, grant=False, note="Không đủ lý do")
    task1_x.refresh_from_db()
    assert task1_x.due_date == due
    assert Notification.objects.filter(user=officer_x, kind="extension_declined").exists()


def test_extension_date_must_be_later(task1_x, officer_x):
    with pytest.raises(ValidationError):
        extensions.extension_request_create(
            assignment=task1_x, by=officer_x, requested_date=task1_x.due_date, reason="x"
        )


def test_extension_decision_refused_to_other_agency_clerk(task1_x, officer_x):
    ext = extensions.extension_request_create(
        assignment=task1_x,
        by=officer_x,
        requested_date=task1_x.due_date + datetime.timedelta(days=3),
        reason="x",
    )
    other = UserFactory(unit=UnitFactory(code="SYT"), roles=[roles.CLERK])
    with pytest.raises(PermissionDeniedError):
        extensions.extension_request_decide(extension=ext, by=other, grant=True)
    ext.refresh_from_db()
    assert ext.status == ExtensionRequest.Status.PENDING


def reminders_by_address() -> dict[str, int]:
    """How many "remind now" reminders each person (in the portal) or address (e-mail) got."""
    counts: dict[str, int] = {}
    for note in Notification.objects.filter(kind="reminder").select_related("user"):
        who = note.user.username if note.user_id else note.address
        counts[who] = counts.get(who, 0) + 1
    return counts


def test_remind_now_reminds_each_unit_once_a_day(
    directive, dispatch_x, acked_x, clerk, officer_x, officer_y, unit_y
):
    dispatch_y = directive.dispatches.get(unit=unit_y)
    ids = [dispatch_x.pk, dispatch_y.pk]
    monday = datetime.date(2025, 9, 8)
    first = assignments.dispatches_remind_now(
        directive=directive, dispatch_ids=ids, by=clerk, today=monday
    )
    assert first == assignments.RemindNowResult(reminded=2, already_today=0)
    # Unit X acknowledged: reminded of its two open tasks; unit Y: of the receipt. Each in the
    # portal for its officer and by e-mail to the unit's address.
    # Officer X's own address is the unit's, so it gets one copy; officer Y is Cc-ed.
    once = {
        "chupah": 2,
        "chupah@gialai.gov.vn": 2,
        "baogialai": 1,
        "baogl@gialai.gov.vn": 1,
        "baogialai@gialai.gov.vn": 1,
    }
    assert reminders_by_address() == once
    events = Event.objects.filter(verb="reminded").count()

    # The clerk presses again the same day: nothing new, and the result says why.
    again = assignments.dispatches_remind_now(
        directive=directive, dispatch_ids=ids, by=clerk, today=monday
    )
    assert again == assignments.RemindNowResult(reminded=0, already_today=2)
    assert reminders_by_address() == once
    assert Event.objects.filter(verb="reminded").count() == events

    # The next day the units are reminded again.
    tuesday = monday + datetime.timedelta(days=1)
    later = assignments.dispatches_remind_now(
        directive=directive, dispatch_ids=ids, by=clerk, today=tuesday
    )
    assert later == assignments.RemindNowResult(reminded=2, already_today=0)
    assert reminders_by_address() == {who: 2 * n for who, n in once.items()}
