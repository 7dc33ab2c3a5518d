"""The unit officer's inbox and directive page, through the browser's HTTP."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from directives.models import Assignment, Directive, Dispatch, Event, ReportFile, Urgency
from directives.selectors.inbox import with_task_figures
from recipients import roles
from tests.directives.workspace.data import PDF_BYTES, make_issued
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    return [d.directive.number_symbol for d in response.context["page"].object_list]


def test_inbox_lists_only_my_units_dispatches_unacknowledged_and_urgent_first(
    client, officer_x, unit_x, unit_y, agency
):
    acked = make_issued(units=[unit_x], number=1, issuing_unit=agency)
    plain = make_issued(units=[unit_x], number=2, issuing_unit=agency)
    urgent = make_issued(units=[unit_x], number=3, issuing_unit=agency, urgency=Urgency.FLASH)
    make_issued(units=[unit_y], number=4, issuing_unit=agency)  # not mine
    Dispatch.objects.filter(directive=acked).update(acknowledged_at=timezone.now())
    # A newer acknowledged one still sorts after the unacknowledged.
    Directive.objects.filter(pk=acked.pk).update(issued_at=timezone.now())
    client.force_login(officer_x)
    response = client.get(reverse("directives:inbox"))
    assert response.status_code == 200
    assert rows(response) == [
        urgent.number_symbol,
        plain.number_symbol,
        acked.number_symbol,
    ]


def test_inbox_filters_and_accent_insensitive_search(client, officer_x, unit_x, agency):
    late = make_issued(
        units=[unit_x],
        number=7,
        issuing_unit=agency,
        subject="báo cáo tình hình Chư Păh",
        deadline=timezone.localdate() - datetime.timedelta(days=30),
    )
    soon = make_issued(
        units=[unit_x],
        number=8,
        issuing_unit=agency,
        deadline=timezone.localdate() + datetime.timedelta(days=3),
    )
    other_issuer = make_issued(units=[unit_x], number=9, issuing_unit=UnitFactory(code="SYT"))
    Dispatch.objects.filter(directive=soon).update(acknowledged_at=timezone.now())
    client.force_login(officer_x)
    url = reverse("directives:inbox")
    assert rows(client.get(url, {"due": "overdue"})) == [late.number_symbol]
    assert rows(client.get(url, {"due": "soon"})) == [soon.number_symbol]
    assert rows(client.get(url, {"acknowledged": "yes"})) == [soon.number_symbol]
    assert rows(client.get(url, {"q": "chu pah"})) == [late.number_symbol]
    assert rows(client.get(url, {"q": "08/"})) == [soon.number_symbol]
    issuer = other_issuer.issuing_unit_id
    assert rows(client.get(url, {"issuer": issuer})) == [other_issuer.number_symbol]


def test_inbox_requires_a_role_that_receives(client, clerk, agency, directive):
    """A drafter has no inbox; a clerk keeps the agency's incoming book, so their inbox lists
    the letters sent to the agency, never those the agency sent to others."""
    drafter = UserFactory(unit=agency, roles=[roles.DRAFTER])
    client.force_login(drafter)
    assert client.get(reverse("directives:inbox")).status_code == 403
    client.force_login(clerk)
    response = client.get(reverse("directives:inbox"))
    assert response.status_code == 200
    assert 'data-testid="inbox-row"' not in response.content.decode()


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_inbox_runs_the_same_number_of_queries_for_10_and_300_rows(client, officer_x, agency):
    client.force_login(officer_x)
    url = reverse("directives:inbox")
    for i in range(10):
        make_issued(units=[officer_x.unit], number=i + 1, issuing_unit=agency, tasks=1)
    few = query_count(client, url)
    for i in range(10, 300):
        make_issued(units=[officer_x.unit], number=i + 1, issuing_unit=agency, tasks=1)
    assert query_count(client, url) == few
    assert query_count(client, url + "?page=3&q=thong+tin") == query_count(
        client, url + "?page=3&q=thong+tin"
    )


def test_first_view_records_seen_once(client, officer_x, dispatch_x):
    client.force_login(officer_x)
    url = reverse("directives:inbox_detail", args=[dispatch_x.pk])
    response = client.get(url)
    assert response.status_code == 200
    dispatch_x.refresh_from_db()
    first = dispatch_x.seen_at
    assert first is not None and dispatch_x.seen_by == officer_x
    client.get(url)
    dispatch_x.refresh_from_db()
    assert dispatch_x.seen_at == first
    assert Event.objects.filter(verb="seen").count() == 1


def test_directive_page_embeds_the_pdf_and_lists_my_tasks(client, officer_x, dispatch_x):
    directive = dispatch_x.directive
    directive.pdf.save("x.pdf", __import__("io").BytesIO(PDF_BYTES), save=True)
    client.force_login(officer_x)
    response = client.get(reverse("directives:inbox_detail", args=[dispatch_x.pk]))
    html = response.content.decode()
    pdf_url = reverse("directives:pdf", args=[directive.pk])
    assert f'src="{pdf_url}?inline=1"' in html
    assert 'data-testid="task-1"' in html and 'data-testid="task-2"' in html
    assert 'data-testid="acknowledge"' in html


def test_acknowledge_button_records_who_and_from_where(client, officer_x, dispatch_x):
    client.force_login(officer_x)
    url = reverse("directives:inbox_acknowledge", args=[dispatch_x.pk])
    response = client.post(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    dispatch_x.refresh_from_db()
    assert dispatch_x.acknowledged_by == officer_x
    assert dispatch_x.acknowledged_ip == "10.1.2.3"
    assert client.get(url).status_code == 405


def test_behind_the_proxy_the_event_records_the_clients_address(
    client, settings, officer_x, dispatch_x
):
    """nginx (TRUSTED_PROXY_COUNT=1) connects from 127.0.0.1 and appends the client's address;
    what the client wrote into X-Forwarded-For itself is not believed."""
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(officer_x)
    url = reverse("directives:inbox_acknowledge", args=[dispatch_x.pk])
    response = client.post(
        url, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66, 10.1.2.3"
    )
    assert response.status_code == 302
    dispatch_x.refresh_from_db()
    assert dispatch_x.acknowledged_ip == "10.1.2.3"
    event = Event.objects.filter(directive=dispatch_x.directive).latest("pk")
    assert event.ip == "10.1.2.3"


def test_report_through_the_page_with_a_file(client, officer_x, task1_x):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer_x)
    url = reverse("directives:assignment_report", args=[task1_x.pk])
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("bao-cao.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(url, {"text": "Đã triển khai", "files": [upload]})
    assert response.status_code == 302
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.DONE
    item = ReportFile.objects.get(assignment=task1_x)
    download = client.get(reverse("directives:report_file", args=[item.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_refused_upload_shows_a_clear_message(client, officer_x, task1_x):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer_x)
    url = reverse("directives:assignment_report", args=[task1_x.pk])
    exe = SimpleUploadedFile("bao-cao.pdf", b"MZ" + b"\x00" * 100)
    response = client.post(url, {"text": "x", "files": [exe]})
    assert response.status_code == 200
    assert "bao-cao.pdf" in response.content.decode()
    task1_x.refresh_from_db()
    assert task1_x.status == Assignment.Status.PENDING


def test_extension_request_through_the_page(client, officer_x, task1_x):
    client.force_login(officer_x)
    url = reverse("directives:assignment_extension", args=[task1_x.pk])
    wanted = task1_x.due_date + datetime.timedelta(days=7)
    response = client.post(url, {"requested_date": wanted.isoformat(), "reason": "Chờ số liệu"})
    assert response.status_code == 302
    assert task1_x.extensions.get().requested_date == wanted


def test_each_inbox_row_counts_its_tasks_as_the_deadline_filter_does(
    client, officer_x, unit_x, agency
):
    """The page's figures (worked out in Python for its rows) and the deadline filter's
    (worked out by the database, with_task_figures) say the same for every kind of letter."""
    today = timezone.localdate()
    late = make_issued(
        units=[unit_x], issuing_unit=agency, tasks=3, deadline=today - datetime.timedelta(days=30)
    )
    mixed = make_issued(units=[unit_x], issuing_unit=agency, tasks=3)
    make_issued(units=[unit_x], issuing_unit=agency, tasks=0)
    make_issued(
        units=[unit_x], issuing_unit=agency, tasks=2, deadline=today - datetime.timedelta(days=9)
    )
    first_late, *_ = Assignment.objects.filter(task__directive=late).order_by("pk")
    first_late.status = Assignment.Status.DONE
    first_late.save(update_fields=["status"])
    mixed_tasks = list(Assignment.objects.filter(task__directive=mixed).order_by("pk"))
    mixed_tasks[0].due_date = today + datetime.timedelta(days=2)
    mixed_tasks[1].due_date = None
    mixed_tasks[2].status = Assignment.Status.ACCEPTED
    Assignment.objects.bulk_update(mixed_tasks, ["due_date", "status"])
    client.force_login(officer_x)

    listed = client.get(reverse("directives:inbox")).context["page"].object_list

    names = ("next_due", "open_count", "task_count", "overdue_count")
    shown = {row.pk: tuple(getattr(row, name) for name in names) for row in listed}
    counted = {
        d.pk: tuple(getattr(d, name) for name in names)
        for d in with_task_figures(Dispatch.objects.filter(unit=unit_x))
    }
    assert shown == counted
    assert len(shown) == 4
    assert shown[Dispatch.objects.get(directive=late).pk][1:] == (2, 3, 2)
    assert shown[Dispatch.objects.get(directive=mixed).pk] == (
        today + datetime.timedelta(days=2),
        2,
        3,
        0,
    )
