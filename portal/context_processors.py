from django.conf import settings
from django.utils.functional import SimpleLazyObject

from directives.selectors.notices import unread_notification_count
from directives.selectors.todo import has_todo_page, menu_counts


def portal(request):
    """Shared template context: the portal's name, the signed-in user's unread notices and the
        counts beside their menu's entries (counted only when a page shows them); none of it before
    the login's second step is passed."""
    unread = 0
    counts = None
    todo = False
    user = getattr(request, "user", None)
    # Before the login's second step the menu is not shown (recipients.middleware).
    pending = getattr(request, "two_factor_pending", False)
    if user is not None and user.is_authenticated and not pending:
        unread = unread_notification_count(user)
        counts = SimpleLazyObject(lambda: menu_counts(user))
        todo = SimpleLazyObject(lambda: has_todo_page(user))
    return {
        "PORTAL_NAME": "Cổng văn bản điều hành",
        "PORTAL_AGENCY": getattr(settings, "PORTAL_AGENCY", "Sở Thông tin và Truyền thông Gia Lai"),
        "unread_notifications": unread,
        "menu_counts": counts,
        "has_todo_page": todo,
        "two_factor_pending": pending,
    }
