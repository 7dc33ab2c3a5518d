"""Search over directives: number and symbol, subject and body, accents optional.

On PostgreSQL this is full-text search with the `vietnamese_unaccent` configuration (made by
migration 0003: the `simple` parser with `unaccent`), so "chu pah" finds "Chư Păh" and every word
matches as a prefix ("tuyen truy" finds "tuyên truyền"). SQLite, the zero-service default, has
neither: there the candidate rows are folded to ASCII in Python, which is fine for the few
thousand letters a development database holds.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, LPad

from directives.models import Directive
from recipients.models import fold_text

SEARCH_CONFIG = "vietnamese_unaccent"
# A pasted paragraph should not become a huge query.
MAX_WORDS = 12
WORD = re.compile(r"\w+", re.UNICODE)


def search_words(text: str) -> list[str]:
    return WORD.findall(text or "")[:MAX_WORDS]


def directives_search(queryset: QuerySet[Directive], text: str) -> QuerySet[Directive]:
    """The directives of `queryset` in which every word of `text` occurs."""
    words = search_words(text)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        number = Cast("number", CharField())
        vector = SearchVector(
            Coalesce(number, Value("")),
            # "07" as printed as well as "7".
            Coalesce(LPad(number, 2, Value("0")), Value("")),
            "symbol",
            "subject",
            "body",
            config=SEARCH_CONFIG,
        )
        # Each word is \w+ only, so it cannot carry tsquery operators.
        query = SearchQuery(
            " & ".join(f"{word}:*" for word in words), config=SEARCH_CONFIG, search_type="raw"
        )
        return queryset.annotate(search=vector).filter(search=query)
    folded = [fold_text(word) for word in words]
    rows = queryset.values_list("pk", "number", "symbol", "subject", "body")
    hits = []
    for pk, number, symbol, subject, body in rows:
        printed = "" if number is None else f"{number:02d} {number}"
        haystack = fold_text(f"{printed} {symbol} {subject} {body}")
        if all(word in haystack for word in folded):
            hits.append(pk)
    return queryset.filter(pk__in=hits)
