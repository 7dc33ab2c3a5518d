"""The address a request came from, through the reverse proxies the deployment declares.

`TRUSTED_PROXY_COUNT` says how many proxies stand in front of the portal (nginx: 1). Each
appends the address it was reached from to X-Forwarded-For, so the client is the
`TRUSTED_PROXY_COUNT`-th address from the right: whatever a client writes into the header
itself stays on the left and is never believed. With 0 (the portal reached directly, as in
`make run`) the header is ignored and the socket's address is the client's. django-ipware reads
the header; the login lockout (django-axes, `AXES_CLIENT_IP_CALLABLE`) and the `ip` of every
`Event` take the address from here, so both name the same person."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    # ipware counts the proxies listed in the header besides the one that connects to us.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=("HTTP_X_FORWARDED_FOR",),
        strict=False,
    )
    # No header (a request that did not come through the proxies): the socket's address.
    return address or remote
