"""gunicorn's settings for the portal (deploy/systemd/portal-web.service, docs/deployment.md).

Behind nginx on the same machine: gunicorn listens on loopback only, so no client can reach it
with forwarded headers of its own choosing (nginx sets them, deploy/nginx-proxy.conf).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# WEB_CONCURRENCY (gunicorn's own variable): processes; 2 × cores + 1 by default.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A page that renders a PDF preview or an export takes seconds, not minutes.
timeout = 120
graceful_timeout = 30
keepalive = 5
# A process is replaced after this many requests (a slow leak cannot grow for ever).
max_requests = 2000
max_requests_jitter = 200
# The workers' heartbeat files in memory, not on a disk that may stall (gunicorn's advice).
worker_tmp_dir = "/dev/shm"  # noqa: S108
# The portal writes one JSON line per request itself (portal.middleware.RequestLogMiddleware),
# with the request id and the user; gunicorn's access log would say less, twice.
accesslog = None
errorlog = "-"
# gunicorn's own lines (start, stop, a worker killed at the timeout) as JSON too.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
# Only nginx on this machine may say the request came over HTTPS (gunicorn's own wsgi.url_scheme;
# Django reads SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = "127.0.0.1,::1"
