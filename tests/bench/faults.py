"""`make faults`: how delivery recovers from each fault of issue 14, measured, not asserted.

For each fault, a letter issued to BENCH_FAULTS_UNITS units (300 by default; each unit one
address) is delivered by two `celery worker` processes (solo, as the Procfile's, with the
production timings: EMAIL_TIMEOUT, NOTIFY_RECLAIM_AFTER_SECONDS, the retry backoff) on
PostgreSQL and Redis into a local SMTP sink, and hit when a third of the messages are in:

- recall: the clerk recalls the letter while the fan-out runs;
- pg_terminate: every PostgreSQL session of the workers terminated, three times, each just
  before the server accepts a message;
- kill: the worker sending a message SIGKILLed mid-message, restarted at once (as a process
  manager does);
- redis_restart: the broker (a private redis-server) killed and started again empty;
- smtp_451: the SMTP server answering 451 to every message for BENCH_FAULTS_451_SECONDS (120);
- smtp_drop: the SMTP server keeping the next fifth of the messages and dropping the
  connection before its answer (the client cannot know they arrived).

A beat-like thread runs the outbox sweep every BENCH_FAULTS_SWEEP_SECONDS (60, production's
interval). Each fault reports the units, the time from the fault to every unit recorded
(delivered, or not sent for a recall), the duplicates (addresses with more than one copy), the
units wrongly recorded delivered and those left undelivered.

Runs in a child process against its own throwaway PostgreSQL database (test_bench_faults_<pid>)
and its own Redis database (BENCH_FAULTS_REDIS_URL, db 11; the Redis fault uses a private
redis-server), cleaned up afterwards. Choose faults with BENCH_FAULTS=recall,kill;
BENCH_FAULTS_WAIT_SECONDS caps each (900).
    .venv/bin/python -m tests.bench faults
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.child import child_env

UNITS = int(os.environ.get("BENCH_FAULTS_UNITS", "300"))
WORKERS = 2
REDIS_URL = os.environ.get("BENCH_FAULTS_REDIS_URL", "redis://127.0.0.1:6379/11")
SWEEP_EVERY_S = float(os.environ.get("BENCH_FAULTS_SWEEP_SECONDS", "60"))
WAIT_S = float(os.environ.get("BENCH_FAULTS_WAIT_SECONDS", "900"))
REFUSE_S = float(os.environ.get("BENCH_FAULTS_451_SECONDS", "120"))
FAULTS = ("recall", "pg_terminate", "kill", "redis_restart", "smtp_451", "smtp_drop")
ROOT = Path(__file__).resolve().parents[2]


def chosen() -> list[str]:
    names = [n.strip() for n in os.environ.get("BENCH_FAULTS", "").split(",") if n.strip()]
    return names or list(FAULTS)


def run() -> list[str]:
    env = child_env("faults", REDIS_URL)
    # The report on stdout; the progress of each fault, as it goes, on stderr.
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.faults"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=len(chosen()) * (WAIT_S + 180),
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        lines.append(f"FAILED (exit {done.returncode}): see its output above")
    return lines


def progress(text: str) -> None:
    print(f"[faults] {text}", file=sys.stderr, flush=True)


@dataclass
class Result:
    fault: str
    units: int
    recovered_s: float | None  # from the fault to every unit recorded; None: not within WAIT_S
    duplicates: int  # addresses that got more than one copy
    wrongly_delivered: int  # recorded delivered, never received
    undelivered: int  # never received, and left pending or failed
    note: str = ""
    pending_received: int = 0  # received, and still recorded pending

    def line(self) -> str:
        took = f"{self.recovered_s:.1f} s" if self.recovered_s is not None else f"> {WAIT_S:.0f} s"
        return (
            f"{self.fault:<14} units {self.units}: fault to all recorded {took}; "
            f"duplicates {self.duplicates}, wrongly recorded delivered {self.wrongly_delivered}, "
            f"left undelivered {self.undelivered}, "
            f"received but still pending {self.pending_received}"
            + (f"; {self.note}" if self.note else "")
        )


@dataclass
class Fault:
    """What a fault does: `hook(sink)` runs in the sink before each message is accepted (its
    true refuses the message) and may call `fired()`; `after(run)` runs in the main thread once
    the hook fired (the faults that need the database or the processes)."""

    hook: Callable | None = None
    after: Callable | None = None
    times: list[float] = field(default_factory=list)
    note: Callable[[], str] = lambda: ""

    def fired(self) -> None:
        self.times.append(time.monotonic())


class Beat(threading.Thread):
    """Beat's outbox sweep, every SWEEP_EVERY_S seconds, in this process."""

    def __init__(self):
        super().__init__(daemon=True)
        self.halt = threading.Event()
        self.sweeps = 0

    def run(self) -> None:
        from django.db import connection

        from directives.services.notices import outbox_sweep

        while not self.halt.wait(SWEEP_EVERY_S):
            try:
                outbox_sweep()
                self.sweeps += 1
            except Exception as exc:  # a sweep hit by the fault itself: the next one runs
                progress(f"sweep failed: {type(exc).__name__}: {exc}")
            finally:
                connection.close()


class Bench:
    def __init__(self, tmp: Path):
        from recipients import roles
        from tests.factories import UnitFactory, UserFactory

        self.tmp = tmp
        self.agency = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
        self.clerk = UserFactory(unit=self.agency, roles=[roles.CLERK], username="vanthu")
        self.count = 0

    def measure(self, name: str, fault: Fault, *, broker: str) -> Result:
        from aiosmtpd.controller import Controller

        from directives.models import Dispatch, Notification
        from directives.tasks import deliver_directive
        from portal.celery import app
        from tests.bench.fanout import _wait_for_workers
        from tests.directives.dispatch.conftest import (
            Sink,
            delivery_of,
            make_ready,
            make_units,
            start_worker_process,
        )
        from tests.directives.dispatch.workers import broker_switched, free_port, stop, worker_env

        self.count += 1
        units = make_units(UNITS, officers=0, prefix=f"F{self.count}-")
        directive = make_ready(units, issuing_unit=self.agency, number=self.count)
        dispatches = Dispatch.objects.filter(directive=directive)
        rows = Notification.objects.filter(directive=directive, channel="email")
        sink = self.sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=free_port())
        controller.start()
        at = UNITS // 3
        triggered = threading.Event()

        def hook(sink) -> bool:
            if len(sink.messages) >= at and not triggered.is_set():
                triggered.set()
            return fault.hook(sink) if fault.hook is not None and triggered.is_set() else False

        sink.before_accept = hook
        env = worker_env(broker, controller.port, self.tmp, DEBUG="0")
        # The production timings, not the tests' fast retries.
        for fast in ("NOTIFY_RETRY_BASE_SECONDS", "NOTIFY_RETRY_MAX_SECONDS"):
            env.pop(fast)
        self.env = env
        self.workers = []
        beat = Beat()
        try:
            with broker_switched(broker):
                self.workers = [
                    start_worker_process(env, f"{name}{n}", self.tmp, options=("-P", "solo"))
                    for n in range(WORKERS)
                ]
                _wait_for_workers(app, WORKERS, 60)
                progress(f"{name}: {UNITS} units, fault at message {at}")
                beat.start()
                deliver_directive.delay(directive.pk)
                if not triggered.wait(120):
                    return Result(name, UNITS, None, 0, 0, UNITS, "the fan-out never started")
                if fault.after is not None:
                    fault.after(self, directive)
                if not fault.times:
                    fault.fired()

                def settled() -> bool:
                    return not dispatches.filter(delivery="pending").exists() and not (
                        rows.filter(status__in=("pending", "sending")).exists()
                    )

                deadline = time.monotonic() + WAIT_S
                while not settled() and time.monotonic() < deadline:
                    time.sleep(0.5)
                done = time.monotonic() if settled() else None
                time.sleep(2)  # a copy sent twice would arrive now
        finally:
            beat.halt.set()
            stop(*self.workers)
            controller.stop()
        recovered = done - fault.times[0] if done is not None else None
        progress(f"{name}: " + (f"recorded in {recovered:.1f} s" if recovered else "TIMEOUT"))
        mailed = sink.count_by_address(delivery_of(directive))
        address = {d.pk: d.unit.contact_emails.lower() for d in dispatches.select_related("unit")}
        sent = set(dispatches.filter(delivery="sent").values_list("pk", flat=True))
        withdrawn = set(dispatches.filter(delivery="withdrawn").values_list("pk", flat=True))
        return Result(
            name,
            UNITS,
            recovered,
            duplicates=sum(1 for n in mailed.values() if n > 1),
            wrongly_delivered=sum(1 for pk in sent if address[pk] not in mailed),
            undelivered=sum(
                1 for pk, a in address.items() if a not in mailed and pk not in sent | withdrawn
            ),
            note=fault.note(),
            pending_received=dispatches.filter(
                delivery="pending", pk__in=[pk for pk, a in address.items() if a in mailed]
            ).count(),
        )


def _recall() -> Fault:
    from directives.models import Dispatch, Notification
    from directives.services import directive_recall

    fault = Fault()
    seen: dict[str, int] = {}

    def after(bench: Bench, directive) -> None:
        fault.fired()
        directive_recall(directive=directive, by=bench.clerk, reason="Ban hành nhầm đối tượng")
        seen["directive"] = directive.pk

    def note() -> str:
        pk = seen.get("directive")
        rows = Notification.objects.filter(directive_id=pk)
        had = set(rows.filter(kind="delivery").values_list("dispatch_id", flat=True))
        told = set(rows.filter(kind="recalled").values_list("dispatch_id", flat=True))
        withdrawn = Dispatch.objects.filter(directive_id=pk, delivery="withdrawn").count()
        return (
            f"not sent (recalled) {withdrawn}, told of the recall {len(told)} "
            f"of which never had the letter {len(told - had)}"
        )

    fault.after, fault.note = after, note
    return fault


def _pg_terminate() -> Fault:
    from tests.directives.dispatch.workers import backend_pid, backends_terminate, database_url

    url, own = database_url(), backend_pid()
    fault = Fault()
    terminated: list[int] = []
    step = max(UNITS // 6, 1)

    def hook(sink) -> bool:
        n = len(sink.messages)
        if len(terminated) < 3 and n >= UNITS // 3 + step * len(terminated):
            fault.fired()
            terminated.append(backends_terminate(url, keep={own}))
        return False

    fault.hook = hook
    fault.note = lambda: f"sessions terminated {'+'.join(map(str, terminated))}"
    return fault


def _kill() -> Fault:
    from tests.directives.dispatch.conftest import start_worker_process
    from tests.directives.dispatch.workers import client_pid

    fault = Fault()
    killed: list[int | None] = []

    def hook(sink) -> bool:
        if killed:
            return False
        pid = client_pid(sink.peer[1])
        killed.append(pid)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
        fault.fired()
        return True

    def after(bench: Bench, directive) -> None:
        while not killed:
            time.sleep(0.05)
        for n, worker in enumerate(bench.workers):
            if worker.pid == killed[0]:
                worker.wait(10)
                bench.workers[n] = start_worker_process(
                    bench.env, f"restarted{n}", bench.tmp, options=("-P", "solo")
                )

    fault.hook, fault.after = hook, after
    fault.note = lambda: "a solo worker killed mid-message and restarted"
    return fault


def _smtp_451() -> Fault:
    fault = Fault()

    def hook(sink) -> bool:
        if not fault.times:
            fault.fired()
            sink.refuse_until = time.monotonic() + REFUSE_S
        return False

    fault.hook = hook
    fault.note = lambda: f"451 for {REFUSE_S:.0f} s"
    return fault


def _smtp_drop() -> Fault:
    fault = Fault()
    dropped = max(UNITS // 5, 1)
    seen: list = []

    def hook(sink) -> bool:
        if not fault.times:
            fault.fired()
            sink.drop_next = dropped
            seen.append(sink)
        return False

    fault.hook = hook
    fault.note = lambda: (
        f"{seen[0].dropped if seen else 0} connections dropped after DATA "
        "(SMTP cannot tell them from lost ones: the same Message-ID each time)"
    )
    return fault


def _measure() -> list[str]:
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tests.directives.dispatch.workers import RedisServer

    setup_test_environment()
    tmp = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    settings.MEDIA_ROOT = str(tmp / "media")
    shared = redis.Redis.from_url(REDIS_URL)
    shared.flushdb()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results: list[Result] = []
    private: RedisServer | None = None
    try:
        bench = Bench(tmp)
        for name in chosen():
            if name == "redis_restart":
                if not RedisServer.available():
                    results.append(Result(name, UNITS, None, 0, 0, 0, "no redis-server binary"))
                    continue
                private = RedisServer(tmp)
                private.start()
                fault = Fault()

                def restart(bench: Bench, directive, server=private, fault=fault) -> None:
                    fault.fired()
                    server.restart_empty()

                fault.after = restart
                fault.note = lambda: "a private redis-server killed and started again empty"
                results.append(bench.measure(name, fault, broker=private.url))
                private.stop()
                continue
            maker = {
                "recall": _recall,
                "pg_terminate": _pg_terminate,
                "kill": _kill,
                "smtp_451": _smtp_451,
                "smtp_drop": _smtp_drop,
            }.get(name)
            if maker is None:
                results.append(Result(name, 0, None, 0, 0, 0, f"unknown fault; of {FAULTS}"))
                continue
            results.append(bench.measure(name, maker(), broker=REDIS_URL))
            shared.flushdb()
    finally:
        if private is not None:
            private.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shared.flushdb()
        shutil.rmtree(tmp, ignore_errors=True)
    return [
        f"{WORKERS} solo workers, sweep every {SWEEP_EVERY_S:.0f} s, fault when a third of the "
        f"units are in; settings as in production (EMAIL_TIMEOUT, NOTIFY_RECLAIM_AFTER_SECONDS, "
        f"retry backoff)",
        *(result.line() for result in results),
    ]


if __name__ == "__main__":
    for line in _measure():
        print(line)
