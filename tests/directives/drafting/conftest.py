"""Fixtures of the drafting-desk tests: the Sở TT&TT of Gia Lai with its drafting division, a
drafter, a signer and a clerk, the recipient groups of the sample letter, and a builder for the
drafting page's POST data (main form plus the three formsets)."""

from __future__ import annotations

import pytest

from directives.models import Directive
from recipients import roles
from recipients.models import RecipientGroup, Unit, User
from tests.factories import DirectiveFactory, RecipientGroupFactory, UnitFactory, UserFactory

SUBJECT = "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội"
BODY = """Sở Thông tin và Truyền thông đề nghị các đơn vị phối hợp triển khai một số nội dung sau:

1. Các Sở, ban ngành; Ủy ban nhân dân các huyện, thị xã, thành phố:

- Phổ biến, quán triệt đến toàn thể công chức, viên chức, người lao động của đơn vị.

2. Các cơ quan báo chí địa phương:

- Tuyên truyền, phổ biến mục đích, đối tượng, phạm vi điều chỉnh của **Bộ Quy tắc**.

+ Quy tắc Lành mạnh: Hành vi, ứng xử trên mạng xã hội phù hợp với các giá trị đạo đức.

Nhận được Công văn này, Sở TT&TT đề nghị các đơn vị quan tâm, triển khai thực hiện./."""


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agency(db) -> Unit:
    return UnitFactory(
        code="STTTT",
        name="Sở Thông tin và Truyền thông",
        head_title="GIÁM ĐỐC",
        kind=Unit.Kind.DEPARTMENT,
    )


@pytest.fixture
def division(agency) -> Unit:
    return UnitFactory(
        code="TTBCXB",
        name="Phòng Thông tin - Báo chí - Xuất bản",
        kind=Unit.Kind.DIVISION,
        parent=agency,
    )


@pytest.fixture
def drafter(division) -> User:
    return UserFactory(
        unit=division,
        roles=[roles.DRAFTER],
        username="chuyenvien",
        last_name="Trần Văn",
        first_name="Bình",
    )


@pytest.fixture
def signer(agency) -> User:
    return UserFactory(
        unit=agency,
        roles=[roles.SIGNER],
        username="lanhdao",
        last_name="Lê Thị",
        first_name="Thu Hương",
    )


@pytest.fixture
def clerk(agency) -> User:
    return UserFactory(
        unit=agency,
        roles=[roles.CLERK],
        username="vanthu",
        last_name="Phạm Thị",
        first_name="Lan",
    )


@pytest.fixture
def recipients(db) -> dict:
    """The units and groups of the sample letter."""
    so_tc = UnitFactory(code="STC", name="Sở Tài chính", kind=Unit.Kind.DEPARTMENT)
    chu_pah = UnitFactory(
        code="CHUPAH", name="UBND huyện Chư Păh", kind=Unit.Kind.DISTRICT_COMMITTEE
    )
    bao = UnitFactory(code="BAOGL", name="Báo Gia Lai", kind=Unit.Kind.PRESS)
    bo = UnitFactory(code="BTTTT", name="Bộ Thông tin và Truyền thông", kind=Unit.Kind.MINISTRY)
    departments: RecipientGroup = RecipientGroupFactory(
        name="Các Sở, ban ngành", code="cac-so", units=[so_tc]
    )
    districts = RecipientGroupFactory(
        name="Ủy ban nhân dân các huyện, thị xã, thành phố", code="cac-huyen", units=[chu_pah]
    )
    press = RecipientGroupFactory(
        name="Các cơ quan báo chí địa phương", code="bao-chi", units=[bao]
    )
    return {
        "so_tc": so_tc,
        "chu_pah": chu_pah,
        "bao": bao,
        "bo": bo,
        "departments": departments,
        "districts": districts,
        "press": press,
    }


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


@pytest.fixture
def letter_post(agency, division, recipients):
    """POST data of the drafting page for the sample letter; override any part by keyword."""

    def build(*, addressees=None, copies=None, tasks=None, **fields) -> dict:
        r = recipients
        data = {
            "issuing_unit": str(agency.pk),
            "drafting_unit": str(division.pk),
            "parent_body": "UBND TỈNH GIA LAI",
            "doc_type": "CV",
            "urgency": "normal",
            "place": "Gia Lai",
            "subject": SUBJECT,
            "legal_bases": "",
            "body": BODY,
            "signing_authority": "KT",
            "collective_body": "",
            "head_title": "GIÁM ĐỐC",
            "signer_title": "PHÓ GIÁM ĐỐC",
            "signer_name": "Lê Thị Thu Hương",
            "drafter_initials": "",
            "file_copy_holder": "",
            "copies": "1",
            "notes": "",
        }
        data.update(fields)
        if addressees is None:
            addressees = [
                {"group": str(r["departments"].pk), "unit": "", "label": "Các Sở, ban ngành"},
                {"group": "", "unit": "Báo Gia Lai (BAOGL)", "label": "Báo Gia Lai"},
            ]
        if copies is None:
            copies = [
                {"label": "Bộ TT&TT (báo cáo)", "purpose": "report", "group": "", "unit": "BTTTT"},
                {"label": "Lưu: VT, P.TTBCXB", "purpose": "archive", "group": "", "unit": ""},
            ]
        if tasks is None:
            tasks = [
                {
                    "title": "Phổ biến, quán triệt Bộ Quy tắc ứng xử",
                    "deadline": "2026-12-31",
                    "report_required": "on",
                    "groups": [str(r["departments"].pk), str(r["districts"].pk)],
                },
                {
                    "title": "Tuyên truyền Bộ Quy tắc trên báo chí",
                    "deadline": "",
                    "groups": [str(r["press"].pk)],
                    "units": [str(r["chu_pah"].pk)],
                },
            ]
        data |= formset("addressees", addressees)
        data |= formset("copies", copies)
        data |= formset("tasks", tasks)
        return data

    return build


@pytest.fixture
def make_directive(agency, division, drafter, signer):
    """A directive of the agency drafted by `drafter`, in any status."""

    def build(**fields) -> Directive:
        fields.setdefault("issuing_unit", agency)
        fields.setdefault("drafting_unit", division)
        fields.setdefault("drafter", drafter)
        fields.setdefault("signer", signer)
        return DirectiveFactory(**fields)

    return build
