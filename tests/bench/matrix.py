"""Bench: the clerk's tracking matrix of a directive sent to 500 units with 3 tasks.

Target: rendered in under 300 ms (median) on PostgreSQL on this machine.

`run()` starts a child process with DATABASE_URL pointing at PostgreSQL (DATABASE_URL if it is a
PostgreSQL URL, else postgres://postgres@127.0.0.1:5432/bench_matrix); the child creates a
throwaway test database (test_<name>), builds the data, renders the page with the test Client
N times, reports the median, and drops the database.
    .venv/bin/python -m tests.bench matrix
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import time

UNITS = int(os.environ.get("BENCH_MATRIX_UNITS", "500"))
TASKS = 3
RUNS = int(os.environ.get("BENCH_MATRIX_RUNS", "15"))
TARGET_MS = 300
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_matrix"


def run() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_URL
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.setdefault("DEBUG", "1")
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.matrix"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        lines.append(f"FAILED (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return lines


def _measure() -> list[str]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from directives.models import Assignment, Dispatch
    from recipients import roles
    from recipients.models import Unit
    from tests.directives.workspace.data import make_issued
    from tests.factories import UnitFactory, UserFactory

    if connection.vendor != "postgresql":
        return [f"skipped: needs PostgreSQL, got {connection.vendor}"]
    setup_test_environment()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        agency = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
        clerk = UserFactory(unit=agency, roles=[roles.CLERK])
        units = Unit.objects.bulk_create(
            [
                Unit(code=f"BENCH{i:04d}", name=f"Đơn vị thử nghiệm số {i}", sort_order=i)
                for i in range(UNITS)
            ]
        )
        directive = make_issued(units=units, issuing_unit=agency, tasks=TASKS, number=1038)
        # A realistic mix: two thirds acknowledged, some tasks in progress, done, overdue.
        ids = list(Dispatch.objects.filter(directive=directive).values_list("pk", flat=True))
        Dispatch.objects.filter(pk__in=ids[: 2 * len(ids) // 3]).update(
            acknowledged_at=timezone.now(), acknowledged_by_name="Nguyễn Văn An"
        )
        assignments = list(Assignment.objects.filter(task__directive=directive).order_by("pk"))
        for i, a in enumerate(assignments):
            a.status = ("pending", "in_progress", "done", "accepted")[i % 4]
            if a.status in ("done", "accepted"):
                a.reported_at = timezone.now()
            if i % 7 == 0:
                a.due_date = timezone.localdate() - datetime.timedelta(days=1)
        Assignment.objects.bulk_update(assignments, ["status", "reported_at", "due_date"])

        client = Client()
        client.force_login(clerk)
        url = reverse("directives:matrix", args=[directive.pk])
        executed: list[str] = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            first = client.get(url)
        assert first.status_code == 200, first.status_code
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        median = statistics.median(timings)
        verdict = "OK" if median < TARGET_MS else "TOO SLOW"
        return [
            f"matrix: {UNITS} units x {TASKS} tasks, {RUNS} renders on PostgreSQL ({test_name})",
            f"median {median:.0f} ms, min {min(timings):.0f} ms, max {max(timings):.0f} ms; "
            f"{len(executed)} queries; {len(first.content) // 1024} KiB; "
            f"target < {TARGET_MS} ms: {verdict}",
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    for line in _measure():
        print(line)
