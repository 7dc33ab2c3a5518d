"""The body as drafters type it becomes safe HTML with the letter's own markers."""

from __future__ import annotations

from directives.documents.richtext import body_to_html


def test_sections_items_and_emphasis_keep_their_printed_markers():
    html = body_to_html("1. Các Sở:\n- Phổ biến **Quyết định 874**;\n+ Quy tắc *Lành mạnh*.")
    assert 'class="section"' in html and "1. Các Sở:" in html
    assert 'class="item"' in html and "- Phổ biến <strong>Quyết định 874</strong>;" in html
    assert 'class="subitem"' in html and "+ Quy tắc <em>Lành mạnh</em>." in html


def test_links_typed_bare_in_brackets_or_with_text_all_work():
    html = body_to_html(
        "Xem https://sttt.gialai.gov.vn/van-ban. Hoặc <http://gialai.gov.vn/a> và [đây](https://b.vn/c)"
    )
    assert '<a href="https://sttt.gialai.gov.vn/van-ban" rel="noopener noreferrer">' in html
    assert "</a>. Hoặc" in html  # the full stop ends the sentence, not the address
    assert '<a href="http://gialai.gov.vn/a" rel="noopener noreferrer">' in html
    assert '<a href="https://b.vn/c" rel="noopener noreferrer">đây</a>' in html


def test_nothing_a_drafter_types_can_run_script():
    html = body_to_html(
        "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) "
        '<a href="https://a.vn" onclick="alert(4)">a</a>'
    )
    assert "<script" not in html and "<img" not in html
    assert " onerror=" not in html and " onclick=" not in html and "javascript:" not in html
    assert '<a href="https://a.vn" rel="noopener noreferrer">a</a>' in html
