"""Issue 13, "the page itself": layout gaps found with real letters (Phụ lục I), measured from
the PDF: a long issuer inside its column, a typed document's enacting line and articles, Nơi
nhận as typed with a hanging indent, and the signature never alone on its page."""

from __future__ import annotations

import datetime

import pytest

from directives.documents.header_lines import ISSUER_MAX_WIDTH_PT, header_lines
from directives.documents.pdf import recipients_lines, render_directive_pdf_bytes
from directives.documents.richtext import body_to_html
from directives.models import CopyRecipient
from tests.directives.pdf.conftest import chars_of, find_line, lines_of, open_pdf, style_of
from tests.directives.pdf.test_layout import LEFT_MARGIN, MM, PAGE_WIDTH, RIGHT_EDGE, _rules_under
from tests.factories import CopyRecipientFactory, DirectiveFactory, UnitFactory

LEFT_COLUMN_END = LEFT_MARGIN + 76.5 * MM  # letter.css: .header td.col-left
LONG_ISSUER = "Trung tâm Văn hóa, Điện ảnh và Du lịch tỉnh Gia Lai"
LONG_LINES = ("TRUNG TÂM VĂN HÓA, ĐIỆN ẢNH", "VÀ DU LỊCH TỈNH GIA LAI")


def _pdf(**fields):
    fields = {"number": 15, "issued_on": datetime.date(2026, 3, 2), **fields}
    return open_pdf(render_directive_pdf_bytes(DirectiveFactory(**fields), draft=False))


def _assert_inside_left_column(page, texts) -> None:
    """Every character right of the 30 mm margin and inside the column, clear of the Quốc hiệu
    and the motto; the lines centred on one axis, the short rule centred under the last one."""
    quoc_hieu = chars_of(page, "CỘNG HÒA")[0]["x0"]
    motto = chars_of(page, "Độc lập")[0]["x0"]
    axes = []
    for text in texts:
        chars = chars_of(page, text)
        assert len({round(c["bottom"]) for c in chars}) == 1, f"{text!r} is not one line"
        assert min(c["x0"] for c in chars) >= LEFT_MARGIN + 1, text
        assert max(c["x1"] for c in chars) <= LEFT_COLUMN_END - 1, text
        assert max(c["x1"] for c in chars) < min(quoc_hieu, motto) - 2 * MM, text
        axes.append((chars[0]["x0"] + chars[-1]["x1"]) / 2)
    assert max(axes) - min(axes) < 2
    last = chars_of(page, texts[-1])
    rules = [
        r
        for r in page.rects
        if abs(r["bottom"] - r["top"]) < 2 and 0 <= r["top"] - last[0]["bottom"] < 12
        if r["x1"] < PAGE_WIDTH / 2
    ]
    assert rules, "no rule under the issuing body"
    assert (rules[0]["x0"] + rules[0]["x1"]) / 2 == pytest.approx(axes[-1], abs=1.5)
    widest = max(chars_of(page, t)[-1]["x1"] - chars_of(page, t)[0]["x0"] for t in texts)
    assert widest / 3 - 2 <= _rules_under(page, last)[0] <= widest / 2 + 2


# --- 1. A long issuer name --------------------------------------------------------------------


def test_a_long_issuer_is_wrapped_in_balanced_lines_inside_its_column(db):
    issuer = UnitFactory(code="TTVHDL", name=LONG_ISSUER)
    page = _pdf(issuing_unit=issuer, parent_body="UBND TỈNH GIA LAI").pages[0]
    _assert_inside_left_column(page, ["UBND TỈNH GIA LAI", *LONG_LINES])
    # Broken where the decree's model breaks it (before "VÀ"), a point smaller to fit: 12 pt.
    for text in LONG_LINES:
        assert style_of(page, text) == (12.0, True, False)


def test_the_drafters_line_break_is_kept(db):
    issuer = UnitFactory(code="UBND", name="Ủy ban nhân dân tỉnh Gia Lai")
    page = _pdf(
        issuing_unit=issuer, parent_body="", issuer_name="Ủy ban nhân dân\ntỉnh  Gia Lai"
    ).pages[0]
    _assert_inside_left_column(page, ["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"])
    assert style_of(page, "TỈNH GIA LAI") == (13.0, True, False)


def test_a_provincial_committee_without_a_break_is_wrapped_and_clear_of_the_motto(db):
    """Level with the Quốc hiệu (no parent body), the one-line name would touch it."""
    issuer = UnitFactory(code="UBND", name="Ủy ban nhân dân tỉnh Gia Lai")
    page = _pdf(issuing_unit=issuer, parent_body="").pages[0]
    _assert_inside_left_column(page, ["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"])
    assert style_of(page, "ỦY BAN NHÂN DÂN") == (13.0, True, False)


def test_header_lines_balance_and_fit():
    assert header_lines("Sở Tư pháp").lines == ("SỞ TƯ PHÁP",)
    wrapped = header_lines("Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai")
    assert len(wrapped.lines) == 2 and wrapped.size == 13.0
    assert " ".join(wrapped.lines) == "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH GIA LAI"
    # An unbroken line of many words still fits, at any word boundary if it must.
    many = header_lines(" ".join(["Ban quản lý dự án đầu tư xây dựng"] * 3))
    assert all(len(line) < 40 for line in many.lines) and len(many.lines) >= 3
    assert ISSUER_MAX_WIDTH_PT < 76.5 * MM


# --- 2. Enacting line and articles ------------------------------------------------------------

DECISION_BODY = """Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Theo đề nghị của Chánh Văn phòng Sở.

QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Sở Thông tin và Truyền thông.
Điều 2. Trách nhiệm thi hành
Chánh Văn phòng, Trưởng các phòng và Thủ trưởng các đơn vị chịu trách nhiệm thi hành."""


def test_the_markup_recognises_the_enacting_line_and_articles():
    html = body_to_html(DECISION_BODY)
    assert '<p class="enacting">QUYẾT ĐỊNH:</p>' in html
    assert '<p class="article"><strong>Điều 1.</strong> Ban hành' in html
    assert '<p class="article"><strong>Điều 2. Trách nhiệm thi hành</strong></p>' in html
    assert "<p>Chánh Văn phòng" in html
    assert '<p class="enacting">QUYẾT NGHỊ:</p>' in body_to_html("Xét đề nghị.\n**QUYẾT NGHỊ:**")
    assert '<p class="article"><strong>Điều 3.</strong> X' in body_to_html("**Điều 3.** X")
    # Not a heading: a sentence that ends, and the words inside a sentence.
    assert "enacting" not in body_to_html("Sở QUYẾT ĐỊNH: giao nhiệm vụ.")
    assert "article" not in body_to_html("Theo Điều 1. của Luật")


def test_decision_prints_quyet_dinh_centred_bold_and_articles_bold_at_start(db):
    issuer = UnitFactory(code="STTTT", name="Sở Tư pháp")
    page = _pdf(issuing_unit=issuer, doc_type="QĐ", symbol="QĐ-STP", body=DECISION_BODY).pages[0]
    enacting = find_line(page, "QUYẾT ĐỊNH:")
    assert enacting["text"] == "QUYẾT ĐỊNH:"
    assert (enacting["x0"] + enacting["x1"]) / 2 == pytest.approx(
        (LEFT_MARGIN + RIGHT_EDGE) / 2, abs=2
    )
    assert style_of(page, "QUYẾT ĐỊNH:") == (14.0, True, False)
    article = find_line(page, "Điều 1.")
    assert article["text"].startswith("Điều 1. Ban hành")
    assert article["x0"] == pytest.approx(LEFT_MARGIN + 10 * MM, abs=1.5)  # the body's indent
    assert style_of(page, "Điều 1.") == (14.0, True, False)
    assert style_of(page, "Ban hành kèm theo") == (14.0, False, False)
    assert style_of(page, "Điều 2. Trách nhiệm thi hành") == (14.0, True, False)
    text = find_line(page, "Chánh Văn phòng, Trưởng")
    assert text["top"] > find_line(page, "Điều 2.")["bottom"]
    assert enacting["top"] < article["top"]


# --- 3. Nơi nhận as typed ---------------------------------------------------------------------

WRAPPING = (
    "Trung tâm Văn hóa, Điện ảnh và Du lịch tỉnh Gia Lai; Báo Gia Lai; "
    "Đài Phát thanh - Truyền hình Gia Lai (để đưa tin)"
)


def _typed_recipients(db):
    directive = DirectiveFactory(number=21, issued_on=datetime.date(2026, 3, 2))
    typed = ("Bộ TT&TT   (báo cáo)", "UBND tỉnh (báo cáo);", "Các PGĐ Sở (để biết).", WRAPPING)
    for label in typed:
        CopyRecipientFactory(directive=directive, label=label)
    CopyRecipientFactory(
        directive=directive, label="Lưu: VT, TTBCXB.", purpose=CopyRecipient.Purpose.ARCHIVE
    )
    return directive


def test_noi_nhan_lines_keep_their_own_punctuation_and_spaces(db):
    assert recipients_lines(_typed_recipients(db)) == [
        "- Bộ TT&TT   (báo cáo);",
        "- UBND tỉnh (báo cáo);",
        "- Các PGĐ Sở (để biết).",  # its own ending, not forced to ";"
        f"- {WRAPPING};",
        "- Lưu: VT, TTBCXB.",
    ]
    directive = DirectiveFactory()
    CopyRecipientFactory(directive=directive, label="Lưu: VT, P.TTBCXB, PL.(30)")
    assert recipients_lines(directive)[-1] == "- Lưu: VT, P.TTBCXB, PL.(30)."


def test_noi_nhan_prints_as_typed_with_a_hanging_indent(db):
    page = open_pdf(render_directive_pdf_bytes(_typed_recipients(db), draft=False)).pages[-1]
    left = page.crop((0, 0, PAGE_WIDTH / 2, page.height))
    texts = [ln["text"] for ln in lines_of(left)]
    assert "- Lưu: VT, TTBCXB." in texts and "- Lưu: VT, TTBCXB.." not in texts
    assert "- UBND tỉnh (báo cáo);" in texts and "- Các PGĐ Sở (để biết)." in texts
    # The three typed spaces are kept: the gap before "(" is three spaces wide.
    chars = chars_of(left, "TT&TT")
    paren = next(c for c in find_line(left, "(báo cáo)")["chars"] if c["text"] == "(")
    one_space = 11 * 0.25
    assert paren["x0"] - chars[-1]["x1"] == pytest.approx(3 * one_space, abs=1)
    # The long line wraps; its next line starts under the text after the dash, not under it.
    first = find_line(left, "- Trung tâm Văn hóa")
    visible = [c for c in first["chars"] if c["text"].strip()]
    dash, text_start = visible[0], visible[1]
    following = lines_of(left)[texts.index(first["text"]) + 1]
    assert not following["text"].startswith("-")
    assert following["x0"] == pytest.approx(text_start["x0"], abs=0.8)
    assert following["x0"] > dash["x1"]
    assert dash["x0"] == pytest.approx(LEFT_MARGIN, abs=1.5)


# --- 4. The signature never alone on a page ---------------------------------------------------

PARAGRAPH = (
    "Ủy ban nhân dân các huyện, thị xã, thành phố tổ chức thực hiện nghiêm túc, bảo đảm đúng "
    "tiến độ và chất lượng; báo cáo kết quả về Sở trước ngày 15 hằng tháng."
)
CLOSING_WORDS = "Đề nghị các đơn vị quan tâm, triển khai thực hiện./."


def test_the_signature_page_always_holds_body_text(db):
    """Bodies from "fits on page 1" to "fills page 1": whenever the closing goes to page 2, at
    least the body's last lines go with it (calibrated: 9 and 10 sections just fill page 1)."""
    moved = 0
    for count in range(8, 12):
        body = "\n\n".join(f"{i}. {PARAGRAPH}" for i in range(1, count + 1))
        pdf = _pdf(body=f"{body}\n\n{CLOSING_WORDS}", symbol="STTTT-TTBCXB")
        index = next(i for i, p in enumerate(pdf.pages) if "Nơi nhận:" in p.extract_text())
        page = pdf.pages[index]
        title_top = find_line(page, "Nơi nhận:")["top"]
        above = [
            ln["text"]
            for ln in lines_of(page)
            if 20 * MM < ln["top"] < title_top and ln["text"] != str(page.page_number)
        ]
        assert above, f"{count} sections: page {index + 1} holds only the signature"
        assert CLOSING_WORDS in page.extract_text()
        moved += index > 0
    assert moved, "no body length moved the closing to page 2: recalibrate the range"
