"""Fixtures of the receiving side: UBND huyện Chư Păh issues to the Sở, whose Văn phòng clerk
keeps the Sở's incoming book; Báo Gia Lai is another receiving unit with its own officer.
Inside the Sở: its head, and a division with its officer to whom the head hands the work."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile

from directives.models import Attachment, Directive, Dispatch
from recipients import roles
from recipients.models import Unit, User
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sttt(db) -> Unit:
    return UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")


@pytest.fixture
def office(sttt) -> Unit:
    return UnitFactory(code="VPS", name="Văn phòng Sở", kind=Unit.Kind.DIVISION, parent=sttt)


@pytest.fixture
def chupah(db) -> Unit:
    return UnitFactory(
        code="UBND.CHUPAH", name="UBND huyện Chư Păh", kind=Unit.Kind.DISTRICT_COMMITTEE
    )


@pytest.fixture
def press(db) -> Unit:
    return UnitFactory(code="BAOGL", name="Báo Gia Lai", kind=Unit.Kind.PRESS)


@pytest.fixture
def clerk(office) -> User:
    """The Sở's clerk (văn thư), in its Văn phòng: keeps the Sở's incoming book."""
    return UserFactory(unit=office, roles=[roles.CLERK], username="vanthu")


@pytest.fixture
def press_officer(press) -> User:
    return UserFactory(unit=press, roles=[roles.UNIT_OFFICER], username="baogialai")


@pytest.fixture
def division(sttt) -> Unit:
    """A division of the Sở, to which its head hands letters and tasks."""
    return UnitFactory(code="TTBCXB", name="Phòng TTBCXB", kind=Unit.Kind.DIVISION, parent=sttt)


@pytest.fixture
def head(sttt) -> User:
    """The Sở's head (an officer of the Sở marked head of unit, as chupah.truong is)."""
    return UserFactory(unit=sttt, roles=[roles.UNIT_OFFICER], is_unit_head=True, username="giamdoc")


@pytest.fixture
def division_officer(division) -> User:
    return UserFactory(
        unit=division,
        roles=[roles.UNIT_OFFICER],
        username="ttbcxb",
        first_name="Lan",
        last_name="Nguyễn",
    )


@pytest.fixture
def issuer_clerk(chupah) -> User:
    """The clerk of the letter's issuer (Chư Păh), who tracks it."""
    return UserFactory(unit=chupah, roles=[roles.CLERK])


@pytest.fixture
def letter(sttt, chupah, press) -> Directive:
    """A letter of Chư Păh to the Sở and to the press, one task each."""
    return make_issued(units=[sttt, press], issuing_unit=chupah, number=125, tasks=1)


@pytest.fixture
def to_sttt(letter, sttt) -> Dispatch:
    return Dispatch.objects.get(directive=letter, unit=sttt)


@pytest.fixture
def to_press(letter, press) -> Dispatch:
    return Dispatch.objects.get(directive=letter, unit=press)


PDF_SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def with_files(directive: Directive) -> Attachment:
    """The letter's signed PDF in storage, and one PDF attachment (returned)."""
    directive.pdf.save("cv-125.pdf", ContentFile(PDF_SCAN), save=True)
    attachment = Attachment(
        directive=directive,
        name="phu-luc.pdf",
        content_type="application/pdf",
        size=len(PDF_SCAN),
        sha256=hashlib.sha256(PDF_SCAN).hexdigest(),
    )
    attachment.file.save("phu-luc.pdf", ContentFile(PDF_SCAN), save=True)
    return attachment
