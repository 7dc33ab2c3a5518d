"""The shared cache (Redis) as the portal uses it: a server that is down or too slow costs time,
never a page.

Everything the portal keeps there can be worked out again from the database (an inbox's count,
a dashboard, a person's permissions, a PDF's signature check), so a read that fails answers as
a miss and a write that fails is lost; the rate limits let the request through. The failure is
logged, at most once a minute per process, and `/health/` reports the cache as down.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

LOG_EVERY_SECONDS = 60
_last_logged = 0.0


def _failed(operation: str) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("The cache could not %s; going on without it", operation, exc_info=True)


def _forgiving(name: str, doing: str, answer: Callable):
    """RedisCache's `name`, answering `answer(*its arguments)` when the server fails."""
    parent = getattr(RedisCache, name)

    @functools.wraps(parent)
    def method(self, *args, **kwargs):
        try:
            return parent(self, *args, **kwargs)
        except ValueError:
            raise  # incr of a missing key: the caller's to handle, as with any cache
        except Exception:  # noqa: BLE001 - any failure of the server or the connection
            _failed(doing)
            return answer(*args, **kwargs)

    return method


class ClientPerServer(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per server rather than making
    one for every operation: each new client builds its table of about 170 reply callbacks,
    a tenth of a millisecond that the inbox paid five times a page. A client shares its
    server's connection pool and is safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ClientPerServer

    get = _forgiving("get", "be read", lambda key, default=None, version=None: default)
    get_many = _forgiving("get_many", "be read", lambda *args, **kwargs: {})
    has_key = _forgiving("has_key", "be read", lambda *args, **kwargs: False)
    # As if it were new: a rate limit counts this request as its window's first.
    add = _forgiving("add", "be written", lambda *args, **kwargs: True)
    set = _forgiving("set", "be written", lambda *args, **kwargs: None)
    set_many = _forgiving("set_many", "be written", lambda data, *args, **kwargs: list(data))
    touch = _forgiving("touch", "be written", lambda *args, **kwargs: False)
    incr = _forgiving("incr", "be written", lambda key, delta=1, version=None: delta)
    delete = _forgiving("delete", "be written", lambda *args, **kwargs: False)
    delete_many = _forgiving("delete_many", "be written", lambda *args, **kwargs: None)


def cache_version(name: str) -> int:
    """The current version of what is kept under `name` (a key made with it is read again
    after cache_version_bump). A version the cache lost is made anew: keys made under an older
    one are never read again."""
    key = f"{name}:version"
    version = cache.get(key)
    if version is None:
        version = time.time_ns()
        cache.add(key, version, None)
        version = cache.get(key, version)
    return version


def cache_version_bump(name: str) -> None:
    """A new version of `name` now (for what this transaction reads next) and again once it
    commits: a request that read the old data in between, before the change was visible,
    kept it under the first new version only."""
    cache_versions_bump([name])


def cache_versions_bump(names: Iterable[str]) -> None:
    """cache_version_bump of every name, in one write now and one on commit."""
    keys = [f"{name}:version" for name in names]
    if not keys:
        return

    def bump() -> None:
        cache.set_many(dict.fromkeys(keys, time.time_ns()), None)

    bump()
    transaction.on_commit(bump)


def _names(names: str | Sequence[str]) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


def versioned_keys(names: str | Sequence[str], key: str) -> list[str]:
    """The cache keys that cached_under_version(names, key, ...) reads, for cache_read_ahead."""
    return [*(f"{name}:version" for name in _names(names)), key]


# The reads made ahead for the block of cache_read_ahead: key -> value, or _ABSENT.
_read_ahead: ContextVar[dict[str, object] | None] = ContextVar("cache_read_ahead", default=None)
_ABSENT = object()


@contextmanager
def cache_read_ahead(keys: Iterable[str]) -> Iterator[None]:
    """What cached_under_version reads under `keys` (versioned_keys) inside the block, read from
    the cache at once as the block begins: one round trip for everything a page keeps rather
    than one each, which the page's process otherwise spends waiting."""
    wanted = list(dict.fromkeys(keys))
    found = cache.get_many(wanted) if settings.CACHE_IS_SHARED and wanted else {}
    token = _read_ahead.set({key: found.get(key, _ABSENT) for key in wanted})
    try:
        yield
    finally:
        _read_ahead.reset(token)


def cached_under_version(
    names: str | Sequence[str], key: str, compute: Callable[[], T], timeout: int
) -> T:
    """`compute()`, kept under `key` for `timeout` seconds while the versions of `names` stay:
    the versions and the kept value come in one read (none inside a cache_read_ahead that read
    them). The versions are read before `compute()` looks at the data, so a change that
    commits meanwhile leaves its value under versions that are already old. Kept only in a
    cache every process shares: a per-process cache would never see the new versions set by
    other processes (a Celery worker's)."""
    if not settings.CACHE_IS_SHARED or not timeout:
        return compute()
    names = _names(names)
    wanted = versioned_keys(names, key)
    ahead = _read_ahead.get() or {}
    found = {k: ahead[k] for k in wanted if ahead.get(k, _ABSENT) is not _ABSENT}
    rest = [k for k in wanted if k not in ahead]
    if rest:
        found.update(cache.get_many(rest))
    versions = tuple(
        found[version_key] if version_key in found else cache_version(name)
        for name, version_key in zip(names, wanted[:-1], strict=True)
    )
    kept = found.get(key)
    if kept is not None and kept[0] == versions:
        return kept[1]
    value = compute()
    cache.set(key, (versions, value), timeout)
    if key in ahead:
        ahead[key] = (versions, value)
    return value
