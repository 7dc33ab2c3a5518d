"""Model rules of units and groups: codes, and who a group reaches today."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recipients.models import RecipientGroup, Unit
from recipients.selectors import directory_groups
from tests.factories import RecipientGroupFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_unit_code_is_unique():
    UnitFactory(code="STTTT")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="STTTT", name="Trùng mã")


@pytest.mark.parametrize("code", ["stttt", "SỞ", "ST TT", "-STTTT", "ĐAKĐOA", ""])
def test_unit_code_must_be_upper_case_ascii(code):
    unit = Unit(code=code, name="Đơn vị", kind=Unit.Kind.OTHER)
    with pytest.raises(ValidationError) as excinfo:
        unit.clean_fields()
    assert "code" in excinfo.value.message_dict


@pytest.mark.parametrize("code", ["STTTT", "TTBCXB", "UBND.CHUPAH", "P.TT&TT", "VHTT2"])
def test_valid_unit_codes(code):
    Unit(code=code, name="Đơn vị", kind=Unit.Kind.OTHER).full_clean()


def test_malformed_contact_email_is_refused():
    unit = Unit(code="X", name="X", contact_emails="vanthu@gialai.gov.vn, not-an-address")
    with pytest.raises(ValidationError) as excinfo:
        unit.full_clean()
    assert "not-an-address" in str(excinfo.value.message_dict["contact_emails"])


def test_edxml_certificates_are_kept_as_lower_case_fingerprints_one_per_line():
    pasted = "AB:" * 31 + "AB\n\n  " + "cd" * 32 + "  \n"
    unit = Unit(code="BTTTT", name="Bộ TT&TT", edxml_certificates=pasted)
    unit.clean_fields()
    assert unit.edxml_certificates == "ab" * 32 + "\n" + "cd" * 32
    assert unit.edxml_fingerprints == {"ab" * 32, "cd" * 32}


@pytest.mark.parametrize("value", ["ab" * 31, "zz" * 32, "ab" * 33, "CN=Bộ TT&TT"])
def test_an_edxml_certificate_that_is_no_fingerprint_is_refused(value):
    unit = Unit(code="BTTTT", name="Bộ TT&TT", edxml_certificates=value)
    with pytest.raises(ValidationError) as excinfo:
        unit.clean_fields()
    assert "edxml_certificates" in excinfo.value.message_dict


def test_unit_search_text_is_accent_free():
    unit = UnitFactory(name="Ủy ban nhân dân huyện Chư Păh", code="UBND.CHUPAH")
    assert "uy ban nhan dan huyen chu pah" in unit.search_text


def test_group_expansion_explicit_plus_kinds_ordered_without_duplicates():
    b = UnitFactory(name="B", kind=Unit.Kind.DISTRICT_COMMITTEE, sort_order=2)
    a = UnitFactory(name="A", kind=Unit.Kind.DISTRICT_COMMITTEE, sort_order=2)
    press = UnitFactory(name="Báo", kind=Unit.Kind.PRESS, sort_order=1)
    UnitFactory(name="Sở khác", kind=Unit.Kind.DEPARTMENT)
    group = RecipientGroupFactory(kinds=[Unit.Kind.DISTRICT_COMMITTEE], units=[press, a])
    assert list(group.current_units()) == [press, a, b]


def test_group_expansion_excludes_inactive_units():
    gone = UnitFactory(kind=Unit.Kind.DISTRICT_COMMITTEE, is_active=False)
    gone_member = UnitFactory(kind=Unit.Kind.PRESS, is_active=False)
    live = UnitFactory(kind=Unit.Kind.DISTRICT_COMMITTEE)
    group = RecipientGroupFactory(kinds=[Unit.Kind.DISTRICT_COMMITTEE], units=[gone_member])
    units = list(group.current_units())
    assert units == [live]
    assert gone not in units


def test_group_clean_refuses_unknown_kind():
    with pytest.raises(ValidationError):
        RecipientGroup(name="X", code="x", kinds=["district"]).clean()


def _group_of(n: int) -> RecipientGroup:
    explicit = [UnitFactory(kind=Unit.Kind.PRESS) for _ in range(n)]
    for _ in range(n):
        UnitFactory(kind=Unit.Kind.DISTRICT_COMMITTEE)
    return RecipientGroupFactory(kinds=[Unit.Kind.DISTRICT_COMMITTEE], units=explicit)


@pytest.mark.parametrize("n", [5, 50])
def test_group_expansion_takes_one_query_whatever_the_size(n, django_assert_num_queries):
    group = _group_of(n)
    with django_assert_num_queries(1):
        units = list(group.current_units())
    assert len(units) == 2 * n


@pytest.mark.parametrize("n", [5, 50])
def test_directory_groups_take_three_queries_whatever_the_size(n, django_assert_num_queries):
    for _ in range(3):
        _group_of(n)
    with django_assert_num_queries(3):
        entries = directory_groups()
    # Every group reaches its n explicit members plus every district committee (3n).
    assert [len(e.units) for e in entries] == [n + 3 * n] * 3
    for entry in entries:
        assert entry.units == list(entry.group.current_units())


CODES = ["STTTT", "UBND.CHUPAH", "P.TT&TT", "VHTT2", "stttt", "SỞ", "ST TT", "-STTTT", "ĐAKĐOA"]


@pytest.mark.parametrize("code", CODES)
def test_the_admin_form_and_the_import_accept_the_same_codes(code):
    """One unit-code pattern: a code the model (and so the admin) refuses is refused by the
    import too, and a code it accepts is imported. The import upper-cases what a spreadsheet
    typed in lower case ("stttt" is STTTT), so the two are compared on that."""
    from recipients.services import units_import

    try:
        Unit(code=code.upper(), name="Đơn vị", kind=Unit.Kind.OTHER).clean_fields()
        model_accepts = True
    except ValidationError:
        model_accepts = False
    data = f"code,name,kind,parent,contact_emails\n{code},Đơn vị,other,,\n".encode()
    report = units_import(data=data, format="csv", dry_run=True)
    assert report.ok == model_accepts, report.error_lines()
