"""The Administrator role keeps officers and their roles, and cannot make anyone a superuser:
superuser status, permissions, superusers' accounts and other administrators' passwords are
for superusers. Every change of an account is in the audit log, with who made it."""

from __future__ import annotations

import lxml.html
import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from recipients import roles
from recipients.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Mat-khau-moi-2027"


def change_form_data(client, user: User) -> dict:
    """What the browser would send back from the user's change page, as it stands."""
    response = client.get(reverse("admin:recipients_user_change", args=[user.pk]))
    assert response.status_code == 200
    form = lxml.html.fromstring(response.content).xpath("//form[@id='user_form']")[0]
    data: dict = {}
    for field in form.xpath(".//input[@name]|.//select[@name]|.//textarea[@name]"):
        name, kind = field.get("name"), field.get("type")
        if field.tag == "select":
            chosen = [o.get("value") for o in field.xpath(".//option[@selected]")]
            data[name] = chosen if field.get("multiple") is not None else (chosen or [""])[0]
        elif kind in ("checkbox", "radio"):
            if field.get("checked") is not None:
                data[name] = field.get("value") or "on"
        elif kind not in ("submit", "file"):
            data[name] = field.get("value") or (field.text or "")
    return data


def save(client, user: User, **changes):
    data = {**change_form_data(client, user), **changes}
    return client.post(reverse("admin:recipients_user_change", args=[user.pk]), data)


@pytest.fixture
def superuser(db):
    return UserFactory(username="sieuquantri", is_superuser=True, is_staff=True)


@pytest.fixture
def officer(db):
    return UserFactory(username="chupah", roles=[roles.UNIT_OFFICER])


def test_administrator_cannot_make_itself_a_superuser_nor_grant_permissions(client, administrator):
    client.force_login(administrator)
    every = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    response = save(client, administrator, is_superuser="on", user_permissions=every)
    assert response.status_code == 302  # the rest of the form saves
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert not administrator.user_permissions.exists()
    page = client.get(reverse("admin:recipients_user_change", args=[administrator.pk]))
    form = lxml.html.fromstring(page.content).xpath("//form[@id='user_form']")[0]
    assert not form.xpath(".//input[@name='is_superuser']")
    assert not form.xpath(".//select[@name='user_permissions']")


def test_administrator_cannot_make_an_officer_a_superuser(client, administrator, officer):
    client.force_login(administrator)
    save(client, officer, is_superuser="on")
    officer.refresh_from_db()
    assert not officer.is_superuser


def test_administrator_gives_only_the_five_roles(client, administrator, officer):
    powerful = Group.objects.create(name="Everything")
    powerful.permissions.set(Permission.objects.all())
    client.force_login(administrator)
    page = client.get(reverse("admin:recipients_user_change", args=[officer.pk]))
    offered = set(
        page.context["adminform"].form.fields["groups"].queryset.values_list("name", flat=True)
    )
    assert offered == set(roles.ALL_ROLES)
    save(client, officer, groups=[str(powerful.pk)])
    assert not officer.groups.filter(name="Everything").exists()


def test_administrator_cannot_change_a_superuser(client, administrator, superuser):
    client.force_login(administrator)
    url = reverse("admin:recipients_user_change", args=[superuser.pk])
    assert client.get(url).status_code == 200  # seen, read only
    response = client.post(url, {"username": "sieuquantri", "is_active": ""})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.is_superuser


@pytest.mark.parametrize("target", ["superuser", "other administrator"])
def test_administrator_cannot_set_a_superusers_or_another_administrators_password(
    client, administrator, superuser, role_user, target
):
    account = superuser if target == "superuser" else role_user(roles.ADMINISTRATOR)
    client.force_login(administrator)
    url = reverse("admin:auth_user_password_change", args=[account.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    account.refresh_from_db()
    assert not account.check_password(NEW_PASSWORD)


def test_administrator_sets_an_officers_password_and_it_is_recorded(client, administrator, officer):
    client.force_login(administrator)
    url = reverse("admin:auth_user_password_change", args=[officer.pk])
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    entry = (
        LogEntry.objects.get_for_object(officer).filter(changes__has_key="password").latest("pk")
    )
    assert entry.actor == administrator
    assert "pbkdf2" not in str(entry.changes) and officer.password[-10:] not in str(entry.changes)


def test_superuser_grants_superuser_status_and_it_is_recorded(client, superuser, officer):
    client.force_login(superuser)
    change = Permission.objects.get(codename="change_unit")
    response = save(client, officer, is_superuser="on", user_permissions=[str(change.pk)])
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_superuser and list(officer.user_permissions.all()) == [change]
    entries = LogEntry.objects.get_for_object(officer).filter(actor=superuser)
    assert any(e.changes_dict.get("is_superuser") == ["False", "True"] for e in entries)
    assert any("user_permissions" in e.changes_dict for e in entries)


def test_role_changes_are_recorded_with_who_made_them(client, administrator, officer):
    clerk = Group.objects.get(name=roles.CLERK)
    client.force_login(administrator)
    save(client, officer, groups=[str(g.pk) for g in officer.groups.all()] + [str(clerk.pk)])
    assert officer.groups.filter(name=roles.CLERK).exists()
    entry = LogEntry.objects.get_for_object(officer).filter(changes__has_key="groups").latest("pk")
    assert entry.actor == administrator
    assert entry.changes_dict["groups"]["operation"] == "add"
    assert entry.changes_dict["groups"]["objects"] == [str(clerk)]
