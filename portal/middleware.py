"""The portal's middleware: requests no page can answer are refused up front, and the audit
log's two hooks (the client's address, the mask of the password)."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.core.exceptions import BadRequest

from common.client_ip import client_ip


class MalformedRequestMiddleware:
    """A NUL byte in the path or in a query parameter's name or value is a 400.

    No text column can hold one (PostgreSQL refuses the query outright), so a filter, a search
    or a token carrying it could only fail deep in a view. Forms refuse it in POSTed fields on
    their own (Django's ProhibitNullCharactersValidator); the query string and the path are
    checked here, once, for every page and the admin's filters. Malformed numbers are the
    parsing helpers' concern (common/params.py): there a bad value is an ignored filter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL byte in the path or the query string")
        return self.get_response(request)


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's, with the client's address read as everywhere else in the portal
    (through TRUSTED_PROXY_COUNT proxies): auditlog's own takes the left-most X-Forwarded-For
    address, which any client can write."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


def audit_mask(value: str) -> str:
    """What the audit log keeps of a masked field (the password hash): that it changed, and
    nothing of it (auditlog's own mask keeps the hash's second half)."""
    return "********" if value else ""
