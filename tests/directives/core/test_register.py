"""The register of outgoing letters: numbering per issuing unit and calendar year in Vietnam,
the symbol, the paper entries it skips, the unique constraint, and the register's lines."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from directives import services
from directives.documents.symbols import symbol_for
from directives.errors import DirectiveError, NumberTakenError, PermissionDeniedError
from directives.models import Directive, Event, Register
from directives.selectors.register import register_entries
from directives.services.register import register_reserve, register_take_next
from directives.workdays import local_today
from recipients import roles
from tests.factories import DirectiveFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime.datetime(2025, 12, 31, 16, 59, tzinfo=UTC), datetime.date(2025, 12, 31)),
        (datetime.datetime(2025, 12, 31, 17, 0, tzinfo=UTC), datetime.date(2026, 1, 1)),
        (datetime.datetime(2025, 12, 31, 23, 30, tzinfo=UTC), datetime.date(2026, 1, 1)),
    ],
)
def test_the_register_day_is_the_day_in_vietnam(utc, local, settings):
    settings.TIME_ZONE = "UTC"  # the server's own zone does not matter
    assert local_today(utc) == local


def test_numbers_start_at_one_each_year_with_a_leading_zero(agency):
    last_of_2025 = agency.issued(on=datetime.date(2025, 12, 31))
    first_of_2026 = agency.issued(on=datetime.date(2026, 1, 1))
    second_of_2026 = agency.issued(on=datetime.date(2026, 1, 1))

    assert (last_of_2025.register_year, last_of_2025.number) == (2025, 1)
    assert (first_of_2026.register_year, first_of_2026.number) == (2026, 1)
    assert second_of_2026.number_symbol == "02/STTTT-TTBCXB"
    ninth = DirectiveFactory.build(number=9, symbol="QĐ-STTTT")
    tenth = DirectiveFactory.build(number=10, symbol="QĐ-STTTT")
    assert (ninth.number_symbol, tenth.number_symbol) == ("09/QĐ-STTTT", "10/QĐ-STTTT")


def test_each_issuing_unit_has_its_own_register(agency):
    other = UnitFactory(code="SYT", name="Sở Y tế")
    assert register_take_next(unit=agency.sttt, year=2026) == 1
    assert register_take_next(unit=agency.sttt, year=2026) == 2
    assert register_take_next(unit=other, year=2026) == 1
    assert register_take_next(unit=agency.sttt, year=2027) == 1


def test_symbol_forms(agency):
    cong_van = DirectiveFactory.build(issuing_unit=agency.sttt, drafting_unit=agency.division)
    decision = DirectiveFactory.build(
        issuing_unit=agency.sttt, drafting_unit=agency.division, doc_type="QĐ"
    )
    plan = DirectiveFactory.build(
        issuing_unit=agency.sttt, drafting_unit=agency.division, doc_type="KH"
    )
    own = DirectiveFactory.build(issuing_unit=agency.sttt, drafting_unit=agency.sttt)
    assert symbol_for(cong_van) == "STTTT-TTBCXB"
    assert symbol_for(decision) == "QĐ-STTTT"
    assert symbol_for(plan) == "KH-STTTT"
    assert symbol_for(own) == "STTTT"
    issued = agency.issued(doc_type="QĐ")
    assert issued.number_symbol == "01/QĐ-STTTT"


def test_the_database_refuses_a_number_twice(agency):
    first = agency.issued()
    clash = DirectiveFactory(
        issuing_unit=agency.sttt,
        drafting_unit=agency.division,
        status=Directive.Status.ISSUED,
        register_year=first.register_year,
    )
    clash.number = first.number
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


def paper(agency, number: int, *, by=None, day=datetime.date(2026, 3, 2), **more):
    lines = agency.lines()
    return services.directive_enter_paper(
        by=by or agency.clerk,
        fields=agency.fields(subject=f"văn bản giấy số {number}"),
        number=number,
        issued_on=day,
        **lines,
        **more,
    )


def test_a_paper_letter_keeps_its_number_and_units_see_it(agency):
    entered = paper(agency, 1038, pdf_upload=SimpleUploadedFile("scan.pdf", PDF_BYTES))

    assert entered.is_paper and entered.status == Directive.Status.ISSUED
    assert entered.number_symbol == "1038/STTTT-TTBCXB" and entered.register_year == 2026
    assert entered.pdf_status == Directive.PdfStatus.READY and len(entered.pdf_sha256) == 64
    assert entered.pdf.read() == PDF_BYTES
    assert entered.dispatches.count() == 6 and entered.tasks.count() == 2
    event = entered.events.get()
    assert (event.verb, event.data["number"]) == ("paper_entered", 1038)


def test_the_register_skips_numbers_entered_from_paper(agency):
    paper(agency, 1)
    paper(agency, 2)
    paper(agency, 4)
    assert agency.issued(on=datetime.date(2026, 5, 1)).number == 3
    assert agency.issued(on=datetime.date(2026, 5, 1)).number == 5
    assert agency.issued(on=datetime.date(2026, 5, 1)).number == 6


def test_a_taken_number_is_refused_and_nothing_is_saved(agency):
    issued = agency.issued(on=datetime.date(2026, 3, 1))
    count = Directive.objects.count()
    with pytest.raises(NumberTakenError, match="01/STTTT-TTBCXB"):
        paper(agency, 1, pdf_upload=SimpleUploadedFile("scan.pdf", PDF_BYTES))
    paper(agency, 7)
    with pytest.raises(NumberTakenError):
        paper(agency, 7)
    assert Directive.objects.count() == count + 1
    assert issued.number == 1
    # The same number in another year is a different register line.
    assert paper(agency, 7, day=datetime.date(2025, 3, 2)).register_year == 2025


def test_paper_entry_refusals(agency):
    with pytest.raises(PermissionDeniedError):
        paper(agency, 5, by=agency.drafter)
    with pytest.raises(DirectiveError, match="future"):
        paper(agency, 5, day=local_today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        paper(agency, 5, pdf_upload=SimpleUploadedFile("scan.pdf", b"\x89PNG\r\n\x1a\nimage"))
    with pytest.raises(DirectiveError):
        paper(agency, 0)
    assert not Directive.objects.exists() and not Event.objects.exists()


def test_reserve_does_not_move_the_counter(agency):
    register_reserve(unit=agency.sttt, year=2026, number=50)
    assert Register.objects.get(unit=agency.sttt, year=2026).last_number == 0


def test_register_entries_of_the_clerks_agency(agency, other_agency):
    day = datetime.date(2026, 2, 2)
    first = agency.issued(on=day)
    second = agency.issued(on=day)
    services.directive_recall(directive=first, by=agency.clerk, reason="Nhầm")
    agency.approved()  # not in the register: no number yet
    agency.issued(on=datetime.date(2025, 2, 2))  # another year
    syt_clerk = other_agency[roles.CLERK]
    assert list(register_entries(user=agency.clerk, year=2026)) == [first, second]
    assert not register_entries(user=syt_clerk, year=2026).exists()
    outsider = UserFactory(unit=UnitFactory(code="BAOX", name="Báo X"), roles=[roles.UNIT_OFFICER])
    assert not register_entries(user=outsider, year=2026).exists()
