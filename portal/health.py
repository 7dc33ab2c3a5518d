"""/health/, for the load balancer and the process manager (django-health-check).

What it checks, each in its own line of the answer:
- the database (`SELECT 1` on a new connection),
- the cache (a value written and read back: the shared Redis in production, CACHE_URL),
- the media storage (a file written, read and deleted under MEDIA_ROOT),
- Redis as the broker, when CELERY_BROKER_URL is a redis:// address (a PING),
- the Celery workers: a ping broadcast through the broker, then every queue of the portal
  (`default`, `pdf`, `mail`) must be consumed by a worker that answered. With the filesystem
  transport (no broker configured) the broadcast goes through VAR_DIR/celery, so it finds the
  workers of this machine that share that folder.

/health/web/ makes only the first three: what a web process needs to serve pages. A load balancer
that takes a web server out on a 503 should probe it, or a stopped worker would take every web
server out at once; monitoring probes /health/.

200 when all pass, 503 otherwise; JSON by default, text with `?format=text` or
`Accept: text/plain`. The answer names each check and says "OK" or what failed in a few words of
the library's (never an address with its password, a key or a path). No login is needed and it
answers plain HTTP (SECURE_REDIRECT_EXEMPT): nothing in it is secret.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

UNHEALTHY = 503  # what a load balancer takes for "take this server out"


def _redis_factory(url: str):
    def factory():
        from redis.asyncio import Redis as RedisClient

        return RedisClient.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    return factory


@dataclasses.dataclass
class CeleryWorkers(Ping):
    """django-health-check's Celery ping, whose own time limit (its `timeout`) also bounds the
    wait for the workers' answers: here the wait is `wait`, and the limit leaves room for it and
    for the second broadcast that asks each worker for its queues."""

    wait: timedelta = dataclasses.field(default=timedelta(seconds=2), repr=False)

    def __post_init__(self):
        self.timeout = self.wait * 2 + timedelta(seconds=3)

    def run(self):
        try:
            answers = self.app.control.ping(timeout=self.wait.total_seconds(), limit=self.limit)
        except OSError as exc:
            raise ServiceUnavailable("IOError") from exc
        if not answers:
            raise ServiceUnavailable("Celery workers unavailable")
        self.check_active_queues(*self.active_workers(answers))

    def check_active_queues(self, *active_workers):
        """Every queue of the portal is consumed by a worker that answered (the library's, with
        the same wait for the answers instead of Celery's fixed second)."""
        defined = {queue.name for queue in self.app.conf.task_queues}
        replies = self.app.control.inspect(
            list(active_workers), timeout=self.wait.total_seconds()
        ).active_queues()
        consumed = {queue.get("name") for queues in (replies or {}).values() for queue in queues}
        for queue in sorted(defined - consumed):
            raise ServiceUnavailable(f"No worker for Celery task queue {queue}")


def portal_checks(*, workers: bool = True) -> list[HealthCheck]:
    from portal.celery import app

    checks: list[HealthCheck] = [Database(), Cache(), Storage()]
    if not workers:
        return checks
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://")):
        checks.append(Redis(client_factory=_redis_factory(broker)))
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks.append(
            CeleryWorkers(
                app=app,
                wait=timedelta(seconds=settings.HEALTH_CELERY_TIMEOUT),
                limit=settings.HEALTH_CELERY_WORKERS or None,
            )
        )
    return checks


class PortalHealthView(HealthCheckView):
    workers = True  # /health/web/: False

    def get_checks(self):
        yield from portal_checks(workers=self.workers)

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        status = UNHEALTHY if any(result.error for result in self.results) else 200
        answers = {
            _name(result.check): "OK" if not result.error else str(result.error)
            for result in self.results
        }
        wants_text = request.GET.get("format") == "text" or (
            "format" not in request.GET
            and request.headers.get("accept", "").startswith("text/plain")
        )
        if wants_text:
            body = "".join(f"{name}: {answer}\n" for name, answer in answers.items())
            response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
        else:
            response = JsonResponse(answers, status=status)
        add_never_cache_headers(response)
        return response


def _name(check: HealthCheck) -> str:
    """The check's class and alias, never its connection details."""
    alias = getattr(check, "alias", None)
    name = type(check).__name__
    if isinstance(check, Ping):
        return "Celery"
    return f"{name}({alias})" if alias else name
