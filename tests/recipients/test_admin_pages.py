"""Every admin page of the recipient lists opens for an administrator and for no other role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from recipients import roles
from recipients.models import RecipientGroup, Unit, User
from tests.factories import RecipientGroupFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

OTHER_ROLES = [roles.DRAFTER, roles.SIGNER, roles.CLERK, roles.UNIT_OFFICER]


@pytest.fixture
def admin_urls(db) -> list[str]:
    unit = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    child = UnitFactory(code="TTBCXB", name="Phòng TTBCXB", kind="division", parent=unit)
    group = RecipientGroupFactory(kinds=["department"], units=[child])
    officer = UserFactory(unit=child)
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["recipients"])]
    for model, obj in (("unit", unit), ("recipientgroup", group), ("user", officer)):
        urls += [
            reverse(f"admin:recipients_{model}_changelist"),
            reverse(f"admin:recipients_{model}_add"),
            reverse(f"admin:recipients_{model}_change", args=[obj.pk]),
        ]
    urls += [
        reverse("admin:recipients_unit_import"),
        reverse("admin:recipients_unit_export"),
        reverse("admin:recipients_recipientgroup_import"),
        reverse("admin:recipients_recipientgroup_export"),
        reverse("admin:recipients_unit_changelist") + "?kind__exact=department&is_active__exact=1",
        reverse("admin:recipients_unit_changelist") + f"?parent={unit.pk}&is_external__exact=0",
        reverse("admin:recipients_unit_changelist") + "?q=ttbcxb",
        reverse("admin:recipients_user_changelist") + "?q=nguyen",
    ]
    return urls


def test_administrator_opens_every_admin_page(client, administrator, admin_urls):
    client.force_login(administrator)
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_every_admin_page(client, role_user, role, admin_urls):
    client.force_login(role_user(role))
    for url in admin_urls:
        response = client.get(url)
        # Not staff: the admin sends them to its login page; never a 200.
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]


def test_staff_without_role_cannot_see_units(client, role_user, admin_urls):
    user = role_user(is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:recipients_unit_changelist")).status_code == 403
    assert client.get(reverse("admin:recipients_unit_import")).status_code == 403


def test_anonymous_is_sent_to_login(client, admin_urls):
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_unit_search_with_or_without_accents(client, administrator):
    UnitFactory(code="UBND.CHUPAH", name="Ủy ban nhân dân huyện Chư Păh")
    UnitFactory(code="UBND.CHUSE", name="Ủy ban nhân dân huyện Chư Sê")
    client.force_login(administrator)
    url = reverse("admin:recipients_unit_changelist")
    for query in ("chu pah", "Chư Păh", "CHU PAH"):
        names = [u.name for u in client.get(url, {"q": query}).context["cl"].result_list]
        assert names == ["Ủy ban nhân dân huyện Chư Păh"], query


def test_group_membership_uses_autocomplete_and_kinds_checkboxes(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:recipients_recipientgroup_add")).content.decode()
    assert 'class="admin-autocomplete' in page  # members: autocomplete, not 500 checkboxes
    assert page.count('name="kinds"') == len(Unit.Kind.choices)


def test_unit_autocomplete_finds_accent_free(client, administrator):
    UnitFactory(code="UBND.CHUPAH", name="Ủy ban nhân dân huyện Chư Păh")
    client.force_login(administrator)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "chu pah",
            "app_label": "recipients",
            "model_name": "recipientgroup",
            "field_name": "members",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Ủy ban nhân dân huyện Chư Păh"]


def test_administrator_saves_a_group_with_kinds_and_members(client, administrator):
    press = UnitFactory(code="BAOGL", name="Báo Gia Lai", kind="press")
    district = UnitFactory(
        code="UBND.PLEIKU", name="UBND thành phố Pleiku", kind="district_committee"
    )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:recipients_recipientgroup_add"),
        {
            "name": "Báo chí và huyện",
            "code": "bao-chi-va-huyen",
            "description": "",
            "kinds": ["district_committee"],
            "members": [press.pk],
            "sort_order": "0",
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    group = RecipientGroup.objects.get(code="bao-chi-va-huyen")
    assert group.kinds == ["district_committee"]
    assert list(group.current_units()) == [press, district]
    change = client.get(reverse("admin:recipients_recipientgroup_change", args=[group.pk]))
    assert "UBND thành phố Pleiku" in change.content.decode()  # the current units, read-only


def test_administrator_adds_an_officer_with_unit_and_role(client, administrator):
    unit = UnitFactory(code="UBND.CHUPAH", name="UBND huyện Chư Păh", kind="district_committee")
    officer_role = Group.objects.get(name=roles.UNIT_OFFICER)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:recipients_user_add"),
        {
            "username": "chupah2",
            "usable_password": "true",
            "password1": "Mat-khau-dai-2026",
            "password2": "Mat-khau-dai-2026",
            "last_name": "Nguyễn",
            "first_name": "Văn B",
            "email": "",
            "unit": unit.pk,
            "title": "Chuyên viên",
            "is_unit_head": "on",
            "groups": [officer_role.pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="chupah2")
    assert user.unit == unit and user.is_unit_head and user.has_role(roles.UNIT_OFFICER)


def test_the_admin_keeps_a_unit_or_group_a_drafts_task_names(client, administrator, agency):
    from directives.models import Task
    from tests.factories import DirectiveFactory

    unit = UnitFactory(code="TASK-ONLY", name="Chỉ trong nhiệm vụ")
    group = RecipientGroupFactory(code="task-only", name="Nhóm chỉ trong nhiệm vụ")
    spare = UnitFactory(code="SPARE", name="Đơn vị nhập nhầm")
    task = Task.objects.create(directive=DirectiveFactory(issuing_unit=agency), title="Báo cáo")
    task.units.add(unit)
    task.groups.add(group)
    client.force_login(administrator)
    for model, obj in (("unit", unit), ("recipientgroup", group)):
        url = reverse(f"admin:recipients_{model}_delete", args=[obj.pk])
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 200  # the page again, saying why, not a redirect
        assert "nhiệm vụ của 1 văn bản" in response.content.decode()
    # The list's action with a deletable unit beside it deletes neither.
    response = client.post(
        reverse("admin:recipients_unit_changelist"),
        {"action": "delete_selected", "_selected_action": [unit.pk, spare.pk], "post": "yes"},
    )
    assert "nhiệm vụ của 1 văn bản" in response.content.decode()
    assert Unit.objects.filter(pk__in=[unit.pk, spare.pk]).count() == 2
    assert RecipientGroup.objects.filter(pk=group.pk).exists()
    assert list(task.units.all()) == [unit] and list(task.groups.all()) == [group]
    # Nothing names the spare unit: it is deleted.
    client.post(reverse("admin:recipients_unit_delete", args=[spare.pk]), {"post": "yes"})
    assert not Unit.objects.filter(pk=spare.pk).exists()
