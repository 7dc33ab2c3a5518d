"""The clerk's safe buttons on the tracking page: "remind now" asks first and reaches only the
units chosen (ticked, late, not acknowledged, all); several reports are accepted at once, a report
no longer waiting being skipped with a message."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directives.models import Assignment, Dispatch, Event, Notification
from directives.services import assignments

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def reminded_units() -> set[str]:
    return set(
        Notification.objects.filter(kind="reminder", channel="in_app").values_list(
            "unit__code", flat=True
        )
    )


@pytest.fixture
def late_y(directive, unit_y, officer_y) -> Dispatch:
    """Báo Gia Lai acknowledged, and its task 2 is thirty days late; Chư Păh has not
    acknowledged."""
    dispatch = Dispatch.objects.get(directive=directive, unit=unit_y)
    dispatch.acknowledged_at = timezone.now()
    dispatch.acknowledged_by = officer_y
    dispatch.save()
    Assignment.objects.filter(dispatch=dispatch, task__position=2).update(
        due_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    return dispatch


def test_remind_now_asks_first_with_the_number_of_units_and_sends_nothing(
    client, clerk, directive, dispatch_x, officer_x, late_y
):
    client.force_login(clerk)
    url = reverse("directives:matrix_remind", args=[directive.pk])

    asked = client.post(url, {"scope": "all"})

    assert asked.status_code == 200
    assert "Gửi nhắc việc ngay đến 2 đơn vị?" in asked.content.decode()
    assert 'name="confirm" value="1"' in asked.content.decode()
    assert 'name="scope" value="all"' in asked.content.decode()
    assert not Notification.objects.filter(kind="reminder").exists()
    assert not Event.objects.filter(verb="reminded").exists()

    done = client.post(url, {"scope": "all", "confirm": "1"}, follow=True)
    assert messages_of(done) == ["Đã gửi nhắc việc đến 2 đơn vị."]
    assert reminded_units() == {"CHUPAH", "BAOGL"}


def test_remind_only_the_late_units(client, clerk, directive, dispatch_x, officer_x, late_y):
    client.force_login(clerk)
    url = reverse("directives:matrix_remind", args=[directive.pk])
    assert "đến 1 đơn vị?" in client.post(url, {"scope": "late"}).content.decode()

    client.post(url, {"scope": "late", "confirm": "1"})

    assert reminded_units() == {"BAOGL"}
    # About its late task only, not its task 1 that is not due yet.
    subjects = set(
        Notification.objects.filter(kind="reminder", channel="in_app").values_list(
            "subject", flat=True
        )
    )
    assert len(subjects) == 1 and "nhiệm vụ 2" in subjects.pop()


def test_remind_only_the_units_that_have_not_acknowledged(
    client, clerk, directive, dispatch_x, officer_x, late_y
):
    client.force_login(clerk)
    url = reverse("directives:matrix_remind", args=[directive.pk])
    client.post(url, {"scope": "unacknowledged", "confirm": "1"})
    assert reminded_units() == {"CHUPAH"}
    assert Notification.objects.filter(kind="reminder", user=officer_x).exists()


def test_remind_with_nothing_to_remind_says_so_without_asking(client, clerk, directive, acked_x):
    client.force_login(clerk)
    url = reverse("directives:matrix_remind", args=[directive.pk])
    Dispatch.objects.filter(directive=directive).update(acknowledged_at=timezone.now())
    response = client.post(url, {"scope": "late"}, follow=True)
    assert messages_of(response) == [
        "Không có gì để nhắc: các đơn vị này đều đã thực hiện đúng tiến độ."
    ]
    assert not Notification.objects.filter(kind="reminder").exists()


def test_remind_an_unknown_choice_is_a_message_not_an_error(client, clerk, directive):
    client.force_login(clerk)
    url = reverse("directives:matrix_remind", args=[directive.pk])
    response = client.post(url, {"scope": "everyone'; --", "confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert messages_of(response) == ["Hãy chọn những đơn vị cần nhắc."]
    assert not Notification.objects.filter(kind="reminder").exists()


@pytest.fixture
def two_reports(directive, task1_x, officer_x, late_y, officer_y) -> list[Assignment]:
    """Chư Păh and Báo Gia Lai both reported task 1 (Chư Păh acknowledged for the occasion)."""
    task1_y = Assignment.objects.get(dispatch=late_y, task__position=1)
    assignments.assignment_report(assignment=task1_x, by=officer_x, text="Đã triển khai")
    assignments.assignment_report(assignment=task1_y, by=officer_y, text="Đã đăng tin")
    return [task1_x, task1_y]


def test_the_tracking_page_lists_the_reports_waiting_with_a_checkbox_each(
    client, clerk, directive, two_reports
):
    client.force_login(clerk)
    html = client.get(reverse("directives:matrix", args=[directive.pk])).content.decode()
    for report in two_reports:
        assert f'name="assignment" value="{report.pk}"' in html
    assert 'data-testid="accept-reports"' in html


def test_the_clerk_accepts_several_reports_at_once(client, clerk, directive, two_reports):
    client.force_login(clerk)
    response = client.post(
        reverse("directives:matrix_accept_reports", args=[directive.pk]),
        {"assignment": [r.pk for r in two_reports], "comment": "Tốt"},
        follow=True,
    )
    assert messages_of(response) == ["Đã chấp nhận 2 báo cáo."]
    for report in two_reports:
        report.refresh_from_db()
        assert report.status == Assignment.Status.ACCEPTED
        assert report.review_comment == "Tốt"
    # Each report is accepted as on its own page: its event and its notice to the unit.
    assert Event.objects.filter(verb="assignment_accepted").count() == 2
    assert Notification.objects.filter(kind="report_accepted", channel="in_app").count() == 2


def test_a_report_already_accepted_or_returned_is_skipped_with_a_message(
    client, clerk, directive, two_reports, officer_x, unit_y
):
    accepted_x, returned_y = two_reports
    assignments.assignment_accept(assignment=accepted_x, by=clerk)
    assignments.assignment_return(assignment=returned_y, by=clerk, comment="Bổ sung số liệu")
    before = Event.objects.count()
    client.force_login(clerk)

    response = client.post(
        reverse("directives:matrix_accept_reports", args=[directive.pk]),
        {"assignment": [accepted_x.pk, returned_y.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert sorted(messages_of(response)) == [
        "Báo Gia Lai, nhiệm vụ 1: không chấp nhận (đã trả lại đơn vị, đang chờ báo cáo mới).",
        "UBND huyện Chư Păh, nhiệm vụ 1: không chấp nhận (đã chấp nhận trước đó).",
    ]
    returned_y.refresh_from_db()
    assert returned_y.status == Assignment.Status.IN_PROGRESS
    assert Event.objects.count() == before


def test_another_agencys_report_is_not_accepted_through_this_directive(
    client, clerk, directive, two_reports, agency
):
    from tests.directives.workspace.data import make_issued

    other = make_issued(units=[two_reports[0].unit], issuing_unit=agency, number=1040)
    client.force_login(clerk)
    client.post(
        reverse("directives:matrix_accept_reports", args=[other.pk]),
        {"assignment": [two_reports[0].pk]},
    )
    two_reports[0].refresh_from_db()
    assert two_reports[0].status == Assignment.Status.DONE
