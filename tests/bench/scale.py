"""Bench: ten years of a province on PostgreSQL (issue 17, "Scale").

Seeds 1,000 units, 20,000 issued directives (2017–2026, each to ten units, one of which, the
"busy" district, receives every letter) with 200,000 dispatches and 200,000 assignments, the busy
district's incoming book (20,000 entries) and three events per letter; then reports:
- the seeding time (target under 5 minutes);
- server time p50/p95 (the test client, in the process: no network) and the query count of the
  directive list, the register, an inbox, the incoming book, a directive page, the matrix of a
  500-unit directive and the dashboard (targets: p95 < 150 ms, matrix < 300 ms); the query counts
  are taken at a tenth of the data and at all of it, and must be the same;
- the inbox's throughput under a bounded loopback load (gunicorn, 2 workers, `wrk`) against a
  trivial Django view through the same middleware in the same run (target ratio >= 0.25);
- "Cấp số" (numbering from one register) per second with 8 clerks at once: no duplicate, no gap.

Production settings (DEBUG off) against a throwaway database of its own:
    make bench BENCH_ARGS=scale
or, on a shared server, in `test_<name>` of one's own database and Redis db:
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> \
        BENCH_REDIS_URL=redis://127.0.0.1:6379/<n> make bench BENCH_ARGS=scale
To compare two versions of the code on the same data: BENCH_SCALE_KEEP=1 keeps `test_<name>`
after the run, and BENCH_SCALE_REUSE=1 measures the pages and the throughput again on the data
a kept run left (no seeding, no query count at a tenth, no numbering: the data stays the same).
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from tests.bench.child import child_env

UNITS = int(os.environ.get("BENCH_SCALE_UNITS", "1000"))
DIRECTIVES = int(os.environ.get("BENCH_SCALE_DIRECTIVES", "20000"))
PER_LETTER = 10  # units per letter: 20,000 x 10 = 200,000 dispatches and assignments
YEARS = 10
RUNS = int(os.environ.get("BENCH_SCALE_RUNS", "30"))
CLERKS = 8
NUMBERINGS = int(os.environ.get("BENCH_SCALE_NUMBERINGS", "24"))
WRK_SECONDS = int(os.environ.get("BENCH_SCALE_WRK_SECONDS", "10"))
WRK_ROUNDS = int(os.environ.get("BENCH_SCALE_WRK_ROUNDS", "3"))
P95_TARGET_MS = 150
MATRIX_TARGET_MS = 300
SEED_TARGET_S = 300
RATIO_FLOOR = 0.25
BATCH = 5000
KEEP = os.environ.get("BENCH_SCALE_KEEP") == "1"
REUSE = os.environ.get("BENCH_SCALE_REUSE") == "1"


def run() -> list[str]:
    # BENCH_DATABASE_URL / BENCH_REDIS_URL: a database and a Redis db of one's own when several
    # people share the server; the bench works in `test_<that name>`, made and dropped.
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    env = child_env("scale", redis_url, database_url=os.environ.get("BENCH_DATABASE_URL"))
    # The cache every process shares, as in production (docs/deployment.md): what the pages
    # keep there (the inbox's count, a user's permissions) is kept for both gunicorn workers.
    env.setdefault("CACHE_URL", redis_url)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.scale"],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        lines.append(f"FAILED (exit {done.returncode}): {done.stderr.strip()[-3000:]}")
    return lines


# --- seeding ------------------------------------------------------------------------------


def _seed_units(agency):
    from recipients import roles
    from recipients.models import Unit
    from tests.factories import UserFactory

    kinds = [
        Unit.Kind.DEPARTMENT,
        Unit.Kind.DISTRICT_COMMITTEE,
        Unit.Kind.PRESS,
        Unit.Kind.OTHER,
    ]
    units = Unit.objects.bulk_create(
        [
            Unit(
                code=f"SC{i:04d}",
                name=f"Đơn vị số {i} tỉnh Gia Lai",
                abbreviation=f"SC{i:04d}",
                kind=kinds[i % len(kinds)],
                contact_emails=f"vanthu{i}@donvi.gialai.gov.vn",
                sort_order=i,
            )
            for i in range(UNITS)
        ],
        batch_size=BATCH,
    )
    busy = units[0]
    officer = UserFactory(username="busy.officer", unit=busy, roles=[roles.UNIT_OFFICER])
    UserFactory(username="busy.clerk", unit=busy, roles=[roles.CLERK])
    return units, busy, officer


def _seed_letters(agency, units, busy, *, indexes: list[int]) -> None:
    """The letters of these indexes (0 to DIRECTIVES - 1, spread over ten years by index), each
    to the busy district and nine others."""
    from django.db.models import F
    from django.utils import timezone

    from directives.models import (
        URGENCY_RANK,
        Assignment,
        Directive,
        Dispatch,
        Event,
        IncomingBook,
        IncomingEntry,
        Register,
        RegisterKind,
        Task,
        Urgency,
    )
    from directives.workdays import effective_deadline

    now = timezone.now()
    this_year = timezone.localdate().year
    per_year = max(1, DIRECTIVES // YEARS)
    others = [u for u in units if u.pk != busy.pk]
    for chunk in range(0, len(indexes), 2000):
        batch = indexes[chunk : chunk + 2000]
        letters = []
        for i in batch:
            year = this_year - YEARS + 1 + i // per_year
            day = datetime.date(year, 1, 1) + datetime.timedelta(
                days=(i % per_year) * 365 // per_year
            )
            issued_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            letters.append(
                Directive(
                    issuing_unit=agency.sttt,
                    drafting_unit=agency.division,
                    drafter=agency.drafter,
                    signer=agency.signer,
                    parent_body="UBND TỈNH GIA LAI",
                    subject=f"Về việc triển khai nhiệm vụ số {i} năm {year} của các đơn vị",
                    body="1. Các đơn vị:\n\n- Triển khai./.",
                    signer_title="PHÓ GIÁM ĐỐC",
                    signer_name="Lê Thị Thu Hương",
                    # One letter in a thousand flash, three more urgent, all of them still
                    # waiting in the busy district's inbox, which sorts them first.
                    urgency=Urgency.FLASH
                    if i % 1000 == 0
                    else Urgency.URGENT
                    if i % 250 == 0
                    else Urgency.NORMAL,
                    status=Directive.Status.ISSUED,
                    number=i % per_year + 1,
                    register_year=year,
                    symbol="STTTT-TTBCXB",
                    issued_on=day,
                    issued_at=issued_at,
                    numbered_at=issued_at,
                    pdf_sha256="a" * 64,
                    pdf_status=Directive.PdfStatus.READY,
                )
            )
        letters = Directive.objects.bulk_create(letters, batch_size=BATCH)
        # Last changed when issued, as in life (bulk_create stamps them all "now").
        Directive.objects.filter(pk__in=[d.pk for d in letters]).update(updated_at=F("issued_at"))
        for year in {d.register_year for d in letters}:
            last = max(d.number for d in letters if d.register_year == year)
            register, _created = Register.objects.get_or_create(
                unit=agency.sttt, kind=RegisterKind.GENERAL, year=year
            )
            if register.last_number < last:
                register.last_number = last
                register.save(update_fields=["last_number"])
        tasks = Task.objects.bulk_create(
            [
                Task(
                    directive=d,
                    position=1,
                    title="Báo cáo kết quả triển khai",
                    deadline=d.issued_on + datetime.timedelta(days=14),
                    report_required=True,
                )
                for d in letters
            ],
            batch_size=BATCH,
        )
        dispatches = []
        for n, d in enumerate(letters):
            first = batch[n] * (PER_LETTER - 1) % len(others)
            chosen = [busy] + [others[(first + k) % len(others)] for k in range(PER_LETTER - 1)]
            for k, unit in enumerate(chosen):
                # Two thirds of the units acknowledge; the busy district all but one in 50.
                acked = batch[n] % 50 != 0 if k == 0 else k % 3 != 0
                dispatches.append(
                    Dispatch(
                        directive=d,
                        unit=unit,
                        urgency_rank=URGENCY_RANK[d.urgency],
                        delivery=Dispatch.Delivery.SENT,
                        delivered_at=d.issued_at,
                        acknowledged_at=d.issued_at if acked else None,
                        acknowledged_by_name="Nguyễn Văn An" if acked else "",
                    )
                )
        dispatches = Dispatch.objects.bulk_create(dispatches, batch_size=BATCH)
        task_of = {t.directive_id: t for t in tasks}
        statuses = ("pending", "in_progress", "done", "accepted")
        Assignment.objects.bulk_create(
            [
                Assignment(
                    task=task_of[p.directive_id],
                    unit_id=p.unit_id,
                    dispatch=p,
                    due_date=task_of[p.directive_id].deadline,
                    effective_due_date=effective_deadline(task_of[p.directive_id].deadline),
                    status=statuses[k % 4],
                    reported_at=now if k % 4 >= 2 else None,
                )
                for k, p in enumerate(dispatches)
            ],
            batch_size=BATCH,
        )
        books: dict[int, int] = {}
        entries = []
        for p in dispatches:
            if p.unit_id != busy.pk:
                continue
            year = p.delivered_at.year
            books[year] = books.get(year, 0) + 1
            entries.append((p, year))
        by_pk = {d.pk: d for d in letters}
        for year, count in books.items():
            book, _created = IncomingBook.objects.get_or_create(unit=busy, year=year)
            first = book.last_number
            book.last_number = first + count
            book.save(update_fields=["last_number"])
            books[year] = first
        rows = []
        for p, year in entries:
            letter = by_pk[p.directive_id]
            books[year] += 1
            rows.append(
                IncomingEntry(
                    unit=busy,
                    dispatch=p,
                    year=year,
                    arrival_number=books[year],
                    arrived_at=p.delivered_at,
                    issuer_name=agency.sttt.name,
                    number=str(letter.number),
                    symbol=letter.symbol,
                    letter_date=letter.issued_on,
                    doc_type_name="Công văn",
                    subject=letter.subject,
                    signatures_valid=True,
                    received_by_name="Trần Thị Bình",
                )
            )
        IncomingEntry.objects.bulk_create(rows, batch_size=BATCH)
        Event.objects.bulk_create(
            [
                Event(directive=d, actor=agency.clerk, actor_name="Văn thư", verb=verb)
                for d in letters
                for verb in ("created", "approved", "issued")
            ],
            batch_size=BATCH,
        )


def _matrix_letter(agency, units):
    from django.utils import timezone

    from directives.models import Assignment, Dispatch
    from tests.directives.workspace.data import make_issued

    directive = make_issued(
        units=units[:500], issuing_unit=agency.sttt, tasks=3, number=DIRECTIVES + 1
    )
    ids = list(Dispatch.objects.filter(directive=directive).values_list("pk", flat=True))
    Dispatch.objects.filter(pk__in=ids[: 2 * len(ids) // 3]).update(
        acknowledged_at=timezone.now(), acknowledged_by_name="Nguyễn Văn An"
    )
    assignments = list(Assignment.objects.filter(task__directive=directive).order_by("pk"))
    for i, a in enumerate(assignments):
        a.status = ("pending", "in_progress", "done", "accepted")[i % 4]
        if a.status in ("done", "accepted"):
            a.reported_at = timezone.now()
    Assignment.objects.bulk_update(assignments, ["status", "reported_at"], batch_size=BATCH)
    return directive


# --- measuring ----------------------------------------------------------------------------


def _pages(agency, busy, officer, matrix_letter, sample_letter):
    from django.urls import reverse

    from recipients.models import User

    busy_clerk = User.objects.get(username="busy.clerk")
    return [
        ("directive list", agency.clerk, reverse("directives:list"), P95_TARGET_MS),
        ("register", agency.clerk, reverse("directives:register"), P95_TARGET_MS),
        ("inbox", officer, reverse("directives:inbox"), P95_TARGET_MS),
        (
            "incoming book",
            busy_clerk,
            reverse("directives:incoming_book", args=[busy.pk]),
            P95_TARGET_MS,
        ),
        (
            "directive page",
            agency.clerk,
            reverse("directives:detail", args=[sample_letter.pk]),
            P95_TARGET_MS,
        ),
        (
            "matrix (500 units)",
            agency.clerk,
            reverse("directives:matrix", args=[matrix_letter.pk]),
            MATRIX_TARGET_MS,
        ),
        ("dashboard", agency.clerk, reverse("directives:dashboard"), P95_TARGET_MS),
        # The same page with its figures counted on every visit (DASHBOARD_CACHE_SECONDS=0).
        ("dashboard, counted", agency.clerk, reverse("directives:dashboard"), P95_TARGET_MS),
    ]


def _query_counts(pages) -> dict[str, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    counts = {}
    for name, user, url, _target in pages:
        cache.clear()  # each page's queries as a first visit makes them (the dashboard's too)
        client = Client()
        client.force_login(user)
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")
        counts[name] = len(executed)
    return counts


def _timings(pages) -> list[tuple[str, float, float, float, float]]:
    from django.conf import settings
    from django.test import Client

    out = []
    cached = settings.DASHBOARD_CACHE_SECONDS
    for name, user, url, target in pages:
        settings.DASHBOARD_CACHE_SECONDS = 0 if name.endswith("counted") else cached
        client = Client()
        client.force_login(user)
        client.get(url)
        timings = []
        cpu = []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        timings.sort()
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        out.append((name, statistics.median(timings), p95, target, statistics.median(cpu)))
    settings.DASHBOARD_CACHE_SECONDS = cached
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, cookie: str) -> tuple[float | None, str]:
    """Requests per second of `wrk` against `url` (2 threads, 8 connections), and its errors."""
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{WRK_SECONDS}s",
            "-H",
            f"Cookie: sessionid={cookie}",
            "-H",
            "X-Forwarded-Proto: https",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=WRK_SECONDS + 60,
        check=False,
    )
    rate = None
    errors = ""
    for line in done.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
        if "Non-2xx" in line or "Socket errors" in line:
            errors += line.strip() + " "
    return rate, errors.strip()


def _warm_up(urls: list[str], cookie: str) -> None:
    """Each URL answered a few times before it is measured: the socket is open before the
    workers have loaded the portal, and on a busy machine that took longer than a measurement
    (wrk then counted no request at all)."""
    from urllib.request import Request, urlopen

    headers = {"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"}
    deadline = time.monotonic() + 120
    for url in urls:
        answered = 0
        while answered < 4 and time.monotonic() < deadline:
            try:
                with urlopen(Request(url, headers=headers), timeout=30) as response:
                    response.read()
                answered += 1
            except OSError:
                time.sleep(0.5)


def _throughput(officer, db_name: str) -> list[str]:
    if not shutil.which("wrk"):
        return ["throughput: skipped, wrk is not installed (apt install wrk)"]
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(officer)
    cookie = client.cookies["sessionid"].value
    port = _free_port()
    db = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": f"{db.scheme}://{db.netloc}/{db_name}",
        "DJANGO_SETTINGS_MODULE": "tests.bench.scale_settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": os.environ.get("CACHE_URL", "locmemcache://"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        base = f"http://127.0.0.1:{port}"
        _warm_up([f"{base}/bench/trivial/", f"{base}{reverse('directives:inbox')}"], cookie)
        # The two views in turns, WRK_ROUNDS times: this machine's speed drifts by a third
        # within minutes, and turns give both views the same share of each moment.
        rounds = []
        for _ in range(WRK_ROUNDS):
            trivial, trivial_errors = _wrk(f"{base}/bench/trivial/", cookie)
            inbox, inbox_errors = _wrk(f"{base}{reverse('directives:inbox')}", cookie)
            rounds.append((trivial, trivial_errors, inbox, inbox_errors))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if not all(trivial and inbox for trivial, _t, inbox, _i in rounds):
        return ["throughput: FAILED, wrk printed no rate"]
    trivial = sum(r[0] for r in rounds) / len(rounds)
    inbox = sum(r[2] for r in rounds) / len(rounds)
    ratio = inbox / trivial
    verdict = "OK" if ratio >= RATIO_FLOOR else "TOO SLOW"
    turns = ", ".join(f"{i:.0f}/{t:.0f}" for t, _t, i, _i in rounds)
    errors = "; ".join(
        f"trivial {t_errors or 'none'}, inbox {i_errors or 'none'}"
        for _t, t_errors, _i, i_errors in rounds
    )
    return [
        f"throughput (gunicorn 2 workers, wrk -t2 -c8 -d{WRK_SECONDS}s, signed in, "
        f"{len(rounds)} turns each): inbox {inbox:.0f} req/s, trivial view {trivial:.0f} req/s, "
        f"ratio {ratio:.3f} (target >= {RATIO_FLOOR}): {verdict}; each turn, inbox/trivial: "
        f"{turns}; wrk errors: {errors}"
    ]


def _numbering(agency) -> list[str]:
    from django.db import connection

    from directives import services
    from directives.models import Directive, Register
    from recipients import roles
    from tests.factories import UserFactory

    approved = [agency.approved() for _ in range(NUMBERINGS)]
    clerks = [UserFactory(unit=agency.office, roles=[roles.CLERK]) for _ in range(CLERKS)]
    year = datetime.date.today().year
    before = Register.objects.filter(unit=agency.sttt, year=year).values_list(
        "last_number", flat=True
    )
    first = (before[0] if before else 0) + 1
    start = threading.Barrier(CLERKS)

    def number(index: int):
        try:
            if index < CLERKS:
                start.wait(timeout=60)
            services.directive_number(directive=approved[index], by=clerks[index % CLERKS])
            return None
        except Exception as exc:  # reported below
            return exc
        finally:
            connection.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(CLERKS) as pool:
        failures = [r for r in pool.map(number, range(NUMBERINGS)) if r is not None]
    elapsed = time.perf_counter() - began
    numbers = sorted(
        Directive.objects.filter(pk__in=[d.pk for d in approved]).values_list("number", flat=True)
    )
    expected = list(range(first, first + NUMBERINGS))
    duplicates = len(numbers) - len(set(numbers))
    gaps = len(set(expected) - set(numbers))
    return [
        f"numbering: {NUMBERINGS} letters by {CLERKS} clerks at once from one register: "
        f"{NUMBERINGS / elapsed:.2f} per second ({elapsed:.1f} s; each renders its PDF under the "
        f"register's lock), {duplicates} duplicates, {gaps} gaps, {len(failures)} failures"
        + (f" ({failures[0]!r})" if failures else "")
    ]


def _measure() -> Iterator[str]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    from directives.models import Assignment, Directive, Dispatch
    from tests.directives.core.conftest import build_agency

    if connection.vendor != "postgresql":
        yield f"skipped: needs PostgreSQL, got {connection.vendor}"
        return
    setup_test_environment()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    settings.MEDIA_ROOT = str(tmp / "media")
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.settings_dict["NAME"]
    db_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=not REUSE, serialize=False, keepdb=REUSE
    )
    yield f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    try:
        if REUSE and Directive.objects.filter(issuing_unit__code="STTTT").exists():
            yield from _measure_again(db_name)
            return
        agency = build_agency()
        began = time.perf_counter()
        units, busy, officer = _seed_units(agency)
        # A tenth of the letters first, spread over the same ten years as the rest.
        _seed_letters(agency, units, busy, indexes=list(range(0, DIRECTIVES, 10)))
        matrix_letter = _matrix_letter(agency, units)
        sample_letter = Directive.objects.filter(status=Directive.Status.ISSUED).first()
        seeded_tenth = time.perf_counter() - began
        pages = _pages(agency, busy, officer, matrix_letter, sample_letter)
        small = _query_counts(pages)
        began = time.perf_counter()
        _seed_letters(agency, units, busy, indexes=[i for i in range(DIRECTIVES) if i % 10])
        with connection.cursor() as cursor:
            # What autovacuum leaves after a bulk load: statistics, and the visibility map that
            # lets the dashboard's counts read their indexes alone.
            cursor.execute("VACUUM ANALYZE")
        seeded = seeded_tenth + time.perf_counter() - began
        yield (
            f"seed: {UNITS} units, {Directive.objects.count()} directives, "
            f"{Dispatch.objects.count()} dispatches, {Assignment.objects.count()} assignments in "
            f"{seeded:.0f} s (target < {SEED_TARGET_S} s): "
            + ("OK" if seeded < SEED_TARGET_S else "TOO SLOW")
        )
        large = _query_counts(pages)
        yield from _page_lines(pages, small, large)
        yield f"load average {os.getloadavg()[0]:.1f}"
        yield from _throughput(officer, db_name)
        yield from _numbering(agency)
    finally:
        connection.close()
        if KEEP or REUSE:
            connection.settings_dict["NAME"] = old_name
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


def _page_lines(pages, small: dict[str, int] | None, large: dict[str, int]) -> Iterator[str]:
    from portal.heap import heap_settle

    heap_settle()  # what the web process does at start (portal/wsgi.py)
    for name, p50, p95, target, cpu in _timings(pages):
        verdict = "OK" if p95 < target else "TOO SLOW"
        if small is None:
            queries = f"queries {large[name]}"
        else:
            constant = "constant" if small[name] == large[name] else "GROWS"
            queries = f"queries {small[name]} at a tenth, {large[name]} at all: {constant}"
        yield (
            f"{name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms (target p95 < {target} ms: "
            f"{verdict}), CPU p50 {cpu:.0f} ms; {queries}"
        )


def _measure_again(db_name: str) -> Iterator[str]:
    """BENCH_SCALE_REUSE: the pages and the throughput on the data of a kept run."""
    from directives.models import Directive, Dispatch
    from recipients import roles
    from recipients.models import User

    clerk = User.objects.filter(unit__code="VPS", groups__name=roles.CLERK).order_by("pk").first()
    agency = type("KeptAgency", (), {"clerk": clerk})
    officer = User.objects.get(username="busy.officer")
    busy = officer.unit
    matrix_letter = Directive.objects.get(number=DIRECTIVES + 1, issuing_unit__code="STTTT")
    sample_letter = Directive.objects.filter(status=Directive.Status.ISSUED).first()
    yield (
        f"reused: {Directive.objects.count()} directives, {Dispatch.objects.count()} dispatches "
        f"(kept by an earlier BENCH_SCALE_KEEP=1 run)"
    )
    pages = _pages(agency, busy, officer, matrix_letter, sample_letter)
    yield from _page_lines(pages, None, _query_counts(pages))
    yield f"load average {os.getloadavg()[0]:.1f}"
    yield from _throughput(officer, db_name)


if __name__ == "__main__":
    for line in _measure():
        print(line, flush=True)
