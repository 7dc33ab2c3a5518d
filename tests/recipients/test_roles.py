"""Each role (a Django group made by the roles migration) carries the permissions it needs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from recipients import roles

pytestmark = pytest.mark.django_db


def test_the_five_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_role_group_holds_exactly_its_permissions(role):
    group = Group.objects.get(name=role)
    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(roles.ROLE_PERMISSIONS[role])


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            roles.DRAFTER,
            ["directives.submit_directive", "recipients.view_directory"],
            [
                "directives.approve_directive",
                "directives.issue_directive",
                "recipients.change_unit",
            ],
        ),
        (
            roles.SIGNER,
            ["directives.approve_directive"],
            ["directives.issue_directive", "directives.submit_directive"],
        ),
        (
            roles.CLERK,
            [
                "directives.issue_directive",
                "directives.track_directive",
                "directives.recall_directive",
            ],
            ["directives.approve_directive", "recipients.change_unit"],
        ),
        (
            roles.UNIT_OFFICER,
            ["directives.receive_directive"],
            ["recipients.view_directory", "directives.view_directive", "recipients.change_unit"],
        ),
        (
            roles.ADMINISTRATOR,
            [
                "recipients.change_unit",
                "recipients.change_recipientgroup",
                "recipients.add_user",
                "recipients.view_directory",
            ],
            ["directives.issue_directive", "directives.approve_directive"],
        ),
    ],
)
def test_user_of_role_has_and_lacks(role_user, role, allowed, refused):
    user = role_user(role)
    for perm in allowed:
        assert user.has_perm(perm), perm
    for perm in refused:
        assert not user.has_perm(perm), perm
    assert user.has_role(role)


def test_a_person_can_hold_several_roles(role_user):
    user = role_user(roles.DRAFTER, roles.CLERK)
    assert user.has_perm("directives.submit_directive")
    assert user.has_perm("directives.issue_directive")


@pytest.mark.django_db
def test_migrate_gives_back_a_lost_role_with_its_permissions():
    """post_migrate re-syncs the roles: a deleted group (or a flushed database) gets them back."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    Group.objects.filter(name=roles.CLERK).delete()
    call_command("migrate", verbosity=0)
    clerk = Group.objects.get(name=roles.CLERK)
    codenames = {f"{p.content_type.app_label}.{p.codename}" for p in clerk.permissions.all()}
    assert codenames == set(roles.ROLE_PERMISSIONS[roles.CLERK])
