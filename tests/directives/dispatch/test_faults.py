"""Delivery under faults, through real worker processes on PostgreSQL and Redis into a real SMTP
server (issue 14): a recall while the fan-out runs, the workers' database sessions terminated, a
worker killed, the broker restarted empty. Each ends with every unit's record true and exactly
one copy per address. The workers run with EMAIL_TIMEOUT=2 and NOTIFY_RECLAIM_AFTER_SECONDS=5,
so a row a dead worker left "sending" is taken back within seconds; the sweep runs at the real
time, as beat would (no `now` in the future). How long each recovery takes in production is
measured by `make faults` (tests/bench/faults.py), not asserted here."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

import pytest

from directives.models import Dispatch, Notification
from directives.services import directive_recall
from directives.services.notices import DELIVERY
from directives.tasks import deliver_directive
from tests.conftest import need_service
from tests.directives.dispatch.conftest import (
    delivery_of,
    make_ready,
    make_units,
    start_worker_process,
)
from tests.directives.dispatch.workers import (
    RedisServer,
    backend_pid,
    backends_terminate,
    broker_switched,
    children,
    client_pid,
    database_url,
    email_rows,
    stop,
    wait_sweeping,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
REDIS_DB = 9  # the `broker` fixture's database for this module's workers
EMAIL_TIMEOUT = 2
RECLAIM_AFTER = 5


@pytest.fixture(autouse=True)
def _fault_timing(settings, smtp_sink):
    """This process (which runs the sweep) times out and reclaims as its workers do."""
    settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT
    settings.NOTIFY_RECLAIM_AFTER_SECONDS = RECLAIM_AFTER


def fault_env(broker: str, sink, tmp_path) -> dict[str, str]:
    return worker_env(
        broker,
        sink.port,
        tmp_path,
        EMAIL_TIMEOUT=str(EMAIL_TIMEOUT),
        NOTIFY_RECLAIM_AFTER_SECONDS=str(RECLAIM_AFTER),
    )


def all_delivered(directive) -> bool:
    dispatches = Dispatch.objects.filter(directive=directive)
    return not dispatches.exclude(delivery=Dispatch.Delivery.SENT).exists() and not (
        email_rows().filter(directive=directive).exclude(status=Notification.Status.SENT).exists()
    )


def unfinished(directive) -> tuple:
    """What is left: the e-mail rows not sent, and the units' records (for a failed wait)."""
    rows = email_rows().filter(directive=directive).exclude(status=Notification.Status.SENT)
    units = Dispatch.objects.filter(directive=directive)
    return (
        list(rows.values_list("status", "attempts", "claimed_at", "last_error")[:5]),
        Counter(units.values_list("delivery", flat=True)),
    )


def assert_one_copy_each(sink, directive, units) -> None:
    time.sleep(1)  # a copy sent twice would arrive now
    counts = sink.count_by_address(delivery_of(directive))
    duplicates = {address: n for address, n in counts.items() if n > 1}
    assert not duplicates
    assert set(counts) == {unit.contact_emails.lower() for unit in units}


def test_a_recall_mid_fan_out_records_no_unsent_unit_delivered(
    agency, clerk, smtp_sink, broker, tmp_path
):
    units = make_units(150, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    smtp_sink.delay = 0.05  # about 4 s for the fan-out: the recall lands in the middle of it
    recall_now = threading.Event()

    def at_40(sink) -> bool:
        if len(sink.messages) >= 40:
            recall_now.set()
        return False

    smtp_sink.before_accept = at_40
    env = fault_env(broker, smtp_sink, tmp_path)
    workers = [start_worker_process(env, f"recall{n}", tmp_path) for n in range(2)]
    dispatches = Dispatch.objects.filter(directive=directive)
    try:
        deliver_directive.delay(directive.pk)
        assert recall_now.wait(60), len(smtp_sink.messages)
        directive_recall(directive=directive, by=clerk, reason="Ban hành nhầm đối tượng")

        def settled() -> bool:
            unsent = email_rows().filter(directive=directive, status__in=("pending", "sending"))
            return not dispatches.filter(delivery="pending").exists() and not unsent.exists()

        assert wait_until(settled, 90), Counter(dispatches.values_list("delivery", flat=True))
    finally:
        stop(*workers)
    time.sleep(1)
    address = {d.pk: d.unit.contact_emails.lower() for d in dispatches.select_related("unit")}
    sent = set(dispatches.filter(delivery=Dispatch.Delivery.SENT).values_list("pk", flat=True))
    withdrawn = set(dispatches.filter(delivery="withdrawn").values_list("pk", flat=True))
    assert sent | withdrawn == set(address), "every unit sent or not sent (recalled)"
    assert sent and withdrawn, "the recall came while the fan-out ran"
    # A unit is recorded delivered exactly when its address got the letter, once.
    mailed = smtp_sink.count_by_address(delivery_of(directive))
    assert set(mailed.values()) == {1}
    assert {address[pk] for pk in sent} == set(mailed)
    assert not dispatches.filter(pk__in=withdrawn, delivered_at__isnull=False).exists()
    # The units that had the letter (its notices) are told of the recall, once; the others
    # hear nothing of a letter they never had.
    rows = Notification.objects.filter(directive=directive)
    had = set(rows.filter(kind=DELIVERY).values_list("dispatch_id", flat=True))
    told = set(rows.filter(kind="recalled").values_list("dispatch_id", flat=True))
    assert sent <= had
    assert told == had
    recalls = smtp_sink.count_by_address(lambda m: not delivery_of(directive)(m))
    assert recalls == Counter({address[pk]: 1 for pk in told})


def test_terminated_database_sessions_mid_fan_out_lose_and_repeat_nothing(
    agency, smtp_sink, broker, tmp_path
):
    """Three times, every session of the workers is terminated just before the server accepts
    a message: that message's job must record it on a new connection, never send it again."""
    units = make_units(150, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    url, own = database_url(), backend_pid()
    terminated: dict[int, int | str] = {}
    smtp_sink.delay = 0.02

    def terminate_at(sink) -> bool:
        n = len(sink.messages)
        if n in (30, 60, 90) and n not in terminated:
            try:
                terminated[n] = backends_terminate(url, keep={own})
            except Exception as exc:  # reported by the assertion below
                terminated[n] = repr(exc)
        return False

    smtp_sink.before_accept = terminate_at
    env = fault_env(broker, smtp_sink, tmp_path)
    workers = [start_worker_process(env, f"pg{n}", tmp_path) for n in range(2)]
    try:
        deliver_directive.delay(directive.pk)
        assert wait_until(lambda: len(terminated) == 3, 60), terminated
        assert wait_until(lambda: all_delivered(directive), 120), unfinished(directive)
    finally:
        stop(*workers)
    assert all(isinstance(n, int) and n >= 1 for n in terminated.values()), terminated
    assert_one_copy_each(smtp_sink, directive, units)


# Mid-batch: a delivery job takes several units (jobs.DELIVERY_BATCH, 20), and the worker dies
# after some of its batch were accepted and before the rest.
KILL_AT = 47


def kill_sender_at(count: int, killed: list[tuple[int | None, list[int]]], parent: int):
    """A sink hook: while message `count + 1` is handed over, SIGKILL the process sending it
    (found by its TCP port): it never hears the answer."""

    def hook(sink) -> bool:
        if len(sink.messages) != count or killed:
            return False
        pid = client_pid(sink.peer[1])
        killed.append((pid, children(parent)))
        os.kill(pid or parent, signal.SIGKILL)
        return True

    return hook


def test_a_killed_solo_worker_s_unit_is_delivered_again_without_the_sweep_threshold(
    agency, smtp_sink, broker, tmp_path
):
    units = make_units(100, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    env = fault_env(broker, smtp_sink, tmp_path)
    first = start_worker_process(env, "first", tmp_path)
    killed: list = []
    smtp_sink.before_accept = kill_sender_at(KILL_AT, killed, first.pid)
    second = None
    try:
        deliver_directive.delay(directive.pk)
        assert wait_until(lambda: bool(killed), 40), len(smtp_sink.messages)
        first.wait(10)
        assert killed[0][0] == first.pid
        second = start_worker_process(env, "second", tmp_path)  # the process manager's restart
        # Beat's sweep at the real time: the dead worker's row is reclaimed once it has been
        # "sending" for NOTIFY_RECLAIM_AFTER_SECONDS, far below NOTIFY_SWEEP_AFTER_MINUTES.
        assert wait_sweeping(lambda: all_delivered(directive), 90), unfinished(directive)
    finally:
        stop(first, second)
    assert_one_copy_each(smtp_sink, directive, units)


def test_a_killed_prefork_child_s_unit_is_delivered_again_without_the_sweep_threshold(
    agency, smtp_sink, broker, tmp_path
):
    """The Procfile's worker: the pool's parent sees its child die and redelivers the job."""
    units = make_units(100, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    env = fault_env(broker, smtp_sink, tmp_path)
    worker = start_worker_process(env, "prefork", tmp_path, options=("-P", "prefork", "-c", "2"))
    killed: list = []
    smtp_sink.before_accept = kill_sender_at(KILL_AT, killed, worker.pid)
    try:
        deliver_directive.delay(directive.pk)
        assert wait_until(lambda: bool(killed), 60), len(smtp_sink.messages)
        pid, pool = killed[0]
        assert pid in pool and pid != worker.pid, killed
        assert wait_sweeping(lambda: all_delivered(directive), 90), unfinished(directive)
        assert worker.poll() is None, "the pool's parent lives on"
    finally:
        stop(worker)
    assert_one_copy_each(smtp_sink, directive, units)


@pytest.fixture
def private_broker(postgres_required, tmp_path):
    """A redis-server of this test's own as the broker, to be killed and started again empty
    (the shared Redis is never restarted)."""
    need_service("redis-server", RedisServer.available())
    server = RedisServer(tmp_path)
    server.start()
    try:
        with broker_switched(server.url):
            yield server
    finally:
        server.stop()


def test_a_broker_restarted_empty_mid_fan_out_is_caught_up_by_the_sweep(
    agency, smtp_sink, private_broker, tmp_path
):
    units = make_units(150, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    smtp_sink.delay = 0.05
    lose = threading.Event()

    def at_40(sink) -> bool:
        if len(sink.messages) >= 40:
            lose.set()
        return False

    smtp_sink.before_accept = at_40
    env = fault_env(private_broker.url, smtp_sink, tmp_path)
    workers = [start_worker_process(env, f"lost{n}", tmp_path) for n in range(2)]
    dispatches = Dispatch.objects.filter(directive=directive)
    try:
        deliver_directive.delay(directive.pk)
        assert lose.wait(60), len(smtp_sink.messages)
        private_broker.restart_empty()  # the queued jobs, and the ones being run, are gone
        # The jobs that were running finish; the units whose job was still queued have no rows.
        sending = email_rows().filter(directive=directive, status="sending")
        assert wait_until(lambda: not sending.exists(), 30)
        never_started = dispatches.exclude(notifications__kind=DELIVERY).count()
        assert never_started > 0, "the broker lost jobs"
        assert wait_sweeping(lambda: all_delivered(directive), 300, every=2), (
            never_started,
            unfinished(directive),
        )
    finally:
        stop(*workers)
    assert_one_copy_each(smtp_sink, directive, units)


def test_each_e_mail_goes_over_only_once_the_one_before_is_recorded(
    agency, smtp_sink, broker, tmp_path
):
    """A job records a unit's accepted e-mail while it names the next unit's recipients, and
    hands that next message over only once the record has landed: whenever the server takes a
    message, every message it took before is recorded sent, so a worker killed at any moment
    leaves at most the e-mail in hand unrecorded (it is never one already accepted)."""
    from django.db import connection

    units = make_units(40, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    unrecorded: list[int] = []

    def count_sent(into: list[int]) -> None:
        try:
            sent = email_rows().filter(directive=directive, status=Notification.Status.SENT)
            into.append(sent.count())
        finally:
            connection.close()  # a session of its own, closed each time

    def hook(sink) -> bool:
        # The SMTP server answers in its event loop, where no query runs: a thread asks.
        before, sent = len(sink.messages), []
        asking = threading.Thread(target=count_sent, args=(sent,))
        asking.start()
        asking.join(10)
        unrecorded.append(before - sent[0])
        return False

    smtp_sink.before_accept = hook
    worker = start_worker_process(fault_env(broker, smtp_sink, tmp_path), "ordered", tmp_path)
    try:
        deliver_directive.delay(directive.pk)
        assert wait_until(lambda: all_delivered(directive), 60), unfinished(directive)
    finally:
        stop(worker)
    assert len(unrecorded) == len(units) and max(unrecorded) == 0, unrecorded
    assert_one_copy_each(smtp_sink, directive, units)
