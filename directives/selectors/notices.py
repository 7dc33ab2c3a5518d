"""A person's own in-app notices, as the bell beside every page's menu counts them."""

from __future__ import annotations

from common.cache import cached_under_version
from directives.models import Notification
from recipients.models import User

# The count is exact under its version (services.notices.notice_counts_expire); the time only
# lets the cache forget the people who stopped coming.
UNREAD_CACHE_SECONDS = 3600


def unread_notification_count(user: User) -> int:
    """The person's unread in-app notices: counted once, then kept until one of their notices
    is written, read or deleted (one cache read on every page rather than a count)."""
    return cached_under_version(
        notices_version_name(user.pk),
        f"{notices_version_name(user.pk)}:unread",
        lambda: Notification.objects.filter(
            user=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
        ).count(),
        UNREAD_CACHE_SECONDS,
    )


def notices_version_name(user_id: int) -> str:
    return f"notices:{user_id}"
