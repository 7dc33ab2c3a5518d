"""Personal API tokens: `Authorization: Bearer <secret>`."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from recipients.selectors import api_token_by_secret
from recipients.services import api_token_mark_used


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A program acts as the token's owner. A revoked, expired or unknown token is a 401."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        token = api_token_by_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, revoked or expired."))
        api_token_mark_used(token=token)
        # A program that names no language gets its owner's choice, as the pages would.
        own = getattr(token.user, "language", "")
        if own and not request.headers.get("Accept-Language"):
            translation.activate(own)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
