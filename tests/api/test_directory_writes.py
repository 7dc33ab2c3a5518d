"""Administrators add and change units and groups through the API; nobody else does; the
model's rules refuse bad values with the field's error, nothing saved."""

from __future__ import annotations

import pytest

from recipients import roles
from recipients.models import RecipientGroup, Unit
from tests.api.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(agency):
    return token_client(UserFactory(unit=agency.sttt, roles=[roles.ADMINISTRATOR]))


def test_an_administrator_adds_and_changes_a_unit(admin, agency):
    made = admin.post(
        "/api/v1/units/",
        {"code": "SNV", "name": "Sở Nội vụ", "kind": "department"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["code"] == "SNV" and made.json()["kind"] == "department"
    unit = Unit.objects.get(code="SNV")
    changed = admin.patch(f"/api/v1/units/{unit.pk}/", {"short_name": "SNV"}, format="json")
    assert changed.status_code == 200 and changed.json()["short_name"] == "SNV"
    assert Unit.objects.get(pk=unit.pk).name == "Sở Nội vụ"


def test_a_taken_code_or_a_bad_kind_is_a_400_by_field(admin, agency):
    taken = admin.post(
        "/api/v1/units/", {"code": "STC", "name": "Trùng mã", "kind": "department"}, format="json"
    )
    assert taken.status_code == 400 and "code" in taken.json()
    bad = admin.post(
        "/api/v1/units/", {"code": "NEW", "name": "Mới", "kind": "planet"}, format="json"
    )
    assert bad.status_code == 400 and "kind" in bad.json()
    assert not Unit.objects.filter(name__in=["Trùng mã", "Mới"]).exists()


def test_only_administrators_write_the_directory(agency):
    drafter = token_client(agency.drafter)
    response = drafter.post(
        "/api/v1/units/", {"code": "SNV", "name": "Sở Nội vụ", "kind": "department"}, format="json"
    )
    assert response.status_code == 403
    assert drafter.patch(f"/api/v1/units/{agency.so_tc.pk}/", {"name": "X"}).status_code == 403
    assert drafter.post("/api/v1/groups/", {"code": "x", "name": "X"}).status_code == 403
    assert not Unit.objects.filter(code="SNV").exists()
    assert Unit.objects.get(pk=agency.so_tc.pk).name == "Sở Tài chính"


def test_an_administrator_makes_a_group_of_units_and_kinds(admin, agency):
    made = admin.post(
        "/api/v1/groups/",
        {
            "code": "so-tc-yt",
            "name": "Sở Tài chính và Sở Y tế",
            "members": [agency.so_tc.pk, agency.so_yt.pk],
            "kinds": ["district_committee"],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert sorted(made.json()["units"]) == sorted(
        [agency.so_tc.pk, agency.so_yt.pk, agency.chu_pah.pk]
    )
    group = RecipientGroup.objects.get(code="so-tc-yt")
    renamed = admin.patch(f"/api/v1/groups/{group.pk}/", {"name": "Hai Sở"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Hai Sở"
    assert group.members.count() == 2
    bad = admin.patch(f"/api/v1/groups/{group.pk}/", {"kinds": ["planet"]}, format="json")
    assert bad.status_code == 400 and "kinds" in bad.json()
