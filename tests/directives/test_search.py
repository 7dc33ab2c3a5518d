"""Searching the agency's directives by number, symbol, subject and body."""

from __future__ import annotations

import pytest

from directives.models import Directive
from directives.selectors.search import directives_search
from tests.factories import DirectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def letters():
    sample = DirectiveFactory(
        number=1038,
        symbol="STTTT-TTBCXB",
        subject="thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội",
        body="Đề nghị UBND huyện Chư Păh triển khai thực hiện./.",
    )
    other = DirectiveFactory(
        number=15,
        symbol="QĐ-STTTT",
        subject="ban hành Quy chế chuyển đổi số",
        body="Điều 1. Ban hành kèm theo Quyết định này Quy chế./.",
    )
    return sample, other


def found(text: str) -> set[int]:
    return set(directives_search(Directive.objects.all(), text).values_list("number", flat=True))


def test_words_find_subject_body_number_and_symbol_accents_optional(letters):
    assert found("tuyên truyền") == {1038}
    assert found("chu pah") == {1038}
    assert found("chuyen doi so") == {15}
    assert found("15/QĐ-STTTT") == {15}
    assert found("Chư Păh") == {1038}
    assert found("1038") == {1038}
    assert found("TTBCXB") == {1038}
    assert found("Quy chế") == {15}
    assert found("Quy") == {1038, 15}
    assert found("") == {1038, 15}
    assert found("tuyên truyền chuyển đổi") == set()


def test_postgresql_matches_word_beginnings(letters, postgres_required):
    assert found("tuyen truy") == {1038}
    assert found("1038/STTTT-TTBCXB") == {1038}
    assert found("qd sttt") == {15}
    # Operators typed by a user are words, not query syntax.
    assert found("tuyên & | ! ( :*") == {1038}
