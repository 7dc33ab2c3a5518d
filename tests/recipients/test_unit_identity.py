"""A unit's abbreviation in symbols (shared by several units) and its identifier code (mã định
danh, Quyết định 20/2020/QĐ-TTg: unique when given, validated), in the model, the admin, the
import and export, and the directory."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from recipients import roles
from recipients.models import Unit
from recipients.services import units_export, units_import
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

BAD_IDENTIFIERS = [
    "00.00.31.H18",
    "000.00.31.H1",
    "000-00-31-H18",
    "000.00.31.18H",
    "000.000.31.H18",
    "000.00.31.HH8",
    "000.00.31",
]
FORMAT_WORDS = "Mã định danh gồm bốn cấp"


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def test_existing_units_get_their_code_as_abbreviation():
    """The data migration: a unit without an abbreviation takes its code."""
    unit = UnitFactory(code="STTTT")
    Unit.objects.filter(pk=unit.pk).update(abbreviation="")
    migration = importlib.import_module(
        "recipients.migrations.0005_unit_abbreviation_identifier_code"
    )
    migration.abbreviation_from_code(apps, None)
    unit.refresh_from_db()
    assert unit.abbreviation == "STTTT"
    # A new unit saved without one gets its code too.
    assert UnitFactory(code="SYT").abbreviation == "SYT"


def test_two_units_share_an_abbreviation():
    province = UnitFactory(code="UBND", abbreviation="UBND", kind="provincial_committee")
    district = UnitFactory(code="UBND.CHUPAH", abbreviation="ubnd", kind="district_committee")
    district.full_clean()
    district.save()
    assert province.symbol_abbreviation == district.symbol_abbreviation == "UBND"


@pytest.mark.parametrize("bad", ["UB ND", "UBND-VP", "UBND/VP", "ủy ban"])
def test_a_bad_abbreviation_is_refused_in_vietnamese(bad):
    unit = UnitFactory.build(code="X1", abbreviation=bad)
    with pytest.raises(ValidationError) as caught:
        unit.full_clean()
    assert "Ký hiệu viết tắt chỉ gồm chữ in hoa" in " ".join(
        caught.value.message_dict["abbreviation"]
    )


def test_a_good_identifier_code_is_kept_and_blank_is_allowed_for_many():
    unit = UnitFactory.build(code="STTTT", identifier_code=" 000.00.31.H18 ")
    unit.full_clean()
    unit.save()
    assert Unit.objects.get(code="STTTT").identifier_code == "000.00.31.H18"
    for code in ("A1", "A2"):
        blank = UnitFactory.build(code=code, identifier_code="")
        blank.full_clean()
        blank.save()
    assert Unit.objects.filter(identifier_code="").count() == 2


@pytest.mark.parametrize("bad", BAD_IDENTIFIERS)
def test_a_bad_identifier_code_is_refused_with_a_clear_message(bad):
    unit = UnitFactory.build(code="X1", identifier_code=bad)
    with pytest.raises(ValidationError) as caught:
        unit.full_clean()
    message = " ".join(caught.value.message_dict["identifier_code"])
    assert FORMAT_WORDS in message and "000.00.31.H18" in message


def test_an_identifier_code_is_unique():
    UnitFactory(code="STTTT", identifier_code="000.00.31.H18")
    twin = UnitFactory.build(code="SYT", identifier_code="000.00.31.H18")
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert caught.value.message_dict["identifier_code"] == [
        "Mã định danh này đã thuộc về một đơn vị khác."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_admin_refuses_a_bad_or_taken_identifier_code(client, role_user):
    client.force_login(role_user(roles.ADMINISTRATOR))
    UnitFactory(code="STTTT", identifier_code="000.00.31.H18")
    url = reverse("admin:recipients_unit_add")
    form = {
        "name": "Ủy ban nhân dân huyện Chư Păh",
        "code": "UBND.CHUPAH",
        "abbreviation": "UBND",
        "kind": "district_committee",
        "sort_order": "0",
        "is_active": "on",
        "has_normative_register": "on",
    }
    for identifier, words in (
        ("000.00.31.H1", FORMAT_WORDS),
        ("000.00.31.H18", "đã thuộc về một đơn vị khác"),
    ):
        response = client.post(url, {**form, "identifier_code": identifier})
        assert response.status_code == 200
        assert words in response.content.decode()
        assert not Unit.objects.filter(code="UBND.CHUPAH").exists()
    response = client.post(url, {**form, "identifier_code": "000.00.53.H21"})
    assert response.status_code == 302
    saved = Unit.objects.get(code="UBND.CHUPAH")
    assert (saved.abbreviation, saved.identifier_code, saved.has_normative_register) == (
        "UBND",
        "000.00.53.H21",
        True,
    )
    changelist = client.get(reverse("admin:recipients_unit_changelist"), {"q": "000.00.53"})
    assert list(changelist.context["cl"].result_list) == [saved]


HEADER = "code,name,kind,abbreviation,identifier_code,has_normative_register\n"


def test_import_sets_the_abbreviation_and_the_identifier_code():
    data = (
        HEADER
        + "UBND,Ủy ban nhân dân tỉnh Gia Lai,provincial_committee,UBND,000.00.00.H21,1\n"
        + "UBND.CHUPAH,Ủy ban nhân dân huyện Chư Păh,district_committee,UBND,000.00.53.H21,1\n"
        + "STTTT,Sở Thông tin và Truyền thông,department,,,0\n"
    )
    report = units_import(data=data.encode(), format="csv", dry_run=False)
    assert report.ok, report.error_lines()
    rows = Unit.objects.order_by("code").values_list(
        "code", "abbreviation", "identifier_code", "has_normative_register"
    )
    assert list(rows) == [
        ("STTTT", "STTTT", "", False),
        ("UBND", "UBND", "000.00.00.H21", True),
        ("UBND.CHUPAH", "UBND", "000.00.53.H21", True),
    ]


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ("X1,Một,department,,000.00.31.H1,0\n", "không phải mã định danh hợp lệ"),
        ("X1,Một,department,U-B,,0\n", "không phải ký hiệu viết tắt hợp lệ"),
        ("X1,Một,department,,000.00.31.H18,0\nX2,Hai,department,,000.00.31.H18,0\n", "dòng 2"),
        ("X1,Một,department,,000.00.31.H21,0\n", "đã thuộc về đơn vị STTTT"),
        ("X1,Một,department,,,maybe\n", "maybe"),
    ],
    ids=["bad-identifier", "bad-abbreviation", "twice-in-file", "held", "bad-flag"],
)
def test_a_bad_row_is_named_and_nothing_is_saved(rows, words):
    UnitFactory(code="STTTT", identifier_code="000.00.31.H21")
    before = list(Unit.objects.values_list("code", "identifier_code"))
    report = units_import(data=(HEADER + rows).encode(), format="csv", dry_run=False)
    assert not report.ok
    assert words in " ".join(e.message for e in report.errors), report.error_lines()
    assert list(Unit.objects.values_list("code", "identifier_code")) == before


def test_an_identifier_code_moves_between_units_in_one_file():
    UnitFactory(code="A1", identifier_code="000.00.31.H21")
    UnitFactory(code="A2", identifier_code="")
    data = HEADER + "A1,Một,department,,000.00.32.H21,0\nA2,Hai,department,,000.00.31.H21,0\n"
    # A2 takes A1's old code while A1 takes a new one: refused by the database in the middle
    # of the import would be a 500; the import reports it or saves it, never half of it.
    report = units_import(data=data.encode(), format="csv", dry_run=False)
    codes = dict(Unit.objects.values_list("code", "identifier_code"))
    if report.ok:
        assert codes == {"A1": "000.00.32.H21", "A2": "000.00.31.H21"}
    else:
        assert codes == {"A1": "000.00.31.H21", "A2": ""}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_carries_the_new_columns_and_imports_back_unchanged(fmt):
    UnitFactory(code="UBND.CHUPAH", abbreviation="UBND", identifier_code="000.00.53.H21")
    UnitFactory(code="STTTT", identifier_code="000.00.31.H21", has_normative_register=True)
    before = list(
        Unit.objects.order_by("code").values_list(
            "code", "abbreviation", "identifier_code", "has_normative_register"
        )
    )
    data = units_export(format=fmt)
    if fmt == "csv":
        header = data.decode("utf-8-sig").splitlines()[0]
        assert "abbreviation" in header and "identifier_code" in header
    report = units_import(data=data, format=fmt, dry_run=False)
    assert report.ok, report.error_lines()
    assert report.unchanged == 2
    after = Unit.objects.order_by("code").values_list(
        "code", "abbreviation", "identifier_code", "has_normative_register"
    )
    assert list(after) == before


def test_the_directory_shows_and_finds_the_identifier_code(client, role_user):
    client.force_login(role_user(roles.CLERK, unit=None))
    UnitFactory(
        code="UBND.CHUPAH",
        name="Ủy ban nhân dân huyện Chư Păh",
        kind="district_committee",
        abbreviation="UBND",
        identifier_code="000.00.53.H21",
    )
    UnitFactory(code="SYT", name="Sở Y tế", identifier_code="000.00.20.H21")
    response = client.get("/recipients/directory/", {"q": "000.00.53.H21"})
    assert [u.code for u in response.context["page"].object_list] == ["UBND.CHUPAH"]
    page = response.content.decode()
    assert "000.00.53.H21" in page and "UBND" in page and "000.00.20.H21" not in page
