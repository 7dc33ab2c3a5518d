"""The printed letter against Nghị định 30 (Phụ lục I of the decree), read back from the PDF:
text, order, place, size and bold/italic from the characters' own attributes."""

from __future__ import annotations

import datetime
import unicodedata

import pytest

from directives.documents.pdf import render_directive_pdf_bytes, vietnamese_date_line
from directives.models import Directive
from tests.directives.pdf.conftest import chars_of, find_line, lines_of, open_pdf, style_of
from tests.directives.pdf.sample import SAMPLE_BODY, SAMPLE_COPIES, SAMPLE_GROUPS
from tests.factories import AddresseeFactory, DirectiveFactory, UnitFactory

MM = 72 / 25.4
PAGE_WIDTH = 210 * MM
LEFT_MARGIN = 30 * MM
RIGHT_EDGE = PAGE_WIDTH - 15 * MM
ISSUER_LINES = ("SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG")


def left_half(page):
    return page.crop((0, 0, PAGE_WIDTH / 2, page.height))


def right_half(page):
    return page.crop((PAGE_WIDTH / 2, 0, page.width, page.height))


def centre(line: dict) -> float:
    return (line["x0"] + line["x1"]) / 2


@pytest.fixture
def sample_pdf(sample_letter):
    return open_pdf(render_directive_pdf_bytes(sample_letter, draft=False))


def test_page_is_a4_with_the_decrees_margins(sample_pdf):
    page = sample_pdf.pages[0]
    assert round(page.width) == 595 and round(page.height) == 842
    body = find_line(page, "Hiện Bộ Thông tin và Truyền thông")
    # First-line indent 1 cm from the 30 mm left margin; the justified lines reach 15 mm.
    assert body["x0"] == pytest.approx(LEFT_MARGIN + 10 * MM, abs=1.5)
    second = lines_of(page)[[ln["text"] for ln in lines_of(page)].index(body["text"]) + 1]
    assert second["x0"] == pytest.approx(LEFT_MARGIN, abs=1.5)
    assert second["x1"] == pytest.approx(RIGHT_EDGE, abs=2)
    top_line = lines_of(page)[0]
    assert top_line["top"] == pytest.approx(20 * MM, abs=3)


def test_header_two_columns_with_sizes_and_styles(sample_pdf):
    page = sample_pdf.pages[0]
    parent = find_line(page, "UBND TỈNH GIA LAI")
    issuer = find_line(page, "SỞ THÔNG TIN")
    quoc_hieu = find_line(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    tieu_ngu = find_line(page, "Độc lập - Tự do - Hạnh phúc")
    # Left column: parent body then issuer, centred on the same axis; right column likewise.
    ubnd = chars_of(page, "UBND TỈNH GIA LAI")
    left_axis = (ubnd[0]["x0"] + ubnd[-1]["x1"]) / 2
    # The issuer's name is too wide for its column on one line: two balanced lines, broken
    # before "VÀ", each centred on the column's axis and right of the 30 mm margin.
    for text in ISSUER_LINES:
        issuer_chars = chars_of(page, text)
        assert (issuer_chars[0]["x0"] + issuer_chars[-1]["x1"]) / 2 == pytest.approx(
            left_axis, abs=2
        )
        assert issuer_chars[0]["x0"] > LEFT_MARGIN
        assert style_of(page, text) == (13.0, True, False)
    assert left_axis < PAGE_WIDTH / 2
    qh = chars_of(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    right_axis = (qh[0]["x0"] + qh[-1]["x1"]) / 2
    tn = chars_of(page, "Độc lập - Tự do - Hạnh phúc")
    assert (tn[0]["x0"] + tn[-1]["x1"]) / 2 == pytest.approx(right_axis, abs=2)
    assert right_axis > PAGE_WIDTH / 2
    assert issuer_chars[-1]["x1"] < chars_of(page, "CỘNG HÒA")[0]["x0"]
    assert parent["top"] < issuer["top"] and quoc_hieu["top"] < tieu_ngu["top"]
    assert style_of(page, "UBND TỈNH GIA LAI") == (13.0, False, False)
    assert style_of(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == (12.0, True, False)
    assert style_of(page, "Độc lập - Tự do - Hạnh phúc") == (13.0, True, False)


def _rules_under(page, chars: list[dict]) -> list[float]:
    """Widths of horizontal rules just under a run of characters."""
    bottom = max(c["bottom"] for c in chars)
    mid = (chars[0]["x0"] + chars[-1]["x1"]) / 2
    widths = []
    for shape in page.rects:
        height = abs(shape["bottom"] - shape["top"])
        if height < 2 and 0 <= shape["top"] - bottom < 12 and shape["x0"] < mid < shape["x1"]:
            widths.append(shape["x1"] - shape["x0"])
    return widths


def test_header_rules(sample_pdf):
    page = sample_pdf.pages[0]
    lines = [chars_of(page, text) for text in ISSUER_LINES]
    issuer_width = max(chars[-1]["x1"] - chars[0]["x0"] for chars in lines)
    rule = _rules_under(page, lines[-1])
    assert rule, "no rule under the issuing body"
    assert issuer_width / 3 - 2 <= rule[0] <= issuer_width / 2 + 2
    motto = chars_of(page, "Độc lập - Tự do - Hạnh phúc")
    motto_width = motto[-1]["x1"] - motto[0]["x0"]
    rule = _rules_under(page, motto)
    assert rule and rule[0] == pytest.approx(motto_width, abs=2)


def test_number_and_date_on_one_line(sample_pdf):
    page = sample_pdf.pages[0]
    number = chars_of(page, "Số: 1038/STTTT-TTBCXB")
    date = chars_of(page, "Gia Lai, ngày 24 tháng 6 năm 2021")
    assert number[0]["bottom"] == pytest.approx(date[0]["bottom"], abs=1)
    assert number[-1]["x1"] < PAGE_WIDTH / 2 < date[0]["x0"]
    assert style_of(page, "Số: 1038/STTTT-TTBCXB") == (13.0, False, False)
    assert style_of(page, "Gia Lai, ngày 24 tháng 6 năm 2021") == (13.0, False, True)
    vv = chars_of(page, "V/v thông tin, tuyên truyền")
    assert style_of(page, "V/v thông tin, tuyên truyền") == (12.0, False, False)
    gap = vv[0]["top"] - number[0]["bottom"]
    assert 4 <= gap <= 12  # 6 pt under the number, as the decree asks
    assert vv[0]["x0"] < PAGE_WIDTH / 2


def test_kinh_gui_list_dashes_aligned(sample_pdf):
    page = sample_pdf.pages[0]
    label = find_line(page, "Kính gửi:")
    assert style_of(page, "Kính gửi:") == (14.0, False, False)
    lines = [find_line(page, f"- {group}"[:40]) for group in SAMPLE_GROUPS]
    assert lines[0]["top"] == pytest.approx(label["top"], abs=1)  # first one on the same line
    dashes = [chars_of(page, f"- {group}"[:40])[0] for group in SAMPLE_GROUPS]
    assert max(d["x0"] for d in dashes) - min(d["x0"] for d in dashes) < 0.5
    assert all(d["x0"] > chars_of(page, "Kính gửi:")[-1]["x1"] for d in dashes)
    text = page.extract_text()
    for group in SAMPLE_GROUPS[:-1]:
        assert f"{group};" in text
    assert [ln["top"] for ln in lines] == sorted(ln["top"] for ln in lines)
    last = SAMPLE_GROUPS[-1]
    assert text.replace("\n", " ").count(f"{last[-20:]}") or "tỉnh." in text


def test_body_size_justified_and_spaced(sample_pdf):
    page = sample_pdf.pages[0]
    assert style_of(page, "Hiện Bộ Thông tin và Truyền thông") == (14.0, False, False)
    first = find_line(page, "Hiện Bộ Thông tin và Truyền thông")
    following = find_line(page, "Sở Thông tin và Truyền thông (TT&TT)")
    previous_bottom = max(ln["bottom"] for ln in lines_of(page) if ln["bottom"] < following["top"])
    assert following["top"] - previous_bottom >= 6 - 1  # ≥ 6 pt between paragraphs
    assert first["top"] < following["top"]
    section = find_line(page, "1. Các Sở, ban ngành")
    assert section["x0"] == pytest.approx(LEFT_MARGIN + 10 * MM, abs=1.5)


def test_closing_nơi_nhận_left_signature_right_same_level(sample_pdf):
    page = sample_pdf.pages[-1]
    title = chars_of(page, "Nơi nhận:")
    authority = chars_of(page, "KT. GIÁM ĐỐC")
    assert title[0]["x0"] == pytest.approx(LEFT_MARGIN, abs=1.5)
    assert authority[0]["x0"] > PAGE_WIDTH / 2
    assert abs(title[0]["bottom"] - authority[0]["bottom"]) <= 3  # level with the first line
    assert style_of(page, "Nơi nhận:") == (12.0, True, True)
    assert style_of(page, "KT. GIÁM ĐỐC") == (14.0, True, False)
    assert style_of(page, "PHÓ GIÁM ĐỐC") == (14.0, True, False)
    assert style_of(page, "Lê Thị Thu Hương") == (14.0, True, False)
    name = find_line(right_half(page), "Lê Thị Thu Hương")
    own_title = find_line(right_half(page), "PHÓ GIÁM ĐỐC")
    assert name["top"] - own_title["bottom"] > 20 * MM  # room for the signature
    lines = [ln for ln in lines_of(left_half(page)) if ln["top"] > title[0]["top"]]
    expected = ["- Như trên;", *[f"- {c};" for c in SAMPLE_COPIES], "- Lưu: VT, TTBCXB."]
    assert [ln["text"] for ln in lines][: len(expected)] == expected
    for text in expected:
        assert style_of(page, text) == (11.0, False, False)


def test_page_numbers_from_page_two(db):
    long_body = "\n\n".join(
        f"{i}. Nội dung thứ {i}: Ủy ban nhân dân các huyện, thị xã, thành phố tổ chức thực hiện "
        "nghiêm túc, bảo đảm đúng tiến độ và chất lượng; báo cáo kết quả về Sở Thông tin và "
        "Truyền thông trước ngày 15 hằng tháng để tổng hợp, báo cáo Ủy ban nhân dân tỉnh."
        for i in range(1, 22)
    )
    directive = DirectiveFactory(
        number=7, symbol="STTTT-TTBCXB", issued_on=datetime.date(2026, 2, 5), body=long_body
    )
    pdf = open_pdf(render_directive_pdf_bytes(directive, draft=False))
    assert len(pdf.pages) == 3
    for page in pdf.pages:
        top_lines = [ln for ln in lines_of(page) if ln["bottom"] < 20 * MM]
        if page.page_number == 1:
            assert top_lines == []
            assert "Số: 07/STTTT-TTBCXB" in page.extract_text()
            assert "Gia Lai, ngày 05 tháng 02 năm 2026" in page.extract_text()
        else:
            assert [ln["text"] for ln in top_lines] == [str(page.page_number)]
            assert centre(top_lines[0]) == pytest.approx((LEFT_MARGIN + RIGHT_EDGE) / 2, abs=3)
            size = round(top_lines[0]["chars"][0]["size"])
            assert 13 <= size <= 14


@pytest.mark.parametrize(
    ("authority", "fields", "expected"),
    [
        ("", {"head_title": "GIÁM ĐỐC", "signer_title": "GIÁM ĐỐC"}, ["GIÁM ĐỐC"]),
        (
            "TM",
            {"collective_body": "Ủy ban nhân dân", "signer_title": "CHỦ TỊCH"},
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        ),
        (
            "TM_KT",
            {
                "collective_body": "ỦY BAN NHÂN DÂN",
                "head_title": "CHỦ TỊCH",
                "signer_title": "PHÓ CHỦ TỊCH",
            },
            ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
        ),
        (
            "KT",
            {"head_title": "GIÁM ĐỐC", "signer_title": "PHÓ GIÁM ĐỐC"},
            ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"],
        ),
        (
            "TL",
            {"head_title": "GIÁM ĐỐC", "signer_title": "TRƯỞNG PHÒNG TTBCXB"},
            ["TL. GIÁM ĐỐC", "TRƯỞNG PHÒNG TTBCXB"],
        ),
        (
            "TUQ",
            {"head_title": "GIÁM ĐỐC", "signer_title": "CHÁNH VĂN PHÒNG"},
            ["TUQ. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"],
        ),
        ("Q", {"head_title": "GIÁM ĐỐC", "signer_title": ""}, ["Q. GIÁM ĐỐC"]),
    ],
)
def test_each_signing_authority(db, authority, fields, expected):
    directive = DirectiveFactory(
        number=12,
        symbol="STTTT-TTBCXB",
        issued_on=datetime.date(2026, 3, 2),
        signing_authority=authority,
        signer_name="Nguyễn Văn Bình",
        **fields,
    )
    page = open_pdf(render_directive_pdf_bytes(directive, draft=False)).pages[-1]
    right = lines_of(right_half(page))
    texts = [ln["text"] for ln in right]
    start = texts.index(expected[0])
    assert texts[start : start + len(expected)] == expected
    assert texts[start + len(expected)] == "Nguyễn Văn Bình"
    for text in expected:
        assert style_of(page, text)[1] is True  # bold
    assert abs(find_line(page, "Nơi nhận:")["top"] - right[start]["top"]) <= 3


def test_typed_document_ke_hoach_with_legal_bases(db):
    issuer = UnitFactory(code="UBND", name="Ủy ban nhân dân tỉnh Gia Lai", head_title="CHỦ TỊCH")
    directive = DirectiveFactory(
        issuing_unit=issuer,
        parent_body="",
        doc_type="KH",
        number=5,
        symbol="KH-UBND",
        issued_on=datetime.date(2026, 1, 9),
        subject="Triển khai Bộ Quy tắc ứng xử trên mạng xã hội năm 2026",
        legal_bases="Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015\n"
        "Căn cứ Quyết định số 874/QĐ-BTTTT ngày 17/6/2021 của Bộ Thông tin và Truyền thông;",
        signing_authority="TM_KT",
        collective_body="ỦY BAN NHÂN DÂN",
        head_title="CHỦ TỊCH",
        signer_title="PHÓ CHỦ TỊCH",
    )
    AddresseeFactory(directive=directive, label="Các Sở, ban ngành")
    page = open_pdf(render_directive_pdf_bytes(directive, draft=False)).pages[0]
    text = page.extract_text()
    assert "UBND TỈNH" not in text  # no parent body line for a provincial committee
    assert "Số: 05/KH-UBND" in text and "V/v" not in text
    assert "Gia Lai, ngày 09 tháng 01 năm 2026" in text
    title = find_line(page, "KẾ HOẠCH")
    assert centre(title) == pytest.approx((LEFT_MARGIN + RIGHT_EDGE) / 2, abs=3)
    assert style_of(page, "KẾ HOẠCH") == (14.0, True, False)
    subject = find_line(page, "Triển khai Bộ Quy tắc")
    assert subject["top"] > title["top"]
    assert style_of(page, "Triển khai Bộ Quy tắc") == (14.0, True, False)
    subject_chars = [
        c
        for c in page.chars
        if c["top"] >= subject["top"] and c["bottom"] <= find_line(page, "Căn cứ Luật")["top"]
    ]
    width = max(c["x1"] for c in subject_chars) - min(c["x0"] for c in subject_chars)
    rule = _rules_under(
        page, [c for c in subject_chars if c["bottom"] == subject_chars[-1]["bottom"]]
    )
    assert rule and width / 3 - 2 <= rule[0] <= width / 2 + 2
    first = find_line(page, "Căn cứ Luật Tổ chức")
    second = find_line(page, "Căn cứ Quyết định số 874")
    assert first["text"].endswith("2015;") and "Truyền thông." in text
    assert first["top"] < second["top"] and first["top"] > subject["top"]
    assert style_of(page, "Căn cứ Luật Tổ chức")[2] is True  # italic
    # A single addressee stays on the Kính gửi line.
    assert "Kính gửi: Các Sở, ban ngành." in text


def test_urgent_letter_has_a_red_framed_stamp_near_the_number(db):
    directive = DirectiveFactory(
        number=3, symbol="STTTT-TTBCXB", issued_on=datetime.date(2026, 4, 1), urgency="flash"
    )
    page = open_pdf(render_directive_pdf_bytes(directive, draft=False)).pages[0]
    stamp = chars_of(page, "HỎA TỐC")
    assert style_of(page, "HỎA TỐC")[:2] == (13.0, True)
    colours = {tuple(round(v, 2) for v in c["non_stroking_color"]) for c in stamp}
    assert len(colours) == 1
    r, g, b = colours.pop()
    assert r > 0.7 and g < 0.2 and b < 0.2
    number = chars_of(page, "Số: 03/STTTT-TTBCXB")
    assert stamp[0]["top"] - number[0]["bottom"] < 60 and stamp[0]["x1"] < PAGE_WIDTH / 2
    frames = [
        r
        for r in page.rects
        if r["x0"] < stamp[0]["x0"]
        and r["x1"] > stamp[-1]["x1"]
        and r["top"] < stamp[0]["top"]
        and r["bottom"] > stamp[0]["bottom"]
    ]
    assert frames and frames[0]["non_stroking_color"][0] > 0.7


def test_draft_has_watermark_and_no_number(db):
    directive = DirectiveFactory(status=Directive.Status.DRAFT)
    page = open_pdf(render_directive_pdf_bytes(directive, draft=True)).pages[0]
    watermark = [c for c in page.chars if c["size"] > 50]
    assert sorted(c["text"] for c in watermark if c["text"].strip()) == sorted("DỰTHẢO")
    text = page.extract_text()
    assert "Số: /STTTT-TTBCXB" in " ".join(text.split())
    assert not any(ch.isdigit() for ch in text.split("/STTTT")[0].split("Số:")[-1])


def test_every_vietnamese_diacritic_survives(sample_pdf):
    text = "".join(page.extract_text() for page in sample_pdf.pages)
    words = set(unicodedata.normalize("NFC", SAMPLE_BODY).split())
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    missing = [w for w in words if w not in flat and not w.startswith("<http")]
    assert missing == []
    fonts = {c["fontname"].split("+")[-1] for page in sample_pdf.pages for c in page.chars}
    # One serif family for every letter, no fallback glyphs from another font.
    assert len({f.split("-")[0] for f in fonts}) == 1, fonts


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2021, 6, 24), "Gia Lai, ngày 24 tháng 6 năm 2021"),
        (datetime.date(2026, 2, 5), "Gia Lai, ngày 05 tháng 02 năm 2026"),
        (datetime.date(2026, 1, 15), "Gia Lai, ngày 15 tháng 01 năm 2026"),
        (datetime.date(2026, 3, 9), "Gia Lai, ngày 09 tháng 3 năm 2026"),
        (datetime.date(2026, 12, 31), "Gia Lai, ngày 31 tháng 12 năm 2026"),
    ],
)
def test_date_line_leading_zeros_per_decree(day, expected):
    assert vietnamese_date_line("Gia Lai", day) == expected
