"""Contract tests of the files through the API, per role: every file a person downloads in the
pages (the letter's signed PDF and attachments, an attachment's detached signature, an incoming
letter's scan, a report's files) is linked from the JSON and downloaded with the pages' headers
by those the pages let open it, and is a 404 for anyone else; the incoming book's XLSX and
print view keep the book's filters; the register's XLSX is the clerk's."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from directives.models import Assignment, Attachment, AttachmentSeal
from directives.services.distribution import assignment_hand_over, incoming_entry_assign
from directives.services.incoming import dispatch_accept
from directives.workdays import local_today
from recipients import roles
from tests.api.conftest import token_client
from tests.api.test_incoming import paper
from tests.directives.incoming.conftest import PDF_SCAN, with_files
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def downloaded(client, url: str, *, content_type: str, name: str) -> bytes:
    """The file as the pages serve it: a download under its own name, never cached or sniffed."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    return body(response)


@pytest.fixture
def stranger(db):
    return UserFactory(unit=UnitFactory(code="SYT"), roles=[roles.UNIT_OFFICER, roles.CLERK])


@pytest.fixture
def sealed_docx(letter) -> Attachment:
    """A non-PDF attachment that the agency sealed with a detached signature (.p7s)."""
    item = Attachment(
        directive=letter,
        name="danh-sach.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size=4,
        sha256=hashlib.sha256(b"PK..").hexdigest(),
    )
    item.file.save("danh-sach.docx", ContentFile(b"PK.."), save=True)
    seal = AttachmentSeal(
        attachment=item,
        kind=AttachmentSeal.Kind.CADES,
        name="danh-sach.docx.p7s",
        sha256="b" * 64,
        signed_at=timezone.now(),
    )
    seal.file.save("danh-sach.docx.p7s", ContentFile(b"0\x82p7s"), save=True)
    return item


def test_the_letters_pdf_and_attachments_are_linked_and_downloaded_by_its_recipients(
    issuer_clerk, press_officer, stranger, letter, sealed_docx
):
    attachment = with_files(letter)
    detail = token_client(press_officer).get(f"/api/v1/directives/{letter.pk}/").json()
    assert detail["pdf_url"] == f"/api/v1/directives/{letter.pk}/pdf/"
    links = {a["name"]: a for a in detail["attachments"]}
    assert links["phu-luc.pdf"]["url"] == f"/api/v1/attachments/{attachment.pk}/file/"
    assert links["phu-luc.pdf"]["signature_url"] is None
    assert links["danh-sach.docx"]["signature_url"] == (
        f"/api/v1/attachments/{sealed_docx.pk}/signature/"
    )
    for who in (press_officer, issuer_clerk):
        client = token_client(who)
        pdf = downloaded(
            client, detail["pdf_url"], content_type="application/pdf", name=letter.pdf_filename
        )
        assert pdf == PDF_SCAN
        got = downloaded(
            client, links["phu-luc.pdf"]["url"], content_type="application/pdf", name="phu-luc"
        )
        assert got == PDF_SCAN
        p7s = downloaded(
            client,
            links["danh-sach.docx"]["signature_url"],
            content_type="application/pkcs7-signature",
            name="danh-sach.docx.p7s",
        )
        assert p7s == b"0\x82p7s"
    # A download answers the `Accept` a program sends; its errors stay the API's JSON.
    asking = token_client(press_officer)
    pdf = asking.get(detail["pdf_url"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and body(pdf) == PDF_SCAN
    gone = asking.get("/api/v1/attachments/987654321/file/", HTTP_ACCEPT="application/pdf")
    assert gone.status_code == 404 and gone["Content-Type"] == "application/json"
    assert gone.json()["detail"]
    # A PDF attachment has no detached signature; another unit reaches none of the files.
    assert (
        token_client(press_officer)
        .get(f"/api/v1/attachments/{attachment.pk}/signature/")
        .status_code
        == 404
    )
    outsider = token_client(stranger)
    for url in (
        detail["pdf_url"],
        links["phu-luc.pdf"]["url"],
        links["danh-sach.docx"]["url"],
        links["danh-sach.docx"]["signature_url"],
    ):
        assert outsider.get(url).status_code == 404, url


def test_the_handler_inside_the_unit_opens_the_letters_files_once_handed_it(
    clerk, head, division, division_officer, letter, to_sttt
):
    attachment = with_files(letter)
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    handler = token_client(division_officer)
    file_url = f"/api/v1/attachments/{attachment.pk}/file/"
    pdf_url = f"/api/v1/directives/{letter.pk}/pdf/"
    assert handler.get(file_url).status_code == 404  # nothing handed to them yet
    assert handler.get(pdf_url).status_code == 404
    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    seen = handler.get(f"/api/v1/incoming/{entry.pk}/").json()
    assert seen["pdf_url"] == pdf_url and seen["scan_url"] is None
    assert [a["url"] for a in seen["attachments"]] == [file_url]
    assert downloaded(handler, file_url, content_type="application/pdf", name="phu-luc") == (
        PDF_SCAN
    )
    assert downloaded(handler, pdf_url, content_type="application/pdf", name="pdf") == PDF_SCAN


def test_an_incoming_letters_scan_is_the_books_keepers_and_its_handlers(
    clerk, head, division, division_officer, press_officer, sttt
):
    keeper = token_client(clerk)
    entry = keeper.post("/api/v1/incoming/", paper(), format="multipart").json()
    assert entry["scan_url"] == f"/api/v1/incoming/{entry['id']}/scan/"
    assert entry["pdf_url"] is None and entry["attachments"] == []
    scan = downloaded(keeper, entry["scan_url"], content_type="application/pdf", name="cv-1038")
    assert scan == PDF_SCAN
    handler = token_client(division_officer)
    assert handler.get(entry["scan_url"]).status_code == 404
    token_client(head).post(
        f"/api/v1/incoming/{entry['id']}/assign/", {"handler": f"unit:{division.pk}"}
    )
    assert downloaded(handler, entry["scan_url"], content_type="application/pdf", name="cv-1038")
    assert token_client(press_officer).get(entry["scan_url"]).status_code == 404
    # A letter of the portal has no scan: its PDF is the letter's.
    assert keeper.get("/api/v1/incoming/999999/scan/").status_code == 404


def test_a_reports_files_stay_inside_the_unit_until_the_head_approves(
    clerk, head, division, division_officer, issuer_clerk, press_officer, to_sttt
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    task = Assignment.objects.get(dispatch=to_sttt)
    assignment_hand_over(assignment=task, by=head, handler_unit=division)
    handler, as_head, issuer = (
        token_client(division_officer),
        token_client(head),
        token_client(issuer_clerk),
    )
    url = f"/api/v1/unit-tasks/{task.pk}/"
    handler.post(url + "start/")
    reported = handler.post(
        url + "report/",
        {
            "text": "Đã đăng tin.",
            "files": [SimpleUploadedFile("bc.pdf", PDF_SCAN, "application/pdf")],
        },
        format="multipart",
    ).json()
    [sent] = reported["files"]
    assert sent["name"] == "bc.pdf" and sent["url"] == f"/api/v1/report-files/{sent['id']}/file/"
    for who in (handler, as_head):
        assert downloaded(who, sent["url"], content_type="application/pdf", name="bc.pdf") == (
            PDF_SCAN
        )
    # The issuer neither sees nor opens it while it waits for the head.
    assert issuer.get(f"/api/v1/reviews/{task.pk}/").json()["files"] == []
    assert issuer.get(sent["url"]).status_code == 404
    as_head.post(url + "approve/")
    review = issuer.get(f"/api/v1/reviews/{task.pk}/").json()
    assert [f["url"] for f in review["files"]] == [sent["url"]]
    assert downloaded(issuer, sent["url"], content_type="application/pdf", name="bc.pdf")
    assert token_client(press_officer).get(sent["url"]).status_code == 404


def test_the_incoming_books_xlsx_and_print_keep_the_books_filters(
    clerk, press_officer, sttt, to_sttt, letter
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    keeper = token_client(clerk)
    keeper.post("/api/v1/incoming/", paper(), format="multipart")
    year = local_today().year
    response = keeper.get("/api/v1/incoming/xlsx/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f"so-van-ban-den-{sttt.code}-{year}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] is not None]
    assert [r[0] for r in rows] == [1, 2]  # arrival numbers, as the book lists them
    assert "Bộ Thông tin và Truyền thông" in rows[1][2]
    # The same filters as the book's list: a search, another year, a date that is not one.
    searched = keeper.get("/api/v1/incoming/xlsx/", {"q": "bo thong tin"})
    found = list(load_workbook(io.BytesIO(searched.content)).active.iter_rows(min_row=3))
    assert [row[0].value for row in found] == [2]
    last_year = keeper.get("/api/v1/incoming/xlsx/", {"year": year - 1})
    assert f"-{year - 1}.xlsx" in last_year["Content-Disposition"]
    assert load_workbook(io.BytesIO(last_year.content)).active.max_row == 2  # the headers only
    assert keeper.get("/api/v1/incoming/xlsx/", {"date_from": "x"}).status_code == 400
    printed = keeper.get("/api/v1/incoming/print/", {"q": "bo thong tin"})
    assert printed.status_code == 200 and printed["Content-Type"].startswith("text/html")
    html = printed.content.decode()
    assert "Hướng dẫn tuyên truyền" in html and letter.subject not in html
    # Another unit's book is a 404; someone who keeps no book gets a 403.
    outsider = token_client(press_officer)
    for url in ("/api/v1/incoming/xlsx/", "/api/v1/incoming/print/"):
        assert outsider.get(url, {"unit": sttt.pk}).status_code == 404
        drafter = UserFactory(unit=UnitFactory(), roles=[roles.DRAFTER])
        assert token_client(drafter).get(url).status_code == 403


def test_the_registers_xlsx_is_the_clerks(issuer_clerk, press_officer, letter):
    clerk = token_client(issuer_clerk)
    year = letter.issued_on.year if letter.issued_on else local_today().year
    response = clerk.get("/api/v1/register/xlsx/", {"year": year})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f"so-van-ban-di-{year}.xlsx" in response["Content-Disposition"]
    cells = [
        str(c) for row in load_workbook(io.BytesIO(response.content)).active.values for c in row
    ]
    assert any(letter.subject in c for c in cells)
    normative = clerk.get("/api/v1/register/xlsx/", {"year": year, "register": "normative"})
    assert f"so-van-ban-qppl-{year}.xlsx" in normative["Content-Disposition"]
    # A value that is not one is no filter (as on the page); another role is refused.
    assert clerk.get("/api/v1/register/xlsx/", {"year": "²"}).status_code == 200
    assert token_client(press_officer).get("/api/v1/register/xlsx/").status_code == 403
    old = clerk.get("/api/v1/register/xlsx/", {"year": 1999})
    old_cells = [
        str(c) for row in load_workbook(io.BytesIO(old.content)).active.values for c in row
    ]
    assert not any(letter.subject in c for c in old_cells)


def test_the_matrixs_xlsx_and_csv_are_the_issuers_clerks(
    issuer_clerk, clerk, press_officer, letter, to_sttt, sttt, press
):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    issuer = token_client(issuer_clerk)
    url = f"/api/v1/directives/{letter.pk}/matrix/"
    sheet = issuer.get(url + "xlsx/")
    assert sheet.status_code == 200 and sheet["Content-Type"] == XLSX
    name = "theo-doi-" + letter.number_symbol.replace("/", "-")
    assert f"{name}.xlsx" in sheet["Content-Disposition"]
    text = " ".join(
        str(c) for row in load_workbook(io.BytesIO(sheet.content)).active.values for c in row
    )
    assert sttt.name in text and press.name in text
    table = issuer.get(url + "csv/")
    assert table.status_code == 200 and table["Content-Type"].startswith("text/csv")
    assert f"{name}.csv" in table["Content-Disposition"]
    lines = table.content.decode("utf-8-sig").strip().splitlines()
    assert any(sttt.name in line for line in lines) and any(press.name in line for line in lines)
    # The page's filters: no unit is late yet.
    late = issuer.get(url + "csv/", {"late": "1"}).content.decode("utf-8-sig")
    assert sttt.name not in late and press.name not in late
    # A receiving unit, and another agency's clerk, do not track it.
    for who in (press_officer, clerk):
        assert token_client(who).get(url + "xlsx/").status_code == 404
        assert token_client(who).get(url + "csv/").status_code == 404
