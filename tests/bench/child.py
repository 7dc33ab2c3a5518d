"""The environment of a bench's child process: production settings (DEBUG off) against a
throwaway PostgreSQL database and a Redis database of the bench's own."""

from __future__ import annotations

import os
import secrets

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def child_env(name: str, redis_url: str, *, database_url: str | None = None) -> dict[str, str]:
    """Never the developer's or CI's database: `bench_<name>_<pid>`, made and dropped by the
    child; `database_url` names another for a child that works in `test_<its name>` only."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url or f"{POSTGRES.rstrip('/')}/bench_{name}_{os.getpid()}",
        "CELERY_BROKER_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "SITE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
        # The bench talks plain HTTP to the portal in-process, as a proxy would after TLS.
        "SECURE_SSL_REDIRECT": "0",
    }
