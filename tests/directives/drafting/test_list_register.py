"""The agency's directive list (boxes, filters, search, a constant number of queries), the
outgoing register with its XLSX export, and the entry of letters signed on paper."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from directives.models import Directive
from recipients import roles
from tests.factories import AddresseeFactory, CopyRecipientFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Directive.Status


def issued(make_directive, number: int, **fields) -> Directive:
    now = timezone.now()
    fields.setdefault("status", S.ISSUED)
    return make_directive(
        number=number,
        register_year=now.year,
        symbol="STTTT-TTBCXB",
        issued_on=timezone.localdate(),
        issued_at=now,
        **fields,
    )


def rows_of(response) -> list[str]:
    return [d.subject for d in response.context["page"].object_list]


def test_boxes_filters_and_search(client, make_directive, drafter, signer, clerk):
    make_directive(subject="dự thảo của tôi", status=S.DRAFT)
    make_directive(subject="chờ lãnh đạo duyệt", status=S.SUBMITTED)
    make_directive(subject="đã duyệt chờ phát hành", status=S.APPROVED)
    issued(make_directive, 1038, subject="tuyên truyền Bộ Quy tắc ứng xử")
    issued(make_directive, 7, subject="kế hoạch chuyển đổi số", doc_type="KH", urgency="urgent")
    issued(make_directive, 8, subject="đã thu hồi", status=S.RECALLED)
    make_directive(
        subject="của sở khác",
        issuing_unit=UnitFactory(code="SYT"),
        drafting_unit=UnitFactory(code="SYT"),
    )
    url = reverse("directives:list")

    client.force_login(drafter)
    assert rows_of(client.get(url, {"box": "mine"})) == ["chờ lãnh đạo duyệt", "dự thảo của tôi"]
    assert "của sở khác" not in rows_of(client.get(url))
    assert len(rows_of(client.get(url))) == 6
    client.force_login(signer)
    assert rows_of(client.get(url, {"box": "to_approve"})) == ["chờ lãnh đạo duyệt"]
    client.force_login(clerk)
    assert rows_of(client.get(url, {"box": "to_issue"})) == ["đã duyệt chờ phát hành"]
    assert rows_of(client.get(url, {"box": "recalled"})) == ["đã thu hồi"]
    assert len(rows_of(client.get(url, {"box": "issued"}))) == 2
    assert rows_of(client.get(url, {"doc_type": "KH"})) == ["kế hoạch chuyển đổi số"]
    assert rows_of(client.get(url, {"urgency": "urgent"})) == ["kế hoạch chuyển đổi số"]
    assert rows_of(client.get(url, {"status": "approved"})) == ["đã duyệt chờ phát hành"]
    # Search: a number as printed, a symbol, words without their accents.
    assert rows_of(client.get(url, {"q": "1038/STTTT"})) == ["tuyên truyền Bộ Quy tắc ứng xử"]
    assert rows_of(client.get(url, {"q": "07/"})) == ["kế hoạch chuyển đổi số"]
    assert rows_of(client.get(url, {"q": "chuyen doi so"})) == ["kế hoạch chuyển đổi số"]
    year = timezone.localdate().year
    assert len(rows_of(client.get(url, {"year": year - 1}))) == 0
    assert len(rows_of(client.get(url, {"year": year}))) == 6


def test_unit_officer_has_no_directive_list(client, agency):
    client.force_login(UserFactory(unit=agency, roles=[roles.UNIT_OFFICER]))
    assert client.get(reverse("directives:list")).status_code == 403


def test_list_makes_the_same_number_of_queries_for_10_and_60(client, make_directive, clerk):
    def count_for(total: int) -> int:
        while Directive.objects.count() < total:
            issued(make_directive, Directive.objects.count() + 1)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("directives:list"))
        assert response.status_code == 200
        return len(queries)

    client.force_login(clerk)
    assert count_for(10) == count_for(60)
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("directives:list"), {"box": "issued"})
    assert len(ten) <= 12


def test_register_lists_the_year_and_exports_xlsx(client, make_directive, clerk, recipients):
    first = issued(
        make_directive,
        1,
        subject="thông tin, tuyên truyền Bộ Quy tắc ứng xử",
        copies=3,
        file_copy_holder="VT, P.TTBCXB",
    )
    AddresseeFactory(directive=first, unit=recipients["bao"], label="Báo Gia Lai")
    CopyRecipientFactory(directive=first, label="Bộ TT&TT (báo cáo)")
    issued(make_directive, 2, subject="kế hoạch chuyển đổi số", doc_type="KH")
    make_directive(subject="bản nháp không vào sổ", status=S.DRAFT)
    client.force_login(clerk)

    response = client.get(reverse("directives:register"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "01/STTTT-TTBCXB" in page and "02/STTTT-TTBCXB" in page
    assert "bản nháp không vào sổ" not in page
    assert "Báo Gia Lai" in page and "Bộ TT&amp;TT (báo cáo)" in page
    # The decree's column names, "Ký nhận" among them (the matrix says "Tiếp nhận").
    assert '<th scope="col">Ký nhận</th>' in page and "Ngày chuyển" in page

    year = timezone.localdate().year
    xlsx = client.get(reverse("directives:register_xlsx"), {"year": year})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][2] == "01/STTTT-TTBCXB"
    assert "thông tin, tuyên truyền Bộ Quy tắc ứng xử" in rows[0][3]
    assert rows[0][4] == "Lê Thị Thu Hương"
    assert rows[0][5].splitlines() == ["Báo Gia Lai", "Bộ TT&TT (báo cáo)"]
    assert rows[0][6] == "VT, P.TTBCXB" and rows[0][7] == 3
    assert "Kế hoạch" in rows[1][3]

    empty = client.get(reverse("directives:register_xlsx"), {"year": year - 3})
    assert list(load_workbook(io.BytesIO(empty.content)).active.iter_rows(min_row=3)) == []


def test_register_is_for_clerks_only(client, drafter, signer):
    for user in (drafter, signer):
        client.force_login(user)
        assert client.get(reverse("directives:register")).status_code == 403
        assert client.get(reverse("directives:register_xlsx")).status_code == 403
        assert client.get(reverse("directives:paper_create")).status_code == 403


def test_paper_letter_is_entered_and_its_number_cannot_be_taken_twice(client, clerk, letter_post):
    client.force_login(clerk)
    assert client.get(reverse("directives:paper_create")).status_code == 200
    day = datetime.date(timezone.localdate().year, 1, 15)
    data = letter_post(number="1038", issued_on=day.isoformat())

    response = client.post(reverse("directives:paper_create"), data)

    assert response.status_code == 302, response.context["form"].errors
    entered = Directive.objects.get()
    assert entered.number == 1038 and entered.is_paper
    assert entered.status == S.ISSUED and entered.issued_on == day

    again = client.post(reverse("directives:paper_create"), data)
    assert again.status_code == 400
    assert Directive.objects.count() == 1
    form = again.context["form"]
    assert form.errors.get("number"), form.errors


def test_filters_by_signer_and_drafting_unit_offer_only_the_agency(
    client, make_directive, agency, signer, clerk
):
    other_signer = UserFactory(unit=agency, roles=[roles.SIGNER], last_name="Nguyễn Văn")
    office = UnitFactory(code="VPS", name="Văn phòng Sở", kind="division", parent=agency)
    outsider = UserFactory(unit=UnitFactory(code="SYT"), roles=[roles.SIGNER])
    make_directive(subject="ký bởi bà Hương")
    make_directive(subject="ký bởi ông khác", signer=other_signer, drafting_unit=office)
    url = reverse("directives:list")
    client.force_login(clerk)

    page = client.get(url)
    offered = {str(pk) for pk, _label in page.context["filter"].form.fields["signer"].choices}
    assert {str(signer.pk), str(other_signer.pk)} <= offered
    assert str(outsider.pk) not in offered
    assert rows_of(client.get(url, {"signer": other_signer.pk})) == ["ký bởi ông khác"]
    assert rows_of(client.get(url, {"drafting_unit": office.pk})) == ["ký bởi ông khác"]
    # Another agency's signer is not a choice: the filter says so and lists nothing wrong.
    refused = client.get(url, {"signer": outsider.pk})
    assert "signer" in refused.context["filter"].form.errors


def test_register_xlsx_keeps_formula_like_text_as_text(client, make_directive, clerk, recipients):
    first = issued(make_directive, 1, file_copy_holder='=HYPERLINK("http://evil.example","VT")')
    AddresseeFactory(directive=first, unit=recipients["bao"], label="-2+3")
    client.force_login(clerk)
    xlsx = client.get(reverse("directives:register_xlsx"), {"year": timezone.localdate().year})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    row = list(sheet[3])
    assert row[6].value == '=HYPERLINK("http://evil.example","VT")' and row[6].quotePrefix
    assert row[5].value.startswith("-2+3") and row[5].quotePrefix
