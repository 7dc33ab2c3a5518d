"""Bench: issue one directive to 1,000 units on PostgreSQL + Redis, delivered by two Celery
worker processes (`celery -A portal worker -P solo`, queues pdf and mail) into a local SMTP
sink, against its floor measured in the same run by the same two processes.

Each unit's delivery job writes its notices and sends one e-mail to all the unit's addresses
(its contact address in To, its officer in Cc), so the sink sees 1,000 messages for 2,000
addresses. Reported:
- the portal: from the start of the clerk's issue request (the real view) to the last e-mail
  accepted by the sink (the agency's signature added to the signer's PDF, the fan-out written,
  every e-mail sent); target under 20 s;
- the floor: 1,000 bare Celery tasks (tests/bench/floor_tasks.py, loaded by the same worker
  processes with `-I`), each sending one message as large as the portal's delivery e-mail
  (the same signed PDF attached) to two addresses, over one kept SMTP connection per worker
  process; from the first enqueue to the last message accepted;
- the ratio portal / floor: target <= 1.5;
- the issue request: the median of 10, all taken while the workers run (the measured fan-out's
  own, then nine more letters to the same 1,000 units, issued one after the other after the
  floor, while the workers render and deliver the earlier ones); target under 0.3 s;
- duplicates (must be 0), peak memory of each worker process (VmHWM);
- the CPU seconds of the portal's and the floor's phases: the workers, the SMTP sink (a process
  of its own, so that it does not share this process's GIL with the request being timed), this
  process, PostgreSQL and Redis. On a small machine they share the same cores, which is what
  bounds the portal's time.

Runs in a child process against its own throwaway PostgreSQL database (test_bench_fanout_<pid>)
and its own Redis database (BENCH_REDIS_URL, db 12), both cleaned up afterwards. Workers run as
in production (DEBUG off, the agency's key from a PKCS#12 file).
    .venv/bin/python -m tests.bench fanout        (BENCH_FANOUT_UNITS=1000 by default)
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.bench.child import child_env

UNITS = int(os.environ.get("BENCH_FANOUT_UNITS", "1000"))
WORKERS = 2
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
REQUEST_TARGET_S = 0.3
LAST_TARGET_S = 20
RATIO_TARGET = 1.5
WAIT_S = 80
REQUESTS = 10
PIN = "123456"
FLOOR_DOMAIN = "floor.bench"
ROOT = Path(__file__).resolve().parents[2]


def run() -> list[str]:
    env = child_env("fanout", REDIS_URL)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.fanout"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3 * WAIT_S + 240,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        lines.append(f"FAILED (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return lines


class _Phase:
    """What the sink accepted for one side of the comparison."""

    def __init__(self, expected: int):
        self.expected = expected
        self.accepted: list[tuple[float, tuple[str, ...], int]] = []  # time, rcpts, bytes
        self.addresses = 0
        self.all_in = threading.Event()

    def add(self, at: float, rcpts: tuple[str, ...], size: int) -> None:
        self.accepted.append((at, rcpts, size))
        self.addresses += len(rcpts)
        if self.addresses >= self.expected:
            self.all_in.set()


class CountingSink:
    """An SMTP server's handler that only counts, the portal's messages apart from the floor's
    (by the recipients' domain): parsing would slow the sink, not the portal."""

    def __init__(self, expected: int):
        self.portal = _Phase(expected)
        self.floor = _Phase(expected)
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_DATA(self, server, session, envelope):
        rcpts = tuple(a.lower() for a in envelope.rcpt_tos)
        phase = self.floor if rcpts and rcpts[0].endswith("@" + FLOOR_DOMAIN) else self.portal
        content = envelope.original_content or envelope.content or b""
        phase.add(time.perf_counter(), rcpts, len(content))
        return "250 2.0.0 OK"


def _sink_main(conn, port: int, expected: int) -> None:
    """The SMTP sink's process: serves on `port` and answers the bench's questions."""
    from aiosmtpd.controller import Controller

    sink = CountingSink(expected)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send("ready")
    try:
        while True:
            command, *args = conn.recv()
            if command == "wait":
                conn.send(getattr(sink, args[0]).all_in.wait(args[1]))
            elif command == "accepted":
                conn.send(list(getattr(sink, args[0]).accepted))
            elif command == "connections":
                conn.send(sink.connections)
            else:
                conn.send(None)
                return
    finally:
        controller.stop()


class SinkProcess:
    """The SMTP sink in a process of its own: in the bench's process it would share the GIL
    with the clerk's request being timed, which no web server does with its mail server."""

    def __init__(self, port: int, expected: int):
        context = multiprocessing.get_context("spawn")
        self.port = port
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_sink_main, args=(child, port, expected), daemon=True)
        self.process.start()
        if not self._conn.poll(30) or self._conn.recv() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def _ask(self, *command):
        self._conn.send(command)
        return self._conn.recv()

    def wait(self, phase: str, timeout: float) -> bool:
        return self._ask("wait", phase, timeout)

    def accepted(self, phase: str) -> list[tuple[float, tuple[str, ...], int]]:
        return self._ask("accepted", phase)

    def connections(self) -> int:
        return self._ask("connections")

    def stop(self) -> None:
        if self.process.is_alive():
            self._ask("stop")
        self.process.join(10)


def _stat_fields(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (index 0 is field 3, the state)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _cpu_of(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    fields = _stat_fields(pid)
    return _cpu_of(fields) if fields else 0.0


_CLIENT_BACKEND = re.compile(r"\(\d+\)|\[local\]")  # "postgres db 127.0.0.1(5678) idle"


def _server_processes(name: str, database: str | None = None) -> dict[tuple[int, int], float]:
    """CPU seconds of the live processes called `name`, by (pid, start time): a pid that is
    reused is another process. With `database`, PostgreSQL client backends count only if they
    serve that database: other sessions of the machine share the server; the server's own
    processes (postmaster, WAL writer, checkpointer, autovacuum) count."""
    found: dict[tuple[int, int], float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        if head.split("(", 1)[1] != name:
            continue
        pid = int(stat.parent.name)
        if database is not None:
            try:
                title = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if _CLIENT_BACKEND.search(title) and database not in title.split():
                continue
        fields = tail.split()
        found[(pid, int(fields[19]))] = _cpu_of(fields)
    return found


class CpuMeter:
    """The CPU a set of server processes spent from `start()` on, counted per process: a
    process alive at the start counts its growth, a new one all its CPU, never negative.

    Sampled at the start, while the bench waits and at the end: a process that exits between
    two samples counts up to its last sample (what it used after that is lost, at most one
    sampling interval of one short-lived backend). Summing the live processes' totals instead
    printed "PostgreSQL -4.7 s" when backends exited."""

    def __init__(self, name: str, database: str | None = None):
        self.name, self.database = name, database
        self.first: dict[tuple[int, int], float] = {}
        self.last: dict[tuple[int, int], float] = {}

    def start(self) -> None:
        self.first = _server_processes(self.name, self.database)
        self.last = dict(self.first)

    def sample(self) -> None:
        self.last.update(_server_processes(self.name, self.database))

    def seconds(self) -> float:
        self.sample()
        return sum(max(0.0, cpu - self.first.get(key, 0.0)) for key, cpu in self.last.items())


def _peak_mib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _build(units: int, letters: int):
    """The agency and 1,000 districts, each with a contact address and one officer; `letters`
    letters addressed to them all (a group), with two tasks, numbered and signed by the
    signer, waiting for the clerk to seal and issue them."""
    from django.contrib.auth.models import Group

    from recipients import roles
    from recipients.models import RecipientGroup, Unit, User
    from tests.factories import UnitFactory, UserFactory

    sttt = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", head_title="GIÁM ĐỐC")
    division = UnitFactory(
        code="TTBCXB", name="Phòng Thông tin - Báo chí - Xuất bản", kind="division", parent=sttt
    )
    office = UnitFactory(code="VPS", name="Văn phòng Sở", kind="division", parent=sttt)
    UserFactory(unit=division, roles=[roles.DRAFTER], username="chuyenvien")
    UserFactory(unit=sttt, roles=[roles.SIGNER], username="lanhdao")
    clerk = UserFactory(unit=office, roles=[roles.CLERK], username="vanthu")
    districts = Unit.objects.bulk_create(
        Unit(
            name=f"UBND huyện số {i}",
            short_name=f"Huyện {i}",
            code=f"H{i:05d}",
            kind=Unit.Kind.DISTRICT_COMMITTEE,
            contact_emails=f"vanphong.h{i:05d}@gialai.gov.vn",
        )
        for i in range(units)
    )
    officers = User.objects.bulk_create(
        User(username=f"h{i:05d}", email=f"canbo.h{i:05d}@gialai.gov.vn", unit=unit)
        for i, unit in enumerate(districts)
    )
    Group.objects.get(name=roles.UNIT_OFFICER).user_set.add(*officers)
    RecipientGroup.objects.create(
        name="UBND các huyện", code="cac-huyen", kinds=[Unit.Kind.DISTRICT_COMMITTEE]
    )
    _images(signer=User.objects.get(username="lanhdao"), agency=sttt)
    return [_signed_letter(clerk) for _ in range(letters)], clerk


def _images(*, signer, agency) -> None:
    """The signer's signature image and the agency's seal, as the demo's: the widgets carry
    them, so the e-mailed PDF is as large as a real one."""
    from django.core.files.base import ContentFile

    from tests.directives.pdf.test_images import seal_png, signature_png

    signer.signature_image.save("signature.png", ContentFile(signature_png()))
    agency.seal_image.save("seal.png", ContentFile(seal_png()))


def _signed_letter(clerk):
    """A letter to every district (the group), with two tasks: approved, numbered by the clerk,
    signed by the signer with their key; what the clerk's issue request finds."""
    from directives import services
    from recipients.models import RecipientGroup, Unit, User

    drafter = User.objects.get(username="chuyenvien")
    signer = User.objects.get(username="lanhdao")
    group = RecipientGroup.objects.get(code="cac-huyen")
    sttt = Unit.objects.get(code="STTTT")
    division = Unit.objects.get(code="TTBCXB")
    fields = {
        "issuing_unit": sttt,
        "drafting_unit": division,
        "parent_body": "UBND TỈNH GIA LAI",
        "doc_type": "CV",
        "place": "Gia Lai",
        "subject": "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội",
        "body": "Sở Thông tin và Truyền thông đề nghị UBND các huyện triển khai thực hiện./.",
        "urgency": "normal",
        "signing_authority": "KT",
        "head_title": "GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Lê Thị Thu Hương",
    }
    tasks = [
        {"title": title, "deadline": None, "report_required": True, "groups": [group], "units": []}
        for title in ("Phổ biến, quán triệt Bộ Quy tắc", "Báo cáo kết quả thực hiện")
    ]
    draft = services.directive_save_draft(
        by=drafter,
        directive=None,
        fields=fields,
        addressees=[{"group": group, "unit": None, "label": "UBND các huyện"}],
        copies=[{"label": "Lưu: VT, P.TTBCXB", "unit": None, "group": None}],
        tasks=tasks,
    )
    submitted = services.directive_submit(directive=draft, by=drafter, signer=signer)
    approved = services.directive_approve(directive=submitted, by=signer)
    numbered = services.directive_number(directive=approved, by=clerk)
    return services.directive_sign(directive=numbered, by=signer, pin=PIN)


def _signer_key(pki, directory: Path) -> None:
    """The signer's personal key (PKCS#12, its password the PIN) where the portal looks."""
    from django.conf import settings

    from directives.documents.pki import signer_certificate_issue

    settings.SIGNER_P12_DIR = str(directory)
    signer_certificate_issue(
        pki,
        directory=directory,
        username="lanhdao",
        full_name="Lê Thị Thu Hương",
        organisation="Sở TT&TT Gia Lai",
        pin=PIN,
    )


def _wait_for_workers(app, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=0.5)) >= count:
            return
    raise RuntimeError(f"{count} workers did not answer within {timeout} s")


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


class _Cpu:
    """The CPU split of one phase: the workers, the SMTP sink, this process (the clerk's
    requests, the enqueueing of the floor), PostgreSQL (this bench's backends and the server's
    own processes) and Redis (the whole server)."""

    def __init__(self, workers: list[subprocess.Popen], sink_pid: int, database: str):
        self.workers = workers
        self.sink_pid = sink_pid
        self.postgres = CpuMeter("postgres", database)
        self.redis = CpuMeter("redis-server")

    def start(self) -> None:
        self.workers_before = sum(_cpu_s(w.pid) for w in self.workers)
        self.sink_before = _cpu_s(self.sink_pid)
        self.bench_before = time.process_time()
        self.postgres.start()
        self.redis.start()

    def sample(self) -> None:
        self.postgres.sample()
        self.redis.sample()

    def stop(self) -> dict[str, float]:
        return {
            "workers": sum(_cpu_s(w.pid) for w in self.workers) - self.workers_before,
            "sink": _cpu_s(self.sink_pid) - self.sink_before,
            "bench": time.process_time() - self.bench_before,
            "postgres": self.postgres.seconds(),
            "redis": self.redis.seconds(),
        }


def _wait(sink: SinkProcess, phase: str, cpu: _Cpu, start: float, poll=None) -> None:
    """Until the sink has every address of `phase` (or WAIT_S), sampling the servers' CPU."""
    sampled = time.perf_counter()
    while not sink.wait(phase, 0.1) and time.perf_counter() - start < WAIT_S:
        if poll is not None:
            poll()
        if time.perf_counter() - sampled > 0.5:
            cpu.sample()
            sampled = time.perf_counter()
    time.sleep(1)  # anything sent twice would arrive now


def _outcome(accepted: list[tuple[float, tuple[str, ...], int]], start: float, expected: int):
    addresses = [a for _t, rcpts, _s in accepted for a in rcpts]
    return {
        "messages": len(accepted),
        "addresses": len(addresses),
        "duplicates": len(addresses) - len(set(addresses)),
        "complete": len(set(addresses)) >= expected,
        "first": min(t for t, _r, _s in accepted) - start if accepted else None,
        "last": max(t for t, _r, _s in accepted) - start if accepted else None,
        "size": statistics.mean(s for _t, _r, s in accepted) if accepted else 0,
    }


def _cpu_line(label: str, cpu: dict[str, float], emails: int) -> str:
    return (
        f"CPU of {label}: workers {cpu['workers']:.1f} s "
        f"({cpu['workers'] / max(emails, 1) * 1000:.1f} ms per e-mail), "
        f"SMTP sink {cpu['sink']:.1f} s, this process {cpu['bench']:.1f} s, "
        f"PostgreSQL {cpu['postgres']:.1f} s, Redis {cpu['redis']:.1f} s"
    )


def _issue(client, letter) -> tuple[float, float, int]:
    """The clerk's issue request through the real view: (its start, its time, its status)."""
    from django.urls import reverse

    client.get(reverse("directives:detail", args=[letter.pk]))  # a warm server
    begin = time.perf_counter()
    response = client.post(reverse("directives:issue", args=[letter.pk]), {"confirm": "1"})
    return begin, time.perf_counter() - begin, response.status_code


def _measure() -> list[str]:  # noqa: PLR0915 - one run, reported in one place
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from directives.documents.pki import pki_create
    from directives.jobs import ENQUEUE_BATCH
    from directives.models import Directive, Dispatch, Notification
    from portal.celery import app
    from tests.directives.dispatch.conftest import free_port, start_worker_process

    setup_test_environment()
    tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    settings.MEDIA_ROOT = str(tmp / "media")
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    old_name = connection.settings_dict["NAME"]
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    expected = UNITS * 2  # the unit's contact address and its officer's
    sink = SinkProcess(free_port(), expected)
    workers: list[subprocess.Popen] = []
    try:
        pki = pki_create(directory=tmp / "pki", organisation="Sở TT&TT Gia Lai", password="bench")
        _signer_key(pki, tmp / "signers")
        letters, clerk = _build(UNITS, REQUESTS)
        directive = letters[0]
        db = urlsplit(os.environ["DATABASE_URL"])
        env = {
            **os.environ,
            "DATABASE_URL": f"{db.scheme}://{db.netloc}/{db_name}",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "MEDIA_ROOT": settings.MEDIA_ROOT,
            "VAR_DIR": str(tmp / "var"),
            "SIGNING_P12": str(pki.org_p12),
            "SIGNING_P12_PASSWORD": pki.password,
        }
        options = ("-P", "solo", "-Q", "pdf,mail,floor", "-I", "tests.bench.floor_tasks")
        workers = [
            start_worker_process(env, f"bench{n}", tmp, options=options) for n in range(WORKERS)
        ]
        _wait_for_workers(app, WORKERS, 60)
        load = os.getloadavg()[0]
        client = Client()
        client.force_login(clerk)

        # The portal: the clerk's issue request to the last e-mail accepted.
        cpu = _Cpu(workers, sink.process.pid, db_name)
        cpu.start()
        start, request_s, status = _issue(client, directive)
        requests_s = [request_s]
        directive.refresh_from_db()
        if status != 302 or directive.status != Directive.Status.ISSUED:
            return [f"FAILED: the issue request answered {status}, status {directive.status}"]
        pdf_s = None

        def pdf_seen() -> None:
            nonlocal pdf_s
            ready = Directive.objects.filter(pk=directive.pk, pdf_status="ready")
            if pdf_s is None and ready.exists():
                pdf_s = time.perf_counter() - start

        _wait(sink, "portal", cpu, start, poll=pdf_seen)
        portal_cpu = cpu.stop()
        portal = _outcome(sink.accepted("portal"), start, expected)
        emails = Notification.objects.filter(directive=directive, channel="email")
        sent = emails.filter(status="sent").count()
        delivered = Dispatch.objects.filter(directive=directive, delivery="sent").count()
        directive.refresh_from_db()
        pdf_path = directive.pdf.path if directive.pdf else ""
        pdf_kib = directive.pdf.size // 1024 if directive.pdf else 0
        portal_connections = sink.connections()

        # The floor: as many bare tasks, each one message of the same size, same PDF.
        floor = None
        if pdf_path and portal["messages"]:
            size = round(portal["size"])
            cpu = _Cpu(workers, sink.process.pid, db_name)
            cpu.start()
            begin = time.perf_counter()
            # Enqueued as the portal enqueues its delivery jobs (directives/jobs.py): one
            # producer, kombu's batch publishing in Redis pipelines of ENQUEUE_BATCH.
            with app.producer_or_acquire() as producer, producer.batch(max_size=ENQUEUE_BATCH):
                for i in range(UNITS):
                    app.send_task(
                        "bench.floor_send",
                        args=[
                            "127.0.0.1",
                            sink.port,
                            f"vanphong.h{i:05d}@{FLOOR_DOMAIN}",
                            f"canbo.h{i:05d}@{FLOOR_DOMAIN}",
                            f"Cong van so {i:04d}/STTTT-TTBCXB",
                            pdf_path,
                            size,
                        ],
                        queue="floor",
                        producer=producer,
                    )
            enqueued_s = time.perf_counter() - begin
            _wait(sink, "floor", cpu, begin)
            floor_cpu = cpu.stop()
            floor = _outcome(sink.accepted("floor"), begin, expected)
        floor_connections = sink.connections() - portal_connections

        # The issue request, nine more times, while the workers render and deliver.
        peaks = [_peak_mib(w.pid) for w in workers]
        for letter in letters[1:]:
            _begin, request_s, status = _issue(client, letter)
            if status == 302:
                requests_s.append(request_s)
        workers_alive = sum(w.poll() is None for w in workers)
        backlog = sum(broker.llen(q) for q in ("pdf", "mail"))
        _stop(workers)

        lines = [
            f"units: {UNITS}, workers: {WORKERS} (solo, queues pdf+mail+floor), "
            f"e-mails expected: {expected}, accepted: {portal['addresses']}; "
            f"load average before: {load:.2f} on {os.cpu_count()} CPUs",
            "PDF (agency's signature added): "
            + (f"{pdf_s:.2f} s ({pdf_kib} KiB, attached to every e-mail)" if pdf_s else "not seen"),
            "portal: first e-mail accepted "
            + (f"{portal['first']:.2f} s" if portal["first"] else "none")
            + f"; {portal['messages']} messages of {portal['size'] / 1024:.0f} KiB "
            f"(one per unit, to all its addresses), SMTP connections: {portal_connections}",
            (
                f"portal, issue request to last e-mail accepted: TIMEOUT after {WAIT_S} s"
                if not portal["complete"]
                else f"portal, issue request to last e-mail accepted: {portal['last']:.2f} s "
                f"(target < {LAST_TARGET_S} s)"
            ),
        ]
        if floor is None:
            lines.append("floor: not measured (no PDF or no e-mail from the portal)")
        else:
            lines.append(
                f"floor, {UNITS} bare tasks, first enqueue to last message accepted: "
                + (f"{floor['last']:.2f} s" if floor["complete"] else f"TIMEOUT after {WAIT_S} s")
                + f" ({floor['messages']} messages of {floor['size'] / 1024:.0f} KiB, "
                f"enqueued in {enqueued_s:.2f} s, SMTP connections: {floor_connections})"
            )
            if portal["complete"] and floor["complete"]:
                ratio = portal["last"] / floor["last"]
                lines.append(
                    f"ratio portal / floor: {ratio:.2f} (target <= {RATIO_TARGET})"
                    + ("" if ratio <= RATIO_TARGET else "  MISSED")
                )
        median = statistics.median(requests_s)
        lines += [
            f"issue request (POST: seal and issue, 1 snapshot row per unit, the tasks' units "
            f"kept for the PDF job, enqueue), workers running: median {median * 1000:.0f} ms of "
            f"{len(requests_s)} (target < {REQUEST_TARGET_S * 1000:.0f} ms"
            + ("" if median < REQUEST_TARGET_S else "  MISSED")
            + f"); in order: {', '.join(f'{r * 1000:.0f}' for r in requests_s)} ms "
            f"(the first is the measured fan-out's; {workers_alive} workers alive after the "
            f"last, {backlog} jobs queued)",
            f"duplicates: portal {portal['duplicates']}"
            + (f", floor {floor['duplicates']}" if floor else "")
            + " (must be 0)",
            f"rows sent: {sent}/{expected}, units delivered: {delivered}/{UNITS}",
            f"peak worker memory (VmHWM): {', '.join(f'{p} MiB' for p in peaks)}",
            _cpu_line("the portal's fan-out", portal_cpu, portal["addresses"]),
        ]
        if floor is not None:
            lines.append(_cpu_line("the floor", floor_cpu, floor["addresses"]))
        lines.append(
            "(CPU per process, sampled every 0.5 s: a process alive at the start counts its "
            "growth, a new one all its CPU; PostgreSQL is this bench's backends and the "
            "server's own processes, not other sessions'; Redis is the whole server)"
        )
        return lines
    finally:
        _stop(workers)
        sink.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        broker.flushdb()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for line in _measure():
        print(line)
