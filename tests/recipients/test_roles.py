"""What each role (a Django group made by the roles migration) lets a person reach: the pages
of their desk open, every other desk's page is refused. The moves themselves (submit, approve,
issue, recall, report) are checked role by role in tests/directives/core and workspace."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from recipients import roles

pytestmark = pytest.mark.django_db

PAGES = {
    "directive list": "directives:list",
    "new draft": "directives:create",
    "register": "directives:register",
    "paper letter": "directives:paper_create",
    "dashboard": "directives:dashboard",
    "inbox": "directives:inbox",
    "incoming book": "directives:incoming",
    "directory": "recipients:directory",
    "units in admin": "admin:recipients_unit_changelist",
    "groups in admin": "admin:recipients_recipientgroup_changelist",
}
DESKS = {
    roles.DRAFTER: {"directive list", "new draft", "directory"},
    roles.SIGNER: {"directive list", "directory"},
    # The clerk keeps the agency's incoming book too (văn thư: văn bản đi and văn bản đến).
    roles.CLERK: {
        "directive list",
        "register",
        "paper letter",
        "dashboard",
        "directory",
        "inbox",
        "incoming book",
    },
    roles.UNIT_OFFICER: {"inbox", "incoming book"},
    roles.ADMINISTRATOR: {"directory", "units in admin", "groups in admin"},
}


def reachable(client, user) -> set[str]:
    """The pages that open for `user`; every other one must be refused, not broken."""
    client.force_login(user)
    opened = set()
    for page, name in PAGES.items():
        response = client.get(reverse(name))
        if response.status_code == 200:
            opened.add(page)
        elif name.startswith("admin:") and not user.is_staff:
            assert response.status_code == 302, page  # to the admin's login
            assert response["Location"].startswith(reverse("admin:login")), page
        else:
            assert response.status_code == 403, (page, response.status_code)
    return opened


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_each_role_reaches_its_desk_and_nothing_else(client, role_user, role):
    assert reachable(client, role_user(role)) == DESKS[role]


def test_a_user_without_a_role_reaches_no_desk(client, role_user):
    assert reachable(client, role_user()) == set()


def test_a_person_with_two_roles_reaches_both_desks(client, role_user):
    both = role_user(roles.DRAFTER, roles.CLERK)
    assert reachable(client, both) == DESKS[roles.DRAFTER] | DESKS[roles.CLERK]


def test_migrate_gives_back_a_lost_role_and_its_people_their_desk(client, role_user):
    """post_migrate re-syncs the roles: a deleted group (or a flushed database) comes back as it
    was, and a clerk put back in it reaches the clerk's desk again."""
    clerk = role_user(roles.CLERK)
    before = set(Group.objects.get(name=roles.CLERK).permissions.all())
    Group.objects.filter(name=roles.CLERK).delete()
    assert reachable(client, clerk) == set()

    call_command("migrate", verbosity=0)

    group = Group.objects.get(name=roles.CLERK)
    assert set(group.permissions.all()) == before
    clerk.groups.add(group)
    assert reachable(client, clerk) == DESKS[roles.CLERK]
