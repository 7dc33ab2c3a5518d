"""The one Celery app, configured from Django settings (CELERY_ namespace)."""

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "pdf", "mail")]
app.autodiscover_tasks()


@app.task(name="portal.ping")
def ping() -> str:
    """Round trip used by health checks and the worker test."""
    return "pong"


@signals.task_prerun.connect
@signals.task_postrun.connect
def _database_connections_like_requests(sender=None, **_kwargs) -> None:
    """A worker keeps its database connection across tasks (CELERY_DB_REUSE_MAX) and, as Django
    does around a request, drops it when it broke or outlived CONN_MAX_AGE. An eager task runs
    inside its caller's transaction, whose connection must stay."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
