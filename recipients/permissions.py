"""A user's permissions kept in the shared cache between requests.

Django's ModelBackend reads them with two queries (the user's own, their roles') once per
request, on every page that checks one: most of a light page's database time. Here they are
kept under a key made of a version and the user; any change of roles or permissions (a user's
roles, a role's permissions, a role or a permission made or deleted, a migration) sets a new
version, so every user's are read again at their next check. Only with a cache that every
process shares (PERMISSION_CACHE_SECONDS is 0 by default with the per-process cache): one
process's cache would keep a withdrawn role alive in the others. The shared cache down costs
time only (common/cache.py): the permissions are then read from the database.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from common.cache import cache_version_bump, cached_under_version

# The name of everyone's permissions' version (common/cache.py): what is kept for a person and
# depends on what they may see names it too.
PERMISSIONS_VERSION = "permissions"


def permissions_changed(**kwargs) -> None:
    """A new version of everyone's permissions (common/cache.py, cache_version_bump)."""
    cache_version_bump(PERMISSIONS_VERSION)


class CachedModelBackend(ModelBackend):
    """ModelBackend, its permissions read through the cache. Whether the user is active is
    still asked of the user itself on every check (ModelBackend does)."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        seconds = settings.PERMISSION_CACHE_SECONDS
        if (
            not seconds
            or not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or hasattr(user_obj, "_perm_cache")
        ):
            return super().get_all_permissions(user_obj, obj)
        # A superuser has every permission: the flag is part of the key, so granting or
        # withdrawing it needs no signal.
        found = cached_under_version(
            PERMISSIONS_VERSION,
            f"permissions:{user_obj.pk}:{int(user_obj.is_superuser)}",
            lambda: super(CachedModelBackend, self).get_all_permissions(user_obj),
            seconds,
        )
        user_obj._perm_cache = found
        return found

    def get_user(self, user_id):
        """The signed-in user with their unit, in the one query every page makes for them:
        the menu names the unit, and the scoping selectors start from it."""
        users = get_user_model()
        try:
            user = users._default_manager.select_related("unit").get(pk=user_id)
        except users.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
