"""Sessions end after SESSION_COOKIE_AGE without a request, not after it from the login."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

REFRESHED_AT = "_refreshed_at"


class SessionRefreshMiddleware:
    """A signed-in session lives SESSION_COOKIE_AGE from its last request, not from the login:
    it is saved again (a new expiry in the table and the cookie) when its last save is older
    than SESSION_REFRESH_SECONDS, so an idle session ends within that much of the age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = (
                    now  # modified: SessionMiddleware saves it with a new expiry
                )
        return self.get_response(request)


def session_refreshed_at_login(sender, request, user, **kwargs) -> None:
    """The login saves the session: its first refresh is due SESSION_REFRESH_SECONDS later."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())
