"""`manage.py loaddemo`: the Gia Lai demo province, idempotent, never on a production portal."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from recipients import roles
from recipients.demo import DEMO_PASSWORD
from recipients.models import RecipientGroup, Unit, User

pytestmark = pytest.mark.django_db

SAMPLE_LETTER_GROUPS = [
    "Các Sở, ban ngành",
    "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Các cơ quan báo chí địa phương",
    "Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh",
]


def counts() -> tuple[int, int, int, int]:
    memberships = RecipientGroup.members.through.objects.count()
    return Unit.objects.count(), RecipientGroup.objects.count(), User.objects.count(), memberships


def run() -> str:
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


def test_loaddemo_twice_gives_the_same_province(settings):
    settings.DEBUG = True
    output = run()
    first = counts()
    run()
    assert counts() == first
    assert Unit.objects.filter(kind=Unit.Kind.DISTRICT_COMMITTEE).count() == 17
    for name in SAMPLE_LETTER_GROUPS:
        assert RecipientGroup.objects.get(name=name).current_units().exists(), name
    assert DEMO_PASSWORD in output and "chuyenvien" in output and "chupah.truong" in output


def test_demo_province_matches_the_sample_letter(settings):
    settings.DEBUG = True
    run()
    sttt = Unit.objects.get(code="STTTT")
    assert sttt.kind == Unit.Kind.DEPARTMENT and sttt.head_title == "GIÁM ĐỐC" and not sttt.parent
    assert Unit.objects.get(code="TTBCXB").parent == sttt
    assert Unit.objects.get(code="UBND").kind == Unit.Kind.PROVINCIAL_COMMITTEE
    ministry = Unit.objects.get(code="BTTTT")
    assert ministry.is_external and ministry.email_list and not ministry.officers.exists()
    chupah = Unit.objects.get(code="UBND.CHUPAH")
    assert chupah.name == "Ủy ban nhân dân huyện Chư Păh"
    assert {c.kind for c in chupah.children.all()} == {Unit.Kind.DIVISION, Unit.Kind.OTHER}
    departments = RecipientGroup.objects.get(name="Các Sở, ban ngành").current_units()
    assert sttt not in departments and departments.count() >= 15
    districts = RecipientGroup.objects.get(code="ubnd-cap-huyen").current_units()
    assert districts.count() == 17
    press = RecipientGroup.objects.get(name="Các cơ quan báo chí địa phương").current_units()
    assert [u.code for u in press] == ["BAOGL", "PTTHGL"]
    assert RecipientGroup.objects.get(code="phong-vhtt-cap-huyen").current_units().count() == 17
    for unit in Unit.objects.all():
        unit.full_clean()  # codes, e-mails: every demo unit passes the admin's own rules
        assert unit.email_list, unit.code
    # Two issuers write "UBND" in their symbols; identifier codes are unique.
    assert Unit.objects.get(code="UBND").abbreviation == chupah.abbreviation == "UBND"
    assert chupah.identifier_code and chupah.has_normative_register
    assert Unit.objects.get(code="VP.CHUPAH").parent == chupah
    assert Unit.objects.get(code="VPS").abbreviation == "VP"
    identifiers = [u.identifier_code for u in Unit.objects.exclude(identifier_code="")]
    assert len(identifiers) == len(set(identifiers)) > 17


def test_demo_users_one_per_role(settings, client):
    settings.DEBUG = True
    run()
    expected = {
        "chuyenvien": (roles.DRAFTER, "TTBCXB"),
        "lanhdao": (roles.SIGNER, "STTTT"),
        "vanthu": (roles.CLERK, "VPS"),
        "quantri": (roles.ADMINISTRATOR, "VPS"),
        "chupah": (roles.UNIT_OFFICER, "UBND.CHUPAH"),
        "baogialai": (roles.UNIT_OFFICER, "BAOGL"),
        "stttt": (roles.UNIT_OFFICER, "STTTT"),
        "chupah.chuyenvien": (roles.DRAFTER, "VHTT.CHUPAH"),
        "chupah.lanhdao": (roles.SIGNER, "UBND.CHUPAH"),
        "chupah.vanthu": (roles.CLERK, "VP.CHUPAH"),
    }
    for username, (role, code) in expected.items():
        user = User.objects.get(username=username)
        assert user.has_role(role) and user.unit.code == code, username
    signer = User.objects.get(username="lanhdao")
    assert signer.get_full_name() == "Lê Thị Thu Hương" and signer.title == "PHÓ GIÁM ĐỐC"
    assert User.objects.get(username="quantri").is_staff
    heads = User.objects.filter(is_unit_head=True, unit__kind=Unit.Kind.DISTRICT_COMMITTEE)
    assert heads.count() == 17
    officers = User.objects.filter(unit__kind=Unit.Kind.DISTRICT_COMMITTEE)
    assert officers.values("unit").distinct().count() == 17
    response = client.post("/login/", {"username": "chupah", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_loaddemo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("loaddemo", stdout=io.StringIO())
    assert not Unit.objects.exists()
