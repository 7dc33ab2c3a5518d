"""The distribution pages as the Sở's head and its division's officer use them: the desk lists
the letter to assign, the head assigns it, the officer reports, the head approves; bad input is
a clear message and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from directives.models import Assignment
from directives.services.incoming import dispatch_accept
from directives.workdays import local_today

pytestmark = pytest.mark.django_db


def test_the_head_assigns_the_handler_reports_the_head_approves(
    client, clerk, head, division, division_officer, to_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    client.force_login(head)
    desk = client.get(reverse("directives:distribution"))
    assert desk.status_code == 200 and to_sttt.directive.subject in desk.content.decode()
    url = reverse("directives:distribution_entry_assign", args=[entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"handler": f"unit:{division.pk}", "due_date": local_today().isoformat(), "note": ""}
    )
    assert response.status_code == 302
    task = Assignment.objects.get(dispatch=to_sttt)
    assert task.handler_unit == division

    client.force_login(division_officer)
    page = client.get(reverse("directives:distribution_task", args=[task.pk]))
    assert page.status_code == 200 and 'data-testid="handler-report-form"' in page.content.decode()
    client.post(reverse("directives:distribution_report", args=[task.pk]), {"text": "Đã xong."})
    task.refresh_from_db()
    assert task.head_review == "waiting"

    client.force_login(head)
    client.post(reverse("directives:distribution_approve", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == Assignment.Status.DONE and task.report_text == "Đã xong."


def test_a_late_deadline_or_a_strangers_choice_is_a_message_not_a_change(
    client, clerk, head, division, to_sttt, press_officer
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    client.force_login(head)
    url = reverse("directives:distribution_entry_assign", args=[entry.pk])
    late = (local_today() + datetime.timedelta(days=400)).isoformat()
    response = client.post(url, {"handler": f"unit:{division.pk}", "due_date": late})
    assert response.status_code == 400
    assert "không được sau hạn của cơ quan ban hành" in response.content.decode()
    response = client.post(url, {"handler": f"user:{press_officer.pk}", "due_date": "x"})
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.handler_unit is None and entry.handler_user is None
    assert Assignment.objects.get(dispatch=to_sttt).handler_unit is None


def test_a_report_without_text_is_refused_with_a_message(
    client, clerk, head, division, division_officer, to_sttt
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    task = Assignment.objects.get(dispatch=to_sttt)
    task.handler_unit = division
    task.save(update_fields=["handler_unit"])
    client.force_login(division_officer)
    response = client.post(
        reverse("directives:distribution_report", args=[task.pk]), {"text": " "}, follow=True
    )
    assert "Hãy viết báo cáo gửi thủ trưởng đơn vị." in response.content.decode()
    task.refresh_from_db()
    assert task.head_review == "" and task.handler_report == ""
