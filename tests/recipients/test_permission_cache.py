"""A user's permissions kept in the cache between requests (recipients/permissions.py): read
from the database once, and again at the next request after any change of roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recipients import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "directives:register"  # the clerk's desk


@pytest.fixture(autouse=True)
def cached(settings):
    # The tests' one process: its own cache is the one every process shares.
    settings.CACHE_IS_SHARED = True
    settings.PERMISSION_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clerk(role_user):
    return role_user(roles.CLERK)


def permission_reads(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('"auth_permission"' in q["sql"] for q in queries)


def test_a_users_permissions_are_read_once_not_on_every_page(client, clerk):
    client.force_login(clerk)
    assert permission_reads(client, reverse(REGISTER)) == 2  # the user's own and their roles'
    assert permission_reads(client, reverse(REGISTER)) == 0
    assert permission_reads(client, reverse("directives:incoming")) == 0


def test_without_a_shared_cache_they_are_read_on_every_request(client, clerk, settings):
    settings.PERMISSION_CACHE_SECONDS = 0
    client.force_login(clerk)
    assert permission_reads(client, reverse(REGISTER)) == 2
    assert permission_reads(client, reverse(REGISTER)) == 2


def _role_taken_away(user) -> None:
    user.groups.remove(Group.objects.get(name=roles.CLERK))


def _roles_cleared(user) -> None:
    user.groups.clear()


def _role_left_without_permissions(user) -> None:
    Group.objects.get(name=roles.CLERK).permissions.clear()


def _role_deleted(user) -> None:
    Group.objects.filter(name=roles.CLERK).delete()


@pytest.mark.parametrize(
    "change",
    [_role_taken_away, _roles_cleared, _role_left_without_permissions, _role_deleted],
    ids=["role taken away", "all roles cleared", "role's permissions cleared", "role deleted"],
)
def test_a_withdrawn_role_closes_the_desk_at_the_next_request(client, clerk, change):
    client.force_login(clerk)
    assert client.get(reverse(REGISTER)).status_code == 200

    change(clerk)

    assert client.get(reverse(REGISTER)).status_code == 403


def _role_given(user) -> None:
    user.groups.add(Group.objects.get(name=roles.CLERK))


def _role_given_from_the_roles_side(user) -> None:
    Group.objects.get(name=roles.CLERK).user_set.add(user)


def _permissions_given_to_a_role_held(user) -> None:
    clerk_role = Group.objects.get(name=roles.CLERK)
    held = Group.objects.get(name=roles.DRAFTER)
    held.permissions.add(*clerk_role.permissions.all())


def _own_permissions_given(user) -> None:
    user.user_permissions.add(*Permission.objects.filter(group__name=roles.CLERK))


def _made_superuser(user) -> None:
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])


@pytest.mark.parametrize(
    "change",
    [
        _role_given,
        _role_given_from_the_roles_side,
        _permissions_given_to_a_role_held,
        _own_permissions_given,
        _made_superuser,
    ],
    ids=["role given", "added to the role", "role held gets them", "own permissions", "superuser"],
)
def test_a_role_given_opens_the_desk_at_the_next_request(client, role_user, change):
    drafter = role_user(roles.DRAFTER)
    client.force_login(drafter)
    assert client.get(reverse(REGISTER)).status_code == 403

    change(drafter)

    assert client.get(reverse(REGISTER)).status_code == 200


def test_a_new_person_given_a_deleted_persons_id_has_only_their_own_roles(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse(REGISTER)).status_code == 200
    pk = clerk.pk
    client.logout()
    clerk.delete()

    newcomer = UserFactory(pk=pk, username="nguoimoi")  # no role yet
    client.force_login(newcomer)

    assert client.get(reverse(REGISTER)).status_code == 403


def test_the_signed_in_users_unit_comes_with_them(client, clerk):
    """The menu names the user's unit on every page: read in the query that reads the user,
    never by a lookup of its own (`user.unit` loaded on first use)."""
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse(REGISTER))
    assert page.status_code == 200 and clerk.unit.name in page.content.decode()
    lookup = f'WHERE "recipients_unit"."id" = {clerk.unit_id} LIMIT 21'
    assert not any(lookup in q["sql"] for q in queries)
    assert any(
        'FROM "recipients_user" LEFT OUTER JOIN "recipients_unit"' in q["sql"] for q in queries
    )
