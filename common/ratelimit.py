"""Rate limits counted in Django's cache: so many requests per client address per window.

In production the cache is the Redis every web process shares (CACHE_URL), so the count is the
site's; with the default per-process cache each process counts apart. The address is the one the
lockout and the audit log use (common/client_ip.py, through TRUSTED_PROXY_COUNT proxies).
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from common.client_ip import client_ip


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/600" → (20 requests, 600 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def hit(scope: str, who: str, rate: str) -> bool:
    """Count one request of `who` in `scope`; True while it is within the rate."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{who}:{window}"
    if cache.add(key, 1, timeout=period + 5):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 5)
        count = 1
    return count <= limit


def ratelimit(scope: str, *, setting: str, methods: tuple[str, ...] = ("GET", "POST")):
    """Refuse with a 429 (a Vietnamese page, Retry-After) a client over `settings.<setting>`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (
                settings.RATELIMIT_ENABLED
                and request.method in methods
                and not hit(scope, client_ip(request) or "unknown", getattr(settings, setting))
            ):
                _, period = parse_rate(getattr(settings, setting))
                response = render(
                    request,
                    "portal/too_many_requests.html",
                    {"period_minutes": max(1, period // 60)},
                    status=429,
                )
                response["Retry-After"] = str(period)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
