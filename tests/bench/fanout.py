"""Bench: fan-out of one directive to many units through two real Celery workers on Redis into
a local SMTP sink (aiosmtpd), on PostgreSQL.

Reports: time to enqueue delivery (what an issuing request pays), time until every outbox row
exists, time until the last e-mail is accepted (target under 20 s), duplicates (must be 0), and
peak worker memory. `run()` starts a child process on a throwaway database, like matrix.py.
    .venv/bin/python -m tests.bench fanout        (BENCH_FANOUT_UNITS=500 by default)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

UNITS = int(os.environ.get("BENCH_FANOUT_UNITS", "500"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_fanout"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
TARGET_S = 20
ROOT = Path(__file__).resolve().parents[2]


def run() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_URL
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.setdefault("DEBUG", "1")
    env["CELERY_BROKER_URL"] = REDIS_URL
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.fanout"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        lines.append(f"FAILED (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return lines


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _wait(condition, timeout: float) -> float | None:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if condition():
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def _measure() -> list[str]:
    import django

    django.setup()
    import redis
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection

    from directives.models import Notification
    from directives.tasks import deliver_directive
    from recipients import roles
    from recipients.models import Unit, User
    from tests.directives.dispatch.conftest import Sink, free_port, with_pdf
    from tests.directives.workspace.data import make_issued
    from tests.factories import UnitFactory

    if connection.vendor != "postgresql":
        return [f"skipped: needs PostgreSQL, got {connection.vendor}"]
    settings.MEDIA_ROOT = Path(settings.VAR_DIR) / "bench-media"
    redis.Redis.from_url(REDIS_URL).flushdb()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    workers = []
    try:
        agency = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
        units = Unit.objects.bulk_create(
            [
                Unit(
                    name=f"Đơn vị {i}",
                    short_name=f"ĐV {i}",
                    code=f"B{i:05d}",
                    kind=Unit.Kind.DISTRICT_COMMITTEE,
                    contact_emails=f"b{i:05d}@gialai.gov.vn",
                )
                for i in range(UNITS)
            ]
        )
        officers = User.objects.bulk_create(
            [
                User(username=f"ub{i:05d}", email=f"ub{i:05d}@gialai.gov.vn", unit=u)
                for i, u in enumerate(units)
            ]
        )
        group = roles_group(roles.UNIT_OFFICER)
        group.user_set.add(*officers)
        directive = with_pdf(make_issued(units=units, issuing_unit=agency, delivered=False))
        expected = UNITS * 2
        env = {
            **os.environ,
            "DATABASE_URL": _url_for(connection.settings_dict, test_name),
            "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SECRET_KEY": settings.SECRET_KEY,
        }
        celery = str(Path(sys.executable).parent / "celery")
        for n in range(2):
            workers.append(
                subprocess.Popen(
                    [
                        celery,
                        "-A",
                        "portal",
                        "worker",
                        "-P",
                        "solo",
                        "-n",
                        f"bench{n}@%h",
                        "--without-mingle",
                        "--without-gossip",
                        "-l",
                        "error",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(4)  # both workers connected before the clock starts
        start = time.perf_counter()
        deliver_directive.delay(directive.pk)
        enqueue_ms = (time.perf_counter() - start) * 1000
        rows_s = _wait(
            lambda: Notification.objects.filter(directive=directive).count() >= UNITS * 3, 120
        )
        last_s = _wait(lambda: len(sink.messages) >= expected, 120)
        time.sleep(1)  # anything sent twice would arrive now
        counts = sink.count_by_address()
        duplicates = sum(counts.values()) - len(counts)
        peaks = [_peak_kib(w.pid) // 1024 for w in workers]
        return [
            f"units: {UNITS}, e-mails expected: {expected}, accepted: {sum(counts.values())}",
            f"enqueue delivery (the request's share): {enqueue_ms:.1f} ms",
            f"all outbox rows written: {rows_s:.2f} s" if rows_s else "rows: TIMEOUT",
            f"last e-mail accepted: {last_s:.2f} s (target < {TARGET_S} s)"
            if last_s
            else "last e-mail: TIMEOUT",
            f"duplicates: {duplicates} (must be 0)",
            f"peak worker memory (VmHWM): {', '.join(f'{p} MiB' for p in peaks)}",
        ]
    finally:
        for worker in workers:
            worker.terminate()
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
        controller.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        redis.Redis.from_url(REDIS_URL).flushdb()


def roles_group(name: str):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


def _url_for(db: dict, name: str) -> str:
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


if __name__ == "__main__":
    for line in _measure():
        print(line)
