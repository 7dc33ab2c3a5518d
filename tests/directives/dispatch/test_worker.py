"""Delivery through real Celery workers on Redis into a real SMTP server, on PostgreSQL (the
worker must see the test's committed rows). A Redis database of its own keeps other suites'
workers away from these queues."""

from __future__ import annotations

import datetime
import os
import signal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.utils import timezone

from directives.models import Dispatch
from directives.services.notices import outbox_sweep
from directives.tasks import deliver_directive
from portal.celery import app
from tests.directives.dispatch.conftest import make_ready, make_units, start_worker_process
from tests.directives.dispatch.test_delivery import ack_path
from tests.directives.dispatch.workers import email_rows, stop, wait_until, worker_env

pytestmark = pytest.mark.django_db(transaction=True)
REDIS_DB = 13  # the `broker` fixture's database for this module's workers


def test_issue_to_200_units_through_a_real_worker(agency, smtp_sink, broker, client):
    units = make_units(200)
    directive = make_ready(units, issuing_unit=agency)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        deliver_directive.delay(directive.pk)
        assert wait_until(lambda: len(smtp_sink.count_by_address()) >= 400, 90)
        assert wait_until(lambda: not email_rows().exclude(status="sent").exists(), 10)
    counts = smtp_sink.count_by_address()
    assert len(counts) == 400 and set(counts.values()) == {1}
    assert not Dispatch.objects.exclude(delivery="sent").exists()
    message = smtp_sink.messages[123]
    assert [p.get_filename() for p in message.iter_attachments()] == [directive.pdf_filename]
    path = ack_path(message)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert Dispatch.objects.filter(acknowledged_at__isnull=False).count() == 1


def test_a_worker_killed_mid_fan_out_loses_and_repeats_nothing(agency, smtp_sink, broker, tmp_path):
    units = make_units(100, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    env = worker_env(broker, smtp_sink.port, tmp_path)
    first = start_worker_process(env, "first", tmp_path)
    killed = []

    def kill_at_40(sink) -> bool:
        # The worker dies in the middle of handing over message 41: it is never accepted.
        if len(sink.messages) == 40 and not killed:
            os.kill(first.pid, signal.SIGKILL)
            killed.append(timezone.now())
            return True
        return False

    smtp_sink.before_accept = kill_at_40
    second = None
    try:
        deliver_directive.delay(directive.pk)
        assert wait_until(lambda: bool(killed), 40), (
            len(smtp_sink.messages),
            list(email_rows().values_list("status", "attempts", "last_error")[:3]),
        )
        first.wait(10)
        assert len(smtp_sink.messages) == 40
        second = start_worker_process(env, "second", tmp_path)
        # The new worker drains the queue; the rows of the dead worker's batch that it had not
        # handed over stay "sending" (those accepted were recorded sent one by one) ...
        held = email_rows().filter(status="sending", claimed_at__lte=killed[0])
        busy = email_rows().filter(status__in=["pending", "sending"]).exclude(pk__in=held)
        assert wait_until(
            lambda: len(smtp_sink.messages) + held.count() >= 100 and not busy.exists(), 40
        )
        stuck = held.count()
        assert stuck >= 1
        # ... until their claim runs out and the sweep (beat, every minute) takes them back.
        later = timezone.now() + datetime.timedelta(
            seconds=django_settings.NOTIFY_RECLAIM_AFTER_SECONDS + 1
        )
        assert outbox_sweep(now=later)["requeued"] == stuck
        assert wait_until(lambda: not email_rows().exclude(status="sent").exists(), 20)
    finally:
        stop(first, second)
    counts = smtp_sink.count_by_address()
    assert len(counts) == 100 and set(counts.values()) == {1}
    assert not Dispatch.objects.exclude(delivery="sent").exists()
    # The killed worker's connection just broke; the second one said QUIT at its shutdown.
    assert (smtp_sink.connections, smtp_sink.quits) == (2, 1)


def test_each_prefork_child_keeps_one_connection_and_closes_it_at_shutdown(
    agency, smtp_sink, broker, tmp_path
):
    """The Procfile's worker: one `celery worker` whose pool has two child processes."""
    units = make_units(30, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    env = worker_env(broker, smtp_sink.port, tmp_path)
    worker = start_worker_process(env, "prefork", tmp_path, options=("-P", "prefork", "-c", "2"))
    try:
        deliver_directive.delay(directive.pk)
        assert wait_until(lambda: email_rows().filter(status="sent").count() == 30, 60)
    finally:
        stop(worker)
    counts = smtp_sink.count_by_address()
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert smtp_sink.connections in (1, 2), "one connection per child process, not per e-mail"
    assert smtp_sink.quits == smtp_sink.connections
