"""Fixtures of the workflow and register tests: the Sở TT&TT of Gia Lai with its drafting
division and its Văn phòng (the clerk's desk), the people of each role, recipient units and
groups, and helpers that walk a directive through the real services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import translation

from directives import services
from directives.models import CopyRecipient, Directive
from recipients import roles
from recipients.models import RecipientGroup, Unit, User
from tests.factories import RecipientGroupFactory, UnitFactory, UserFactory
from tests.signing_keys import PIN, signer_key_ensure

SUBJECT = "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội"
BODY = "1. Các Sở, ban ngành:\n\n- Phổ biến, quán triệt đến toàn thể công chức./."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked by their msgids, whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def memory_broker():
    """Tasks enqueued after commit go to an in-memory broker, not to the developer's queue."""
    from portal.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "memory://"
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    yield app
    app.conf.broker_url = saved
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@dataclass
class Agency:
    sttt: Unit
    division: Unit
    office: Unit
    drafter: User
    signer: User
    clerk: User
    # Recipients
    so_tc: Unit
    so_yt: Unit
    chu_pah: Unit
    bao: Unit
    bo: Unit
    ptth: Unit
    departments: RecipientGroup
    districts: RecipientGroup
    press: RecipientGroup

    def fields(self, **overrides) -> dict:
        fields = {
            "issuing_unit": self.sttt,
            "drafting_unit": self.division,
            "parent_body": "UBND TỈNH GIA LAI",
            "doc_type": "CV",
            "place": "Gia Lai",
            "subject": SUBJECT,
            "body": BODY,
            "urgency": "normal",
            "signing_authority": "KT",
            "head_title": "GIÁM ĐỐC",
            "signer_title": "PHÓ GIÁM ĐỐC",
            "signer_name": "Lê Thị Thu Hương",
        }
        fields.update(overrides)
        return fields

    def lines(self) -> dict:
        """Kính gửi: departments (group) and the press unit; Nơi nhận: the ministry (external,
        for report), the press group, an archive line; two tasks like the sample letter."""
        return {
            "addressees": [
                {"group": self.departments, "unit": None, "label": "Các Sở, ban ngành"},
                {"group": None, "unit": self.bao, "label": ""},
            ],
            "copies": [
                {
                    "label": "Bộ TT&TT (báo cáo)",
                    "unit": self.bo,
                    "group": None,
                    "purpose": CopyRecipient.Purpose.REPORT,
                },
                {
                    "label": "Các cơ quan báo chí",
                    "unit": None,
                    "group": self.press,
                    "purpose": "info",
                },
                {"label": "Lưu: VT, P.TTBCXB", "unit": None, "group": None, "purpose": "archive"},
            ],
            "tasks": [
                {
                    "title": "Phổ biến, quán triệt Bộ Quy tắc",
                    "deadline": datetime.date(2026, 12, 31),
                    "report_required": True,
                    "groups": [self.departments, self.districts],
                    "units": [],
                },
                {
                    "title": "Tuyên truyền trên báo chí",
                    "deadline": None,
                    "report_required": False,
                    "groups": [self.press],
                    "units": [self.bao],
                },
            ],
        }

    def draft(self, by: User | None = None, **overrides) -> Directive:
        return services.directive_save_draft(
            by=by or self.drafter, directive=None, fields=self.fields(**overrides), **self.lines()
        )

    def submitted(self, **overrides) -> Directive:
        draft = self.draft(**overrides)
        return services.directive_submit(directive=draft, by=self.drafter, signer=self.signer)

    def approved(self, **overrides) -> Directive:
        submitted = self.submitted(**overrides)
        return services.directive_approve(directive=submitted, by=self.signer)

    def numbered(self, on: datetime.date | None = None, **overrides) -> Directive:
        approved = self.approved(**overrides)
        return services.directive_number(directive=approved, by=self.clerk, on=on)

    def sign(self, numbered: Directive) -> Directive:
        """The signer signs with their own test key."""
        signer_key_ensure(self.signer)
        return services.directive_sign(directive=numbered, by=self.signer, pin=PIN)

    def signed(self, on: datetime.date | None = None, **overrides) -> Directive:
        """Numbered by the clerk, then signed by the signer."""
        return self.sign(self.numbered(on=on, **overrides))

    def issue_approved(self, approved: Directive) -> Directive:
        """An approved letter through the clerk's numbering, the signature, the seal and issue,
        and its assignments written (the PDF job's first step)."""
        numbered = services.directive_number(directive=approved, by=self.clerk)
        return self.issue(self.sign(numbered))

    def issue(self, signed: Directive) -> Directive:
        """The clerk issues the signed letter; its assignments are written as the PDF job
        writes them first (the job itself runs after commit, which a test does not reach)."""
        issued = services.directive_issue(directive=signed, by=self.clerk)
        services.assignments_snapshot_write(directive_id=issued.pk)
        issued.pending_assignments = None
        return issued

    def issued(self, on: datetime.date | None = None, **overrides) -> Directive:
        return self.issue(self.signed(on=on, **overrides))


def build_agency() -> Agency:
    sttt = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", head_title="GIÁM ĐỐC")
    division = UnitFactory(
        code="TTBCXB",
        name="Phòng Thông tin - Báo chí - Xuất bản",
        kind=Unit.Kind.DIVISION,
        parent=sttt,
    )
    office = UnitFactory(code="VPS", name="Văn phòng Sở", kind=Unit.Kind.DIVISION, parent=sttt)
    so_tc = UnitFactory(code="STC", name="Sở Tài chính")
    so_yt = UnitFactory(code="SYT", name="Sở Y tế")
    chu_pah = UnitFactory(
        code="UBND.CHUPAH", name="UBND huyện Chư Păh", kind=Unit.Kind.DISTRICT_COMMITTEE
    )
    bao = UnitFactory(code="BAOGL", name="Báo Gia Lai", kind=Unit.Kind.PRESS)
    ptth = UnitFactory(code="PTTHGL", name="Đài PT-TH Gia Lai", kind=Unit.Kind.PRESS)
    bo = UnitFactory(
        code="BTTTT",
        name="Bộ Thông tin và Truyền thông",
        kind=Unit.Kind.MINISTRY,
        is_external=True,
    )
    # The issuing Sở is a department too: a group of "all departments" must not send it its
    # own letter.
    departments = RecipientGroupFactory(
        name="Các Sở, ban ngành", code="cac-so", units=[so_tc, so_yt, sttt]
    )
    districts = RecipientGroupFactory(
        name="UBND các huyện", code="cac-huyen", kinds=[Unit.Kind.DISTRICT_COMMITTEE]
    )
    press = RecipientGroupFactory(name="Báo chí địa phương", code="bao-chi", units=[bao, ptth])
    return Agency(
        sttt=sttt,
        division=division,
        office=office,
        drafter=UserFactory(
            unit=division, roles=[roles.DRAFTER], last_name="Trần Văn", first_name="Bình"
        ),
        signer=UserFactory(
            unit=sttt, roles=[roles.SIGNER], last_name="Lê Thị", first_name="Thu Hương"
        ),
        clerk=UserFactory(unit=office, roles=[roles.CLERK], last_name="Phạm Thị", first_name="Lan"),
        so_tc=so_tc,
        so_yt=so_yt,
        chu_pah=chu_pah,
        bao=bao,
        bo=bo,
        ptth=ptth,
        departments=departments,
        districts=districts,
        press=press,
    )


@pytest.fixture
def agency(db) -> Agency:
    return build_agency()


@pytest.fixture
def other_agency(db) -> dict:
    """Another issuing department with people in every role."""
    syt = Unit.objects.filter(code="SYT").first() or UnitFactory(code="SYT", name="Sở Y tế")
    return {
        role: UserFactory(unit=syt, roles=[role])
        for role in (roles.DRAFTER, roles.SIGNER, roles.CLERK)
    }
