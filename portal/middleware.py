"""The audit log's two hooks: the client's address and the mask of the password."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware

from common.client_ip import client_ip


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
