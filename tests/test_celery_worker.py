"""A round trip through a real Celery worker on Redis: the broker and the result backend work."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app, ping


@pytest.fixture
def redis_app(redis_url):
    """The portal's Celery app pointed at the test Redis, put back as it was afterwards."""
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _reset_connections()
    yield app
    app.conf.update(saved)
    _reset_connections()


def _reset_connections() -> None:
    # Connections and the backend are cached on first use; drop them so the new URLs apply.
    app._pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_ping_round_trip_through_a_real_worker(redis_app):
    with start_worker(redis_app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
    assert result.successful()
