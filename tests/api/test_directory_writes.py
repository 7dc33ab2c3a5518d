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


def test_an_administrator_deletes_a_unit_nothing_refers_to(admin, agency):
    mistyped = Unit.objects.create(code="SNV-X", name="Sở Nội vụ (gõ nhầm)", kind="department")
    agency.departments.members.add(mistyped)
    assert admin.delete(f"/api/v1/units/{mistyped.pk}/").status_code == 204
    assert not Unit.objects.filter(pk=mistyped.pk).exists()
    assert admin.delete(f"/api/v1/units/{mistyped.pk}/").status_code == 404


def test_a_unit_with_officers_or_letters_is_kept_with_a_409(admin, agency):
    agency.draft()  # names the press agency as an addressee
    for unit in (agency.sttt, agency.bao):
        response = admin.delete(f"/api/v1/units/{unit.pk}/")
        assert response.status_code == 409
        assert "cannot be deleted" in response.json()["detail"]
        assert Unit.objects.filter(pk=unit.pk).exists()
    in_vietnamese = token_client(
        UserFactory(unit=agency.sttt, roles=[roles.ADMINISTRATOR]), language="vi"
    ).delete(f"/api/v1/units/{agency.sttt.pk}/")
    assert in_vietnamese.status_code == 409
    assert "Không thể xoá đơn vị này" in in_vietnamese.json()["detail"]


def test_an_administrator_deletes_a_group_no_letter_names(admin, agency):
    spare = RecipientGroup.objects.create(code="du-phong", name="Nhóm dự phòng")
    spare.members.add(agency.so_tc)
    assert admin.delete(f"/api/v1/groups/{spare.pk}/").status_code == 204
    assert not RecipientGroup.objects.filter(pk=spare.pk).exists()
    assert Unit.objects.filter(pk=agency.so_tc.pk).exists()

    agency.draft()  # addressed to the departments' group
    named = admin.delete(f"/api/v1/groups/{agency.departments.pk}/")
    assert named.status_code == 409 and "cannot be deleted" in named.json()["detail"]
    assert RecipientGroup.objects.filter(pk=agency.departments.pk).exists()


def test_only_administrators_delete_units_and_groups(agency):
    spare_unit = Unit.objects.create(code="TMP", name="Tạm", kind="other")
    spare_group = RecipientGroup.objects.create(code="tam", name="Tạm")
    for role in (agency.drafter, agency.clerk):
        client = token_client(role)
        assert client.delete(f"/api/v1/units/{spare_unit.pk}/").status_code == 403
        assert client.delete(f"/api/v1/groups/{spare_group.pk}/").status_code == 403
    assert Unit.objects.filter(pk=spare_unit.pk).exists()
    assert RecipientGroup.objects.filter(pk=spare_group.pk).exists()


def test_a_unit_or_group_named_only_in_a_drafts_task_is_kept_with_a_409(admin, agency):
    from directives.models import Task

    unit = Unit.objects.create(code="TASK-ONLY", name="Chỉ trong nhiệm vụ", kind="other")
    group = RecipientGroup.objects.create(code="task-only", name="Chỉ trong nhiệm vụ")
    task = Task.objects.create(directive=agency.draft(), title="Báo cáo")
    task.units.add(unit)
    task.groups.add(group)
    for url in (f"/api/v1/units/{unit.pk}/", f"/api/v1/groups/{group.pk}/"):
        response = admin.delete(url)
        assert response.status_code == 409
        assert "tasks of 1 letter" in response.json()["detail"]
    assert list(task.units.all()) == [unit] and list(task.groups.all()) == [group]
