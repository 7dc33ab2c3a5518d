"""The receiving unit's pages: accept and refuse on the letter page, the book with its filters,
print and XLSX, the outside entry with its duplicate warning; another unit's book is a 404."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from directives.models import IncomingEntry
from directives.services.incoming import dispatch_accept
from directives.services.outside import outside_letter_enter
from tests.directives.incoming.conftest import PDF_SCAN

pytestmark = pytest.mark.django_db


def enter(clerk, unit, **overrides):
    fields = {
        "by": clerk,
        "unit": unit,
        "source": "paper",
        "issuer_name": "Sở Tài chính",
        "number": "2491",
        "symbol": "STC-BCTC",
        "letter_date": datetime.date(2025, 10, 30),
        "subject": "quyết toán ngân sách",
        "scan": SimpleUploadedFile("cv.pdf", PDF_SCAN),
    }
    fields.update(overrides)
    return outside_letter_enter(**fields)


def test_the_clerk_accepts_from_the_letter_page(client, clerk, to_sttt):
    client.force_login(clerk)
    page = client.get(reverse("directives:inbox_detail", args=[to_sttt.pk])).content.decode()
    assert 'data-testid="accept"' in page and 'data-testid="refuse"' in page
    assert 'data-testid="receipt-signatures"' in page
    response = client.post(reverse("directives:letter_accept", args=[to_sttt.pk]), follow=True)
    html = response.content.decode()
    assert "số đến 1/" in html and 'data-testid="accepted"' in html
    assert 'data-testid="accept"' not in html


def test_refusing_without_a_reason_shows_the_form_again(client, press_officer, to_press):
    client.force_login(press_officer)
    url = reverse("directives:letter_refuse", args=[to_press.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "other", "comment": ""})
    assert response.status_code == 400 and "Ghi rõ lý do" in response.content.decode()
    assert not IncomingEntry.objects.exists()
    response = client.post(url, {"reason": "misaddressed"}, follow=True)
    assert 'data-testid="refused"' in response.content.decode()
    assert IncomingEntry.objects.get().refusal_reason == "misaddressed"


def test_the_issuer_sees_the_status_code_in_the_matrix(client, clerk, to_sttt, chupah):
    from directives.models import Dispatch
    from recipients import roles
    from tests.factories import UserFactory

    dispatch_accept(dispatch=to_sttt, by=clerk)
    issuer = UserFactory(unit=chupah, roles=[roles.CLERK])
    client.force_login(issuer)
    directive = to_sttt.directive
    html = client.get(reverse("directives:matrix", args=[directive.pk])).content.decode()
    assert "<strong>03</strong> Đã tiếp nhận vào sổ văn bản đến" in html
    assert "<strong>01</strong>" in html  # the press has not decided
    data = client.get(reverse("directives:matrix_xlsx", args=[directive.pk])).content
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[2][4:6] == ("Mã trạng thái (edXML)", "Tình trạng xử lý ở nơi nhận")
    by_code = {r[1]: r[4:6] for r in rows[3:]}
    assert by_code["STTTT"] == ("03", "Đã tiếp nhận vào sổ văn bản đến")
    assert Dispatch.objects.count() == 2


def test_the_book_lists_phu_luc_iv_and_filters(client, clerk, sttt, office, to_sttt):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    enter(clerk, sttt, issuer_name="Sở Tài chính tỉnh Gia Lai", subject="quyết toán ngân sách")
    client.force_login(clerk)
    home = client.get(reverse("directives:incoming"))
    assert home.context["unit"] == sttt  # the agency's book before the division's
    url = reverse("directives:incoming_book", args=[sttt.pk])
    html = client.get(url).content.decode()
    for column in ("Số đến", "Ngày đến", "Tác giả", "Ký nhận", "Đơn vị hoặc người nhận"):
        assert column in html
    assert html.count('data-testid="incoming-row"') == 2
    html = client.get(url, {"q": "quyet toan"}).content.decode()  # without accents
    assert html.count('data-testid="incoming-row"') == 1 and "Sở Tài chính" in html
    html = client.get(url, {"year": "2001"}).content.decode()
    assert 'data-testid="incoming-row"' not in html
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    html = client.get(url, {"date_from": tomorrow.isoformat()}).content.decode()
    assert 'data-testid="incoming-row"' not in html
    assert client.get(url, {"year": "abc", "date_from": "x"}).status_code == 200  # never a 500
    printed = client.get(reverse("directives:incoming_book_print", args=[sttt.pk]))
    assert printed.status_code == 200 and "window.print()" in printed.content.decode()


def test_the_xlsx_has_the_columns_and_no_formula(client, clerk, sttt):
    enter(clerk, sttt, issuer_name='=HYPERLINK("http://x")', subject="+SUM(A1)", note="@cmd")
    client.force_login(clerk)
    response = client.get(reverse("directives:incoming_book_xlsx", args=[sttt.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (
        "Số đến",
        "Ngày đến",
        "Tác giả",
        "Số, ký hiệu văn bản",
        "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận",
        "Ký nhận",
        "Ghi chú",
    )
    line = rows[2]
    assert line[0] == 1 and line[3] == "2491/STC-BCTC"
    # The text as typed, a string cell marked to be shown as text (common.spreadsheets).
    issuer = sheet.cell(row=3, column=3)
    assert line[2] == '=HYPERLINK("http://x")' and issuer.data_type == "s" and issuer.quotePrefix
    assert line[5] == "Công văn – +SUM(A1)"  # the type comes first: nothing to run
    assert line[8].startswith("Bản giấy") and "@cmd" in line[8]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_the_outside_form_warns_of_a_duplicate_and_goes_on_when_confirmed(client, clerk, sttt):
    enter(clerk, sttt)
    client.force_login(clerk)
    url = reverse("directives:outside_letter_new", args=[sttt.pk])
    data = {
        "source": "paper",
        "issuer_name": "Sở Tài chính",
        "number": "2491",
        "symbol": "STC-BCTC",
        "letter_date": "2025-10-30",
        "doc_type": "CV",
        "subject": "quyết toán",
    }
    response = client.post(url, {**data, "scan": SimpleUploadedFile("a.pdf", PDF_SCAN)})
    assert response.status_code == 400
    assert 'data-testid="duplicate-warning"' in response.content.decode()
    assert IncomingEntry.objects.count() == 1
    bad = client.post(url, {**data, "scan": SimpleUploadedFile("a.pdf", b"GIF89a....")})
    assert bad.status_code == 400 and "không thuộc loại tệp" in bad.content.decode()
    response = client.post(
        url, {**data, "confirm_duplicate": "on", "scan": SimpleUploadedFile("a.pdf", PDF_SCAN)}
    )
    entry = IncomingEntry.objects.get(arrival_number=2)
    assert response.url == reverse("directives:incoming_entry", args=[entry.pk])
    assert client.get(response.url).status_code == 200
    scan = client.get(reverse("directives:incoming_entry_scan", args=[entry.pk]))
    assert b"".join(scan.streaming_content) == PDF_SCAN


def test_another_units_book_and_entries_are_404(client, clerk, sttt, press_officer, press):
    entry = enter(clerk, sttt)
    client.force_login(press_officer)
    for name in (
        "incoming_book",
        "incoming_book_print",
        "incoming_book_xlsx",
        "outside_letter_new",
    ):
        assert client.get(reverse(f"directives:{name}", args=[sttt.pk])).status_code == 404
    for name in ("incoming_entry", "incoming_entry_scan"):
        assert client.get(reverse(f"directives:{name}", args=[entry.pk])).status_code == 404
    assert client.get(reverse("directives:incoming_book", args=[press.pk])).status_code == 200


def test_the_incoming_pages_are_closed_to_people_without_a_book(client, chupah):
    from recipients import roles
    from tests.factories import UserFactory

    drafter = UserFactory(unit=chupah, roles=[roles.DRAFTER])
    client.force_login(drafter)
    assert client.get(reverse("directives:incoming")).status_code == 403
    assert client.get(reverse("directives:incoming_book", args=[chupah.pk])).status_code == 404


def test_the_clerks_inbox_lists_the_agencys_letters_and_their_numbers(client, clerk, to_sttt):
    client.force_login(clerk)
    html = client.get(reverse("directives:inbox")).content.decode()
    assert html.count('data-testid="inbox-row"') == 1 and 'data-testid="inbox-accepted"' not in html
    dispatch_accept(dispatch=to_sttt, by=clerk)
    html = client.get(reverse("directives:inbox")).content.decode()
    assert "Đã tiếp nhận: số đến 1/" in html
