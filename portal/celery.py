"""The one Celery app, configured from Django settings (CELERY_ namespace)."""

import contextlib
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


@signals.setup_logging.connect
def _logging_as_django(**_kwargs) -> None:
    """The worker and beat log through Django's LOGGING (JSON lines in production), not a
    configuration of Celery's own: a receiver of this signal tells Celery to leave it alone."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


_task_log_context: dict[str, object] = {}


@signals.task_prerun.connect
def _task_logged(task_id=None, task=None, **_kwargs) -> None:
    """Every line logged while a task runs names it (common/logs.py)."""
    from common.logs import context_set

    _task_log_context[task_id] = context_set({"task_name": task.name, "task_id": task_id})


@signals.task_postrun.connect
def _task_log_done(task_id=None, **_kwargs) -> None:
    from common.logs import context_reset

    tokens = _task_log_context.pop(task_id, None)
    if tokens is not None:
        # Set in another context (a thread pool): nothing to restore.
        with contextlib.suppress(ValueError):
            context_reset(tokens)


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
