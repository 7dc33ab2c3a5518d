"""Many issuing units: symbols from each unit's abbreviation, numbers per issuing unit, register
and year, a register of legal normative documents for a unit that keeps one, and each unit's own
clerks and signers, who never see or act on another unit's outgoing letters."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from directives import services
from directives.documents.pdf import recipients_lines
from directives.errors import DirectiveError, PermissionDeniedError
from directives.models import CancelledNumber, Directive, Register, RegisterKind
from directives.selectors.moves import directive_moves
from directives.selectors.register import register_lines
from directives.selectors.scope import directives_visible_to
from recipients import roles
from recipients.models import Unit
from tests.directives.core.conftest import Agency
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def district_issuer(agency: Agency) -> Agency:
    """UBND huyện Chư Păh as an issuing unit: its Văn phòng (clerk's desk, "VP"), its Phòng
    VH&TT (drafting, "VHTT"), its signer; the same recipients as the Sở's."""
    chupah = agency.chu_pah
    chupah.abbreviation = "UBND"
    chupah.save()
    office = UnitFactory(
        code="VP.CHUPAH",
        name="Văn phòng HĐND và UBND huyện Chư Păh",
        kind=Unit.Kind.DIVISION,
        parent=chupah,
        abbreviation="VP",
    )
    division = UnitFactory(
        code="VHTT.CHUPAH",
        name="Phòng Văn hóa và Thông tin huyện Chư Păh",
        kind=Unit.Kind.DIVISION,
        parent=chupah,
        abbreviation="VHTT",
    )
    return Agency(
        sttt=chupah,
        division=division,
        office=office,
        drafter=UserFactory(unit=division, roles=[roles.DRAFTER]),
        signer=UserFactory(unit=chupah, roles=[roles.SIGNER], last_name="Nguyễn Văn"),
        clerk=UserFactory(unit=office, roles=[roles.CLERK]),
        so_tc=agency.so_tc,
        so_yt=agency.so_yt,
        chu_pah=agency.chu_pah,
        bao=agency.bao,
        bo=agency.bo,
        ptth=agency.ptth,
        departments=agency.departments,
        districts=agency.districts,
        press=agency.press,
    )


def province_issuer(agency: Agency) -> Agency:
    """UBND tỉnh Gia Lai, whose abbreviation "UBND" is the district's too."""
    province = UnitFactory(
        code="UBND",
        name="Ủy ban nhân dân tỉnh Gia Lai",
        kind=Unit.Kind.PROVINCIAL_COMMITTEE,
        abbreviation="UBND",
        has_normative_register=True,
    )
    office = UnitFactory(
        code="VPUBND",
        name="Văn phòng UBND tỉnh",
        kind=Unit.Kind.DIVISION,
        parent=province,
        abbreviation="VP",
    )
    return Agency(
        **{
            **agency.__dict__,
            "sttt": province,
            "division": office,
            "office": office,
            "drafter": UserFactory(unit=office, roles=[roles.DRAFTER]),
            "signer": UserFactory(unit=province, roles=[roles.SIGNER]),
            "clerk": UserFactory(unit=office, roles=[roles.CLERK]),
        }
    )


@pytest.fixture
def district(agency) -> Agency:
    return district_issuer(agency)


def test_symbols_use_the_abbreviation_not_the_unique_code(agency, district):
    letter = district.issued(on=DAY)
    assert letter.number_symbol == "01/UBND-VHTT"
    assert letter.issuing_unit.code == "UBND.CHUPAH"
    own = district.issued(on=DAY, drafting_unit=district.sttt)
    assert own.number_symbol == "02/UBND"
    decision = district.issued(on=DAY, doc_type="QĐ")
    assert decision.number_symbol == "03/QĐ-UBND"
    # The "Lưu:" line of the PDF and the register's file copy use the abbreviation too.
    bare = district.draft(subject="không có dòng lưu")
    bare.copy_recipients.all().delete()
    assert recipients_lines(bare)[-1] == "- Lưu: VT, VHTT."
    rows = register_lines(user=district.clerk, year=DAY.year)
    assert {row["file_copy"] for row in rows} == {"VT, VHTT", "VT, UBND"}


def test_two_issuers_writing_ubnd_coexist_each_with_its_own_numbers(agency, district):
    province = province_issuer(agency)
    by_province = province.issued(on=DAY, doc_type="QĐ")
    by_district = district.issued(on=DAY, doc_type="QĐ")
    assert by_province.number_symbol == by_district.number_symbol == "01/QĐ-UBND"
    assert by_province.issuing_unit != by_district.issuing_unit
    assert province.issued(on=DAY, doc_type="QĐ").number == 2
    assert district.issued(on=DAY, doc_type="QĐ").number == 2
    assert agency.issued(on=DAY).number_symbol == "01/STTTT-TTBCXB"
    registers = Register.objects.values_list("unit__code", "kind", "year", "last_number")
    assert sorted(registers) == [
        ("STTTT", "general", 2026, 1),
        ("UBND", "general", 2026, 2),
        ("UBND.CHUPAH", "general", 2026, 2),
    ]


def test_a_normative_document_is_numbered_from_the_units_own_normative_register(agency, district):
    district.sttt.has_normative_register = True
    district.sttt.save()
    first_letter = district.issued(on=DAY)
    normative = district.issued(on=DAY, doc_type="QĐ", is_normative=True)
    decision = district.issued(on=DAY, doc_type="QĐ")
    second_normative = district.issued(on=DAY, doc_type="QĐ", is_normative=True)

    assert (normative.register_kind, normative.number) == (RegisterKind.NORMATIVE, 1)
    assert normative.number_symbol == "01/2026/QĐ-UBND"
    assert second_normative.number_symbol == "02/2026/QĐ-UBND"
    assert (first_letter.number, decision.number) == (1, 2)
    assert decision.register_kind == RegisterKind.GENERAL
    general = register_lines(user=district.clerk, year=2026)
    normative_lines = register_lines(user=district.clerk, year=2026, kind=RegisterKind.NORMATIVE)
    assert [r["symbol"] for r in general] == ["01/UBND-VHTT", "02/QĐ-UBND"]
    assert [r["symbol"] for r in normative_lines] == ["01/2026/QĐ-UBND", "02/2026/QĐ-UBND"]


def test_without_a_normative_register_the_general_one_numbers_it_with_its_year(agency):
    agency.issued(on=DAY)
    normative = agency.issued(on=DAY, doc_type="QĐ", is_normative=True)
    assert normative.register_kind == RegisterKind.GENERAL
    assert normative.number_symbol == "02/2026/QĐ-STTTT"


def test_a_cancelled_normative_number_stays_in_the_normative_register(agency, district):
    district.sttt.has_normative_register = True
    district.sttt.save()
    first = district.numbered(on=DAY, doc_type="QĐ", is_normative=True)
    district.numbered(on=DAY, doc_type="QĐ", is_normative=True)
    general = district.numbered(on=DAY)
    services.directive_number_cancel(directive=first, by=district.clerk)
    cancelled = CancelledNumber.objects.get()
    assert (cancelled.register_kind, cancelled.number) == (RegisterKind.NORMATIVE, 1)
    # The general register's own last number went back; the normative register's 1 did not.
    services.directive_number_cancel(directive=general, by=district.clerk)
    renumbered = services.directive_number(
        directive=Directive.objects.get(pk=first.pk), by=district.clerk, on=DAY
    )
    assert renumbered.number_symbol == "03/2026/QĐ-UBND"
    again = district.numbered(on=DAY)
    assert again.number_symbol == "01/UBND-VHTT"


def test_an_official_letter_cannot_be_normative(agency):
    with pytest.raises(DirectiveError, match="never a legal normative document"):
        agency.draft(is_normative=True)
    assert not Directive.objects.exists()


def test_each_unit_has_its_own_clerks_and_signers(agency, district):
    sttt_letter = agency.approved()
    chupah_letter = district.approved()
    assert directive_moves(directive=sttt_letter, user=agency.clerk).number
    assert not directive_moves(directive=sttt_letter, user=district.clerk).number
    assert not directive_moves(directive=chupah_letter, user=agency.clerk).number
    with pytest.raises(PermissionDeniedError):
        services.directive_number(directive=sttt_letter, by=district.clerk)
    submitted = district.submitted(subject="chờ ký")
    assert directive_moves(directive=submitted, user=district.signer).approve
    assert not directive_moves(directive=submitted, user=agency.signer).approve
    with pytest.raises(DirectiveError, match="choose one of its signers"):
        services.directive_submit(
            directive=district.draft(subject="trình nhầm"),
            by=district.drafter,
            signer=agency.signer,
        )
    with pytest.raises(PermissionDeniedError):
        agency.draft(by=district.drafter)  # the Sở is not the district's drafter's agency


def test_a_department_under_the_provincial_committee_never_works_on_its_letters(agency):
    """A Sở whose parent is the provincial committee is not one of its divisions."""
    province = province_issuer(agency)
    agency.sttt.parent = province.sttt
    agency.sttt.save()
    letter = province.approved()
    sttt_clerk = UserFactory(unit=agency.sttt, roles=[roles.CLERK])
    assert not directives_visible_to(sttt_clerk).filter(pk=letter.pk).exists()
    assert not directive_moves(directive=letter, user=sttt_clerk).number
    assert not directive_moves(directive=letter, user=agency.signer).approve


def _letters_in_every_state(issuer: Agency) -> list[Directive]:
    """One outgoing letter of `issuer` in each state, sent only to the Sở Tài chính (neither
    walker's unit receives them)."""
    issuer.lines = lambda: {
        "addressees": [{"group": None, "unit": issuer.so_tc, "label": ""}],
        "copies": [],
        "tasks": [],
    }
    letters = [
        issuer.draft(subject="dự thảo"),
        issuer.submitted(subject="chờ duyệt"),
        issuer.approved(subject="đã duyệt"),
        issuer.numbered(subject="đã cấp số"),
        issuer.signed(subject="đã ký"),
        issuer.issued(subject="đã ban hành"),
    ]
    return [Directive.objects.get(pk=d.pk) for d in letters]


LETTER_PAGES = [
    ("directives:detail", "get"),
    ("directives:edit", "get"),
    ("directives:preview_edit", "post"),
    ("directives:submit", "post"),
    ("directives:withdraw", "post"),
    ("directives:copy_link", "post"),
    ("directives:approve", "post"),
    ("directives:return", "post"),
    ("directives:number", "post"),
    ("directives:sign", "post"),
    ("directives:cancel_number", "post"),
    ("directives:issue", "post"),
    ("directives:recall", "post"),
    ("directives:replace", "post"),
    ("directives:pdf_retry", "post"),
    ("directives:delete", "post"),
    ("directives:attachment_add", "post"),
    ("directives:pdf", "get"),
    ("directives:preview_pdf", "get"),
    ("directives:pdf_status", "get"),
    ("directives:distribution_pdf", "get"),
    ("directives:delivery_progress", "get"),
    ("directives:matrix", "get"),
    ("directives:matrix_xlsx", "get"),
    ("directives:matrix_csv", "get"),
    ("directives:matrix_remind", "post"),
    ("directives:matrix_accept_reports", "post"),
]


def test_a_clerk_walking_another_units_letter_pages_gets_404s(client, agency, district):
    """Chư Păh's clerk (and its drafter and signer) open every page of each of the Sở's
    outgoing letters, in every state, by GET and POST: each is a 404 and nothing changes;
    the Sở's people get the same on Chư Păh's letters."""
    sttt_letters = _letters_in_every_state(agency)
    chupah_letters = _letters_in_every_state(district)
    before = list(Directive.objects.order_by("pk").values_list("pk", "status", "number"))
    failures = []
    for people, letters in (
        ((district.clerk, district.drafter, district.signer), sttt_letters),
        ((agency.clerk, agency.drafter, agency.signer), chupah_letters),
    ):
        for person in people:
            client.force_login(person)
            for letter in letters:
                for name, method in LETTER_PAGES:
                    url = reverse(name, kwargs={"pk": letter.pk})
                    response = getattr(client, method)(url)
                    if response.status_code != 404:
                        failures.append(
                            f"{person.unit.code} {method} {url} ({letter.status}): "
                            f"{response.status_code}"
                        )
    assert not failures, "\n".join(failures)
    assert list(Directive.objects.order_by("pk").values_list("pk", "status", "number")) == before
    # Each clerk's register lists only their own unit's letters.
    client.force_login(district.clerk)
    page = client.get(reverse("directives:register"), {"year": local_year()})
    assert [row["directive"] for row in page.context["rows"]] == [chupah_letters[-1]]
    assert page.context["agency"] == district.sttt


def local_year() -> int:
    from directives.workdays import local_today

    return local_today().year


def test_the_register_page_offers_the_normative_register_of_a_unit_that_keeps_one(
    client, agency, district
):
    district.sttt.has_normative_register = True
    district.sttt.save()
    year = local_year()
    district.issued()
    district.issued(doc_type="QĐ", is_normative=True)
    client.force_login(district.clerk)
    page = client.get(reverse("directives:register"), {"year": year})
    assert [value for value, _label in page.context["kinds"]] == ["general", "normative"]
    assert [row["symbol"] for row in page.context["rows"]] == ["01/UBND-VHTT"]
    normative = client.get(reverse("directives:register"), {"year": year, "register": "normative"})
    assert [row["symbol"] for row in normative.context["rows"]] == [f"01/{year}/QĐ-UBND"]
    export = client.get(
        reverse("directives:register_xlsx"), {"year": year, "register": "normative"}
    )
    assert "so-van-ban-qppl" in export["Content-Disposition"]
    # A unit without one sees no choice; a made-up register is the general one, not an error.
    client.force_login(agency.clerk)
    page = client.get(reverse("directives:register"), {"year": year, "register": "bogus"})
    assert page.status_code == 200 and len(page.context["kinds"]) == 1
