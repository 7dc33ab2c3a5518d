"""The inbox's rows and the incoming book's lines, built as strings (templatetags/inbox_rows.py),
say what the template loops they replace said: the same elements, attributes and text for every
state a row can be in, in Vietnamese and in English, with every value escaped."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from directives.models import Assignment, Directive, Dispatch, IncomingEntry, Urgency
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

# The inbox list's loop and the book's table body as the templates wrote them before.
REFERENCE = Path(__file__).parent / "reference"
INBOX_LOOP = (REFERENCE / "inbox_rows.html").read_text()
BOOK_LOOP = (REFERENCE / "book_rows.html").read_text()


class _Tokens(HTMLParser):
    """Elements, their attributes and their text, whitespace aside."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.out.append((tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        self.out.append(("/" + tag,))

    def handle_data(self, data):
        if text := " ".join(data.split()):
            self.out.append(("text", text))


def tokens(html: str) -> list[tuple]:
    parser = _Tokens()
    parser.feed(html)
    return parser.out


def between(html: str, start: str, end: str) -> str:
    return html[html.index(start) + len(start) : html.index(end, html.index(start))]


def _every_kind_of_row(agency, unit_x, officer_x) -> None:
    today = timezone.localdate()
    sharp = UnitFactory(code="SKH", name="Sở Kế hoạch & Đầu tư", short_name="")
    # Waiting, flash, two tasks overdue; a subject to escape.
    make_issued(
        units=[unit_x],
        issuing_unit=sharp,
        number=3,
        urgency=Urgency.FLASH,
        deadline=today - datetime.timedelta(days=20),
        subject='Về "kế hoạch" <b>số 3</b> & phụ lục',
    )
    # Acknowledged and accepted into the book, its tasks due later, one of them reported.
    accepted = make_issued(units=[unit_x], issuing_unit=agency, number=4)
    dispatch = Dispatch.objects.get(directive=accepted)
    Dispatch.objects.filter(pk=dispatch.pk).update(acknowledged_at=timezone.now())
    first_task = Assignment.objects.filter(dispatch=dispatch).order_by("pk").first()
    Assignment.objects.filter(pk=first_task.pk).update(status=Assignment.Status.DONE)
    IncomingEntry.objects.create(
        unit=unit_x,
        dispatch=dispatch,
        year=today.year,
        arrival_number=7,
        arrived_at=timezone.now(),
        issuer_name=agency.name,
        subject=accepted.subject,
    )
    # Refused, urgent, recalled since.
    refused = make_issued(
        units=[unit_x], issuing_unit=agency, number=5, urgency=Urgency.URGENT, tasks=1
    )
    Directive.objects.filter(pk=refused.pk).update(status=Directive.Status.RECALLED)
    IncomingEntry.objects.create(
        unit=unit_x,
        dispatch=Dispatch.objects.get(directive=refused),
        decision=IncomingEntry.Decision.REFUSED,
        refusal_reason=IncomingEntry.RefusalReason.MISADDRESSED,
        arrived_at=timezone.now(),
        issuer_name=agency.name,
        subject=refused.subject,
    )
    # No task at all; and every task finished.
    make_issued(units=[unit_x], issuing_unit=agency, number=6, tasks=0)
    done = make_issued(units=[unit_x], issuing_unit=agency, number=8, tasks=1)
    Assignment.objects.filter(task__directive=done).update(status=Assignment.Status.ACCEPTED)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_inbox_rows_say_what_the_template_said(client, agency, unit_x, officer_x, language):
    _every_kind_of_row(agency, unit_x, officer_x)
    officer_x.language = language
    officer_x.save(update_fields=["language"])
    client.force_login(officer_x)

    response = client.get(reverse("directives:inbox"))

    html = response.content.decode()
    rows = response.context["page"].object_list
    assert len(rows) == 5
    with translation.override(language):
        expected = Template(INBOX_LOOP).render(Context({"rows": rows}))
    shown = between(html, 'data-testid="inbox-list">', "\n</div>\n")
    assert tokens(shown) == tokens(expected)
    # What the rows above hold, said plainly.
    assert "&lt;b&gt;số 3&lt;/b&gt; &amp; phụ lục" in html and "<b>số 3" not in html
    assert html.count('data-testid="inbox-refused"') == 1
    assert html.count('data-testid="inbox-accepted"') == 1
    assert "Sở Kế hoạch &amp; Đầu tư" in html


@pytest.mark.parametrize("shared", [False, True], ids=["per-process cache", "shared cache"])
def test_the_inbox_filter_fields_are_the_forms_own_filled_or_not(
    client, agency, unit_x, officer_x, settings, shared
):
    settings.CACHE_IS_SHARED = shared
    make_issued(units=[unit_x], issuing_unit=agency, number=1)
    client.force_login(officer_x)
    url = reverse("directives:inbox")
    form_of = lambda html: between(html, 'id="inbox-filters">', "</form>")  # noqa: E731

    first = client.get(url).content.decode()  # drawn, then kept
    with CaptureQueriesContext(connection) as read:
        again = client.get(url).content.decode()  # from the cache
    assert tokens(form_of(first)) == tokens(form_of(again))
    # With a cache every process shares, the units' versions say the issuers and their names
    # are the same; else both are read on each visit.
    listed_units = [q["sql"] for q in read.captured_queries if 'FROM "recipients_unit"' in q["sql"]]
    assert len(listed_units) == (0 if shared else 2)
    assert f'<option value="{agency.pk}">{agency.name}</option>' in form_of(again)
    # A renamed issuer is a new key: its new name at once.
    agency.name = "Sở Thông tin và Truyền thông tỉnh Gia Lai"
    agency.save(update_fields=["name"])
    renamed = form_of(client.get(url).content.decode())
    assert f'<option value="{agency.pk}">{agency.name}</option>' in renamed
    # Filled, the form shows what was asked, never a kept copy.
    filled = form_of(client.get(url, {"issuer": agency.pk, "q": "kế hoạch"}).content.decode())
    assert f'<option value="{agency.pk}" selected>' in filled
    assert 'value="kế hoạch"' in filled


def test_book_lines_say_what_the_template_said_on_the_page_and_in_print(
    client, agency, unit_x, officer_x
):
    now = timezone.now()
    year = timezone.localdate().year
    handler = UnitFactory(code="PVHXH", name="Phòng Văn hóa & Xã hội")
    IncomingEntry.objects.create(
        unit=unit_x,
        year=year,
        arrival_number=1,
        arrived_at=now - datetime.timedelta(hours=30),
        issuer_name="Sở <Tài chính>",
        number="12",
        symbol="STC-NS",
        letter_date=None,
        doc_type_name="Công văn",
        subject="Về việc A & B",
        note="Bản giấy",
        source=IncomingEntry.Source.PAPER,
    )
    IncomingEntry.objects.create(
        unit=unit_x,
        year=year,
        arrival_number=2,
        arrived_at=now,
        issuer_name="Sở Y tế",
        number="3",
        symbol="SYT-VP",
        letter_date=timezone.localdate(),
        subject="Về việc C",
        handler_unit=handler,
        assigned_at=now,
        signatures_valid=False,
        signature_problems=["Chữ ký không hợp lệ"],
    )
    client.force_login(officer_x)

    page = client.get(reverse("directives:incoming_book", args=[unit_x.pk]))
    printed = client.get(reverse("directives:incoming_book_print", args=[unit_x.pk]))

    for response, linked in ((page, True), (printed, False)):
        html = response.content.decode()
        expected = Template(BOOK_LOOP).render(
            Context({"lines": response.context["lines"], "linked": linked})
        )
        assert tokens(between(html, "<tbody>", "</tbody>")) == tokens(expected)
    assert "Sở &lt;Tài chính&gt;" in page.content.decode()
    assert 'data-testid="paper-signature"' in printed.content.decode()
    assert 'data-testid="paper-signature"' not in page.content.decode()


def test_an_empty_book_says_so(client, unit_x, officer_x):
    client.force_login(officer_x)
    html = client.get(reverse("directives:incoming_book", args=[unit_x.pk])).content.decode()
    assert 'data-testid="incoming-row"' not in html
    with translation.override("vi"):
        assert translation.gettext("No letter in the book for this choice.") in html
