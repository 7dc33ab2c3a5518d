"""Token clients are throttled per token owner; the portal's own pages (session) are not."""

from __future__ import annotations

from rest_framework.throttling import UserRateThrottle

from recipients.models import ApiToken


class TokenRateThrottle(UserRateThrottle):
    scope = "token"

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        return super().allow_request(request, view)
