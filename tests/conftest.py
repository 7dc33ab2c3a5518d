"""Shared fixtures: real services when present; under REQUIRE_SERVICES=1 a missing one fails."""

from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL") or (
    os.environ.get("CELERY_BROKER_URL", "")
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    else "redis://127.0.0.1:6379/0"
)


def need_service(name: str, available: bool) -> None:
    """Skip a test whose service is missing, unless CI demands every service."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but is not available")
    pytest.skip(f"{name} is not available")


def tcp_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def _test_database_dropped(django_db_setup, django_db_blocker):
    """The test database is dropped at the end even though in-process workers and live servers
    ran in threads whose connections outlive their tests (PostgreSQL refuses to drop a database
    that has sessions; pytest-django would only warn and leave it behind)."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def postgres_required():
    need_service("PostgreSQL", connection.vendor == "postgresql")


@pytest.fixture
def redis_url():
    need_service("Redis", tcp_open(REDIS_URL, 6379))
    return REDIS_URL


@pytest.fixture
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    need_service("Chromium", os.path.exists(path))
    return path


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Each test writes uploads, PDFs and mail into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEV_PKI_DIR = tmp_path / "pki"
    settings.SIGNER_P12_DIR = str(tmp_path / "signers")
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.AXES_ENABLED = False
    settings.RATELIMIT_ENABLED = False  # tests/test_limits.py turns it on
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Nothing one test counted or limited (dashboard figures, rate limits) reaches the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def celery_eager(settings):
    """Run Celery tasks inline for tests about what a task does, not how it travels."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False


def pytest_report_header(config):
    return [
        f"database: {settings.DATABASES['default']['ENGINE']}",
        f"REQUIRE_SERVICES={int(REQUIRE_SERVICES)}",
    ]


@pytest.fixture
def fresh_rate_window():
    """A test of a rate limit begun early enough in the limit's window: the counts start again
    with each ten-minute window (common/ratelimit.py, every rate the tests set is "n/600"), and
    a test begun in a window's last seconds saw its count reset half-way (at 15:40:00 UTC)."""
    left = 600 - time.time() % 600
    if left < 20:
        time.sleep(left + 0.1)
