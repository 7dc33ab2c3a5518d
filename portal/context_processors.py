from django.conf import settings


def portal(request):
    """Shared template context: the portal's name and the signed-in user's unread notices."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(channel="in_app", read_at__isnull=True).count()
    return {
        "PORTAL_NAME": "Cổng văn bản điều hành",
        "PORTAL_AGENCY": getattr(settings, "PORTAL_AGENCY", "Sở Thông tin và Truyền thông Gia Lai"),
        "unread_notifications": unread,
    }
