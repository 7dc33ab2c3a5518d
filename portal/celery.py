"""The one Celery app, configured from Django settings (CELERY_ namespace)."""

import os

from celery import Celery
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
