"""The login's second step: until a person who needs a code has typed it, no page opens."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from common.sessions import REFRESHED_AT
from recipients.selectors import two_factor_state

# The session's REFRESHED_AT when the person was last found to need no code (no app, not
# required): until the session's next refresh (SESSION_REFRESH_SECONDS) the pages do not ask
# again, and the answer is saved with the refresh's own write of the session.
NO_CODE_NEEDED = "_two_factor_not_needed"


class TwoFactorMiddleware:
    """Until a signed-in person who needs a code (they have an authenticator app, or their role
    and unit require one) has typed it, every page but the second step, the app's set-up and the
    logout sends them there: the portal's pages, the admin and the API alike.

    After django-otp's OTPMiddleware, which marks the session's verified device
    (`request.user.is_verified()`), and common.sessions.SessionRefreshMiddleware. The templates
    get `two_factor_pending`, so that the menu stays hidden meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = (
                reverse("recipients:two_factor_login"),
                reverse("recipients:two_factor_enrol"),
                reverse("logout"),
                reverse("admin:logout"),
                reverse("set_language"),
            )
        return self._open_paths

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            session = request.session
            refreshed = session.get(REFRESHED_AT)
            if refreshed is None or session.get(NO_CODE_NEEDED) != refreshed:
                state = two_factor_state(user=user)
                if state.needs_code:
                    request.two_factor_pending = True
                    path = request.path_info
                    if path not in self.open_paths() and not path.startswith(settings.STATIC_URL):
                        return self.refuse(request, enrol=state.required and not state.enrolled)
                elif refreshed is not None:
                    session[NO_CODE_NEEDED] = refreshed
        return self.get_response(request)

    def refuse(self, request, *, enrol: bool):
        if enrol:
            url_name, message = (
                "recipients:two_factor_enrol",
                _("Set up two-factor login first."),
            )
        else:
            url_name, message = (
                "recipients:two_factor_login",
                _("Type the code from your authenticator app first."),
            )
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        url = reverse(url_name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


def two_factor_checked_at_login(sender, request, user, **kwargs) -> None:
    """At the login (whose session is saved anyway): a person who needs no code is not asked
    again on each page until the session's next refresh. After common.sessions'
    session_refreshed_at_login, whose time it records."""
    if request is None or not hasattr(request, "session"):
        return
    refreshed = request.session.get(REFRESHED_AT)
    if refreshed is not None and not two_factor_state(user=user).needs_code:
        request.session[NO_CODE_NEEDED] = refreshed
    else:
        request.session.pop(NO_CODE_NEEDED, None)
