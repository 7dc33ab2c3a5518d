"""A person's own in-app notices, as the bell beside every page's menu counts them."""

from __future__ import annotations

from common.cache import cached_under_version, versioned_keys
from directives.models import Notification
from recipients.models import User

# The count is exact under its version (services.notices.notice_counts_expire); the time only
# lets the cache forget the people who stopped coming.
UNREAD_CACHE_SECONDS = 3600


def unread_notification_count(user: User) -> int:
    """The person's unread in-app notices: counted once, then kept until one of their notices
    is written, read or deleted (one cache read on every page rather than a count)."""
    return cached_under_version(
        *_unread_kept_as(user),
        lambda: Notification.objects.filter(
            user=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
        ).count(),
        UNREAD_CACHE_SECONDS,
    )


def unread_kept_keys(user: User) -> list[str]:
    """The cache keys unread_notification_count reads (common/cache.py, cache_read_ahead)."""
    return versioned_keys(*_unread_kept_as(user))


def _unread_kept_as(user: User) -> tuple[str, str]:
    return notices_version_name(user.pk), f"{notices_version_name(user.pk)}:unread"


def notices_version_name(user_id: int) -> str:
    return f"notices:{user_id}"
