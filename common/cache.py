"""The shared cache (Redis) as the portal uses it: a server that is down or too slow costs time,
never a page.

Everything the portal keeps there can be worked out again from the database (an inbox's count,
a dashboard, a person's permissions, a PDF's signature check), so a read that fails answers as
a miss and a write that fails is lost; the rate limits let the request through. The failure is
logged, at most once a minute per process, and `/health/` reports the cache as down.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60
_last_logged = 0.0


def _failed(operation: str) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("The cache could not %s; going on without it", operation, exc_info=True)


class ForgivingRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception:  # noqa: BLE001 - any failure of the server or the connection
            _failed("be read")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except Exception:  # noqa: BLE001
            _failed("be read")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except Exception:  # noqa: BLE001
            _failed("be read")
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except Exception:  # noqa: BLE001
            _failed("be written")
            # As if it were new: a rate limit counts this request as the window's first.
            return True

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except Exception:  # noqa: BLE001
            _failed("be written")

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except Exception:  # noqa: BLE001
            _failed("be written")
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except Exception:  # noqa: BLE001
            _failed("be written")
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise  # the key is missing: the caller's to handle, as with any cache
        except Exception:  # noqa: BLE001
            _failed("be written")
            return delta

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except Exception:  # noqa: BLE001
            _failed("be written")
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except Exception:  # noqa: BLE001
            _failed("be written")
