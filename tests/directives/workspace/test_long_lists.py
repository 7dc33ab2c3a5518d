"""Pages over years of letters come a page at a time, in the same order as a whole list would
give them: the register (with its cancelled numbers among the letters of each page), the
incoming book, the inbox across its two parts, and the dashboard's ranking of units."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from directives.models import CancelledNumber, Dispatch, IncomingEntry, Urgency
from directives.selectors.register import REGISTER_PAGE_SIZE
from directives.views.inbox import PAGE_SIZE as INBOX_PAGE_SIZE
from directives.views.incoming import BOOK_PAGE_SIZE
from directives.views.tracking import RANKED_UNITS_SHOWN
from recipients.models import Unit
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory


def test_the_register_pages_keep_cancelled_numbers_among_their_letters(client, agency, clerk):
    cancelled = {50, REGISTER_PAGE_SIZE + 10}
    last = REGISTER_PAGE_SIZE + 20
    for number in range(1, last + 1):
        if number in cancelled:
            CancelledNumber.objects.create(
                unit=agency, year=timezone.localdate().year, number=number, symbol="STTTT-VP"
            )
        else:
            make_issued(units=[], tasks=0, issuing_unit=agency, number=number)
    client.force_login(clerk)

    first = client.get(reverse("directives:register"))
    second = client.get(reverse("directives:register"), {"page": 2})

    numbers = [row["number_value"] for row in first.context["rows"]]
    # A hundred letters, 1 to 101, with the cancelled 50 in its place among them.
    assert numbers == list(range(1, REGISTER_PAGE_SIZE + 2))
    assert next(r for r in first.context["rows"] if r["number_value"] == 50).get("cancelled")
    assert [row["number_value"] for row in second.context["rows"]] == list(
        range(REGISTER_PAGE_SIZE + 2, last + 1)
    )
    assert "page=2" in first.content.decode()
    # The export keeps the whole year.
    assert client.get(reverse("directives:register_xlsx")).status_code == 200


def _entry(unit: Unit, number: int) -> IncomingEntry:
    return IncomingEntry.objects.create(
        unit=unit,
        year=timezone.localdate().year,
        arrival_number=number,
        arrived_at=timezone.now(),
        issuer_name="Sở Tài chính",
        number=str(number),
        symbol="STC-NS",
        subject=f"Về việc số {number}",
    )


def test_the_incoming_book_comes_a_page_at_a_time_and_prints_whole(client, unit_x, officer_x):
    for number in range(1, BOOK_PAGE_SIZE + 6):
        _entry(unit_x, number)
    client.force_login(officer_x)
    url = reverse("directives:incoming_book", args=[unit_x.pk])

    first = client.get(url)
    second = client.get(url, {"page": 2})
    printed = client.get(reverse("directives:incoming_book_print", args=[unit_x.pk]))

    assert [line["arrival_number"] for line in first.context["lines"]] == list(
        range(1, BOOK_PAGE_SIZE + 1)
    )
    assert [line["arrival_number"] for line in second.context["lines"]] == list(
        range(BOOK_PAGE_SIZE + 1, BOOK_PAGE_SIZE + 6)
    )
    assert len(printed.context["lines"]) == BOOK_PAGE_SIZE + 5


def test_the_inbox_lists_waiting_letters_urgent_first_then_the_acknowledged_newest_first(
    client, agency, unit_x, officer_x
):
    start = timezone.now() - datetime.timedelta(days=60)
    letters = []
    for n in range(INBOX_PAGE_SIZE + 5):
        urgency = Urgency.FLASH if n in (0, 10) else Urgency.NORMAL
        letter = make_issued(
            units=[unit_x], tasks=0, issuing_unit=agency, number=n + 1, urgency=urgency
        )
        Dispatch.objects.filter(directive=letter).update(
            created_at=start + datetime.timedelta(days=n)
        )
        letters.append(letter)
    waiting = {10, 20, 25}  # 10 is the flash one; 0, also flash, is old and acknowledged
    Dispatch.objects.filter(directive__in=letters).exclude(
        directive__in=[letters[i] for i in waiting]
    ).update(acknowledged_at=timezone.now())
    client.force_login(officer_x)

    pages = [client.get(reverse("directives:inbox"), {"page": p}) for p in (1, 2)]

    listed = [d.directive.number for page in pages for d in page.context["page"].object_list]
    acknowledged = [n + 1 for n in reversed(range(INBOX_PAGE_SIZE + 5)) if n not in waiting]
    assert listed == [11, 26, 21, *acknowledged]
    assert pages[0].context["page"].paginator.count == INBOX_PAGE_SIZE + 5
    assert len(pages[0].context["page"].object_list) == INBOX_PAGE_SIZE


def test_the_dashboard_ranks_the_first_units_and_shows_all_on_request(client, agency, clerk):
    units = [UnitFactory() for _ in range(RANKED_UNITS_SHOWN + 3)]
    make_issued(units=units, tasks=1, issuing_unit=agency, number=7)
    client.force_login(clerk)

    page = client.get(reverse("directives:dashboard"))
    everything = client.get(reverse("directives:dashboard"), {"units": "all"})

    assert len(page.context["ranked"]) == RANKED_UNITS_SHOWN
    assert page.context["more_units"] == 3
    assert 'data-testid="all-units"' in page.content.decode()
    assert len(everything.context["ranked"]) == RANKED_UNITS_SHOWN + 3
    assert sum(u.dispatches for u in everything.context["board"].units) == len(units)


def test_the_dashboard_is_counted_once_a_minute_and_says_when(client, agency, clerk, settings):
    unit = UnitFactory()
    make_issued(units=[unit], tasks=1, issuing_unit=agency, number=8)
    client.force_login(clerk)
    url = reverse("directives:dashboard")

    first = client.get(url)
    make_issued(units=[unit], tasks=1, issuing_unit=agency, number=9)
    again = client.get(url)
    settings.DASHBOARD_CACHE_SECONDS = 0
    live = client.get(url)

    assert first.context["board"].issued_this_month == 1
    assert again.context["board"].issued_this_month == 1  # the same minute's figures
    assert 'data-testid="computed-at"' in again.content.decode()
    assert live.context["board"].issued_this_month == 2


def test_the_inbox_keeps_its_count_and_issuers_only_until_its_next_letter(
    client, agency, unit_x, officer_x
):
    """The count and the filter's issuers are kept between visits (they pass over every letter
    of the unit), under a key naming the newest letter: a new letter shows at once, with its
    issuer in the filter."""
    make_issued(units=[unit_x], tasks=0, issuing_unit=agency, number=1)
    client.force_login(officer_x)
    url = reverse("directives:inbox")
    first = client.get(url).context
    assert first["page"].paginator.count == 1
    assert list(first["issuers"]) == [agency]
    other = UnitFactory(code="UBNDT", name="UBND tỉnh Gia Lai")
    make_issued(units=[unit_x], tasks=0, issuing_unit=other, number=2)
    answer = client.get(url)
    again = answer.context
    assert again["page"].paginator.count == 2
    assert set(again["issuers"]) == {agency, other}
    assert f'<option value="{other.pk}">{other.name}</option>' in answer.content.decode()
    assert [d.directive.number for d in again["page"].object_list] == [2, 1]
