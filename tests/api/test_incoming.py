"""Contract tests of the incoming book through the API, per role: the book keeper's list (the
page's filters, pagination) and entries, a letter entered from paper with its scan (the page's
checks), the head's assignment inside the unit, the handler's start and "handled" and the
head's review; another unit's entry is a 404, a move the role or the state forbids a 403 / 409.
And the issuer's tracking matrix as JSON."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Assignment, Dispatch, Event, IncomingEntry
from directives.services.distribution import incoming_entry_assign
from directives.services.incoming import dispatch_accept
from directives.workdays import local_today
from recipients import roles
from tests.api.conftest import token_client
from tests.directives.incoming.conftest import PDF_SCAN
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

BOOK = "/api/v1/incoming/"


def paper(**fields) -> dict:
    body = {
        "source": "paper",
        "issuer_name": "Bộ Thông tin và Truyền thông",
        "number": "1038",
        "symbol": "BTTTT-TTCS",
        "letter_date": (local_today() - datetime.timedelta(days=2)).isoformat(),
        "doc_type": "CV",
        "subject": "Hướng dẫn tuyên truyền Bộ Quy tắc ứng xử",
        "scan": SimpleUploadedFile("cv-1038.pdf", PDF_SCAN, content_type="application/pdf"),
    }
    return body | fields


def test_the_clerk_enters_a_paper_letter_and_reads_it_in_the_book(clerk, sttt, to_sttt):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    client = token_client(clerk)
    made = client.post(BOOK, paper(), format="multipart")
    assert made.status_code == 201, made.json()
    entry = made.json()
    assert (entry["unit"], entry["source"], entry["arrival_number"]) == (sttt.pk, "paper", 2)
    assert entry["number_symbol"] == "1038/BTTTT-TTCS" and entry["has_scan"] is True
    assert Event.objects.filter(incoming_entry_id=entry["id"], verb="incoming_entered").exists()

    book = client.get(BOOK).json()
    assert book["count"] == 2 and {"next", "previous"} <= set(book)
    assert [line["arrival_number"] for line in book["results"]] == [1, 2]
    assert book["results"][1]["notes"] == "On paper"  # the book's column, in the language asked
    # The page's filters: search without accents, the year's book, an arrival date range.
    assert [r["id"] for r in client.get(BOOK, {"q": "bo thong tin"}).json()["results"]] == [
        entry["id"]
    ]
    assert client.get(BOOK, {"year": local_today().year - 1}).json()["count"] == 0
    tomorrow = (local_today() + datetime.timedelta(days=1)).isoformat()
    assert client.get(BOOK, {"date_from": tomorrow}).json()["count"] == 0
    assert client.get(BOOK, {"date_from": "not a date"}).status_code == 400
    detail = client.get(f"{BOOK}{entry['id']}/")
    assert detail.status_code == 200 and detail.json()["subject"].startswith("Hướng dẫn")


def test_a_paper_letter_is_checked_as_the_page_checks_it(clerk, sttt):
    client = token_client(clerk)
    fake = SimpleUploadedFile("cv.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = client.post(BOOK, paper(scan=fake), format="multipart")
    assert refused.status_code == 400 and refused.json()["detail"]
    missing = client.post(BOOK, paper(issuer_name="", subject=""), format="multipart")
    assert missing.status_code == 400 and {"issuer_name", "subject"} <= set(missing.json())
    future = (local_today() + datetime.timedelta(days=3)).isoformat()
    late = client.post(BOOK, paper(letter_date=future), format="multipart")
    assert late.status_code == 400 and "future" in late.json()["detail"]
    assert not IncomingEntry.objects.exists()


def test_the_same_letter_twice_is_a_409_until_confirmed(clerk, sttt):
    client = token_client(clerk, language="vi")
    first = client.post(BOOK, paper(), format="multipart").json()
    again = client.post(BOOK, paper(), format="multipart")
    assert again.status_code == 409
    assert again.json()["duplicates"] == [first["id"]]
    assert "số đến" in again.json()["detail"]  # in the language asked for
    confirmed = client.post(BOOK, paper(confirm_duplicate="true"), format="multipart")
    assert confirmed.status_code == 201 and confirmed.json()["arrival_number"] == 2


def test_another_units_book_and_entries_are_a_404(clerk, sttt, press, press_officer, to_sttt):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    outsider = token_client(press_officer)
    assert outsider.get(f"{BOOK}{entry.pk}/").status_code == 404
    assert outsider.get(BOOK, {"unit": sttt.pk}).status_code == 404
    assert outsider.post(f"{BOOK}{entry.pk}/assign/", {"handler": "x"}).status_code == 404
    assert outsider.post(f"{BOOK}{entry.pk}/start/").status_code == 404
    assert outsider.post(BOOK, paper(unit=sttt.pk), format="multipart").status_code == 404
    assert outsider.get(BOOK).json()["count"] == 0  # their own book, empty
    nobody = UserFactory(unit=UnitFactory(), roles=[roles.DRAFTER])
    assert token_client(nobody).get(BOOK).status_code == 403


def test_the_head_assigns_a_letter_inside_the_unit(
    clerk, head, division, division_officer, to_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    as_head = token_client(head)
    detail = as_head.get(f"{BOOK}{entry.pk}/").json()
    assert detail["moves"]["assign"] is True
    handlers = as_head.get(f"{BOOK}{entry.pk}/handlers/").json()
    assert {"value": f"unit:{division.pk}", "label": division.name} in handlers
    assert as_head.post(f"{BOOK}{entry.pk}/assign/", {"handler": "unit:999999"}).json() == {
        "handler": ["Choose one division or one officer to handle it."]
    }
    past = (local_today() - datetime.timedelta(days=1)).isoformat()
    refused = as_head.post(
        f"{BOOK}{entry.pk}/assign/", {"handler": f"unit:{division.pk}", "due_date": past}
    )
    assert refused.status_code == 400 and "past" in refused.json()["detail"]
    due = (local_today() + datetime.timedelta(days=5)).isoformat()
    done = as_head.post(
        f"{BOOK}{entry.pk}/assign/",
        {"handler": f"unit:{division.pk}", "due_date": due, "note": "Tham mưu"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["handler_unit"], done.json()["handler_due_date"]) == (division.pk, due)
    # The clerk keeps the book but is not its head: the head's page is a 404 for them.
    assert token_client(clerk).post(f"{BOOK}{entry.pk}/assign/", {"handler": "x"}).status_code == (
        404
    )


def test_a_letter_with_no_task_is_handled_then_reviewed(
    clerk, head, division, division_officer, sttt, chupah
):
    letter = make_issued(units=[sttt], issuing_unit=chupah, tasks=0)
    entry = dispatch_accept(dispatch=Dispatch.objects.get(directive=letter), by=clerk)
    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    handler, as_head = token_client(division_officer), token_client(head)
    url = f"{BOOK}{entry.pk}/"
    assert handler.get(url).json()["moves"]["start"] is True
    assert handler.post(url + "start/").status_code == 200
    assert handler.post(url + "start/").status_code == 403  # once
    assert set(handler.post(url + "handled/", {"text": ""}).json()) == {"text"}
    sent = handler.post(url + "handled/", {"text": "Đã phổ biến tới các phòng"})
    assert sent.status_code == 200 and sent.json()["head_review"] == "waiting"
    assert handler.post(url + "approve/").status_code == 403  # the head's move
    back = as_head.post(url + "return/", {"reason": "Bổ sung danh sách"})
    assert back.status_code == 200 and back.json()["head_comment"] == "Bổ sung danh sách"
    handler.post(url + "handled/", {"text": "Đã bổ sung"})
    approved = as_head.post(url + "approve/")
    assert approved.status_code == 200 and approved.json()["handled_at"]
    assert as_head.get(url).json()["moves"] == {
        "assign": False,
        "start": False,
        "mark_handled": False,
        "head_approve": False,
        "head_return": False,
    }
    # A stranger to the letter (another unit's officer) finds nothing.
    stranger = UserFactory(unit=UnitFactory(), roles=[roles.UNIT_OFFICER])
    assert token_client(stranger).post(url + "handled/", {"text": "x"}).status_code == 404


def test_the_issuers_clerk_reads_the_matrix_a_page_of_units_at_a_time(
    issuer_clerk, clerk, press_officer, letter, to_sttt, sttt, press
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    url = f"/api/v1/directives/{letter.pk}/matrix/"
    body = token_client(issuer_clerk).get(url).json()
    assert (body["count"], body["total"], len(body["results"])) == (2, 2, 2)
    assert [t["position"] for t in body["tasks"]] == [1]
    rows = {row["unit"]: row for row in body["results"]}
    assert rows[sttt.pk]["receiving"]["code"] == "03"
    assert rows[press.pk]["receiving"]["code"] == "01"
    assert len(rows[sttt.pk]["cells"]) == 1 and rows[sttt.pk]["cells"][0]["assignment"]
    assert body["summary"][0].startswith("Acknowledged")
    assert token_client(issuer_clerk).get(url, {"late": "1"}).json()["count"] == 0
    assert token_client(issuer_clerk).get(url, {"page": 9}).status_code == 404
    # A receiving unit, and another agency's clerk, do not track it.
    assert token_client(press_officer).get(url).status_code == 404
    assert token_client(clerk).get(url).status_code == 404


def test_a_task_is_handed_over_reported_to_the_head_and_approved(
    clerk, head, division, division_officer, press_officer, to_sttt
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    task_id = Assignment.objects.get(dispatch=to_sttt).pk
    url = f"/api/v1/unit-tasks/{task_id}/"
    as_head, handler = token_client(head), token_client(division_officer)
    assert as_head.get(url).json()["moves"]["hand_over"] is True
    assert {"value": f"unit:{division.pk}", "label": division.name} in as_head.get(
        url + "handlers/"
    ).json()
    assert handler.post(url + "assign/", {"handler": f"unit:{division.pk}"}).status_code == 404
    handed = as_head.post(url + "assign/", {"handler": f"unit:{division.pk}"})
    assert handed.status_code == 200 and handed.json()["handler_unit"] == division.pk
    assert handler.post(url + "start/").status_code == 200
    report = handler.post(
        url + "report/",
        {
            "text": "Đã đăng 12 tin bài.",
            "files": [SimpleUploadedFile("bao-cao.pdf", PDF_SCAN, "application/pdf")],
        },
        format="multipart",
    )
    assert report.status_code == 200 and report.json()["head_review"] == "waiting"
    assert report.json()["report_text"] == ""  # not the issuer's yet
    assert handler.post(url + "approve/").status_code == 403
    assert set(as_head.post(url + "return/", {"reason": ""}).json()) == {"reason"}
    approved = as_head.post(url + "approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "done"
    assert approved.json()["report_text"] == "Đã đăng 12 tin bài."
    assert as_head.post(url + "approve/").status_code == 403  # nothing waits any more
    assert token_client(press_officer).get(url).status_code == 404
    assert [t["id"] for t in handler.get("/api/v1/unit-tasks/").json()["results"]] == [task_id]
