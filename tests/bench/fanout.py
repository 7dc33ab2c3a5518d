"""Bench: issue one directive to 1,000 units on PostgreSQL + Redis, delivered by two Celery
worker processes (`celery -A portal worker`, queues pdf and mail) into a local SMTP sink.

Each unit's delivery job writes its notices and sends one e-mail to all the unit's addresses
(its contact address in To, its officer in Cc), so the sink sees 1,000 messages for 2,000
addresses. Reports the four figures of issue 5 and how the time splits:
- the issue request (the clerk's POST, through the real view): target under 0.3 s, since the
  request only numbers the letter, snapshots the recipients and enqueues the PDF job; the
  median of this fan-out's request and four more letters issued after it, workers stopped;
- the last e-mail accepted by the sink, counted from the start of that request: target under
  20 s (PDF rendered and signed, fan-out written, every e-mail sent);
- duplicates: must be 0;
- peak memory of each worker process (VmHWM);
- the CPU seconds of the workers, of this process (the sink) and of PostgreSQL: on a small
  machine they share the same cores, which is what bounds the last figure.

Runs in a child process against its own throwaway PostgreSQL database (test_bench_fanout_<pid>)
and its own Redis database (BENCH_REDIS_URL, db 12), both cleaned up afterwards. Workers run as
in production (DEBUG off, a signing key from a PKCS#12 file).
    .venv/bin/python -m tests.bench fanout        (BENCH_FANOUT_UNITS=1000 by default)
"""

from __future__ import annotations

import os
import secrets
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

UNITS = int(os.environ.get("BENCH_FANOUT_UNITS", "1000"))
WORKERS = 2
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
REQUEST_TARGET_S = 0.3
LAST_TARGET_S = 20
WAIT_S = 80
EXTRA_REQUESTS = 4
ROOT = Path(__file__).resolve().parents[2]


def run() -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # Never the developer's or CI's database: a name of its own, made and dropped here.
        "DATABASE_URL": f"{POSTGRES.rstrip('/')}/bench_fanout_{os.getpid()}",
        "CELERY_BROKER_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "SITE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.fanout"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT_S + 60,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        lines.append(f"FAILED (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return lines


class CountingSink:
    """An SMTP server's handler that only counts: parsing would slow the sink, not the portal."""

    def __init__(self, expected: int):
        self.expected = expected
        self.accepted: list[tuple[float, tuple[str, ...]]] = []
        self.connections = 0
        self.all_in = threading.Event()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append((time.perf_counter(), tuple(a.lower() for a in envelope.rcpt_tos)))
        if len(self.accepted) >= self.expected:
            self.all_in.set()
        return "250 2.0.0 OK"


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_s() -> float:
    """CPU seconds of the PostgreSQL server's processes on this machine (0 if not readable)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if head.split("(", 1)[1] == "postgres":
            fields = tail.split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _peak_mib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _build(units: int):
    """The agency and 1,000 districts, each with a contact address and one officer; an
    approved directive addressed to them all (a group), with two tasks."""
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
    return _approved_letter(), clerk


def _approved_letter():
    """An approved letter to every district (the group), with two tasks, for the clerk."""
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
    return services.directive_approve(directive=submitted, by=signer)


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
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _measure() -> list[str]:
    import django

    django.setup()
    import redis
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from directives.documents.pki import pki_create
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
    sink = CountingSink(expected)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    workers: list[subprocess.Popen] = []
    try:
        directive, clerk = _build(UNITS)
        pki = pki_create(directory=tmp / "pki", organisation="Sở TT&TT Gia Lai", password="bench")
        db = urlsplit(os.environ["DATABASE_URL"])
        env = {
            **os.environ,
            "DATABASE_URL": f"{db.scheme}://{db.netloc}/{db_name}",
            "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
            "MEDIA_ROOT": settings.MEDIA_ROOT,
            "VAR_DIR": str(tmp / "var"),
            "SIGNING_P12": str(pki.org_p12),
            "SIGNING_P12_PASSWORD": pki.password,
        }
        workers = [
            start_worker_process(env, f"bench{n}", tmp, options=("-P", "solo", "-Q", "pdf,mail"))
            for n in range(WORKERS)
        ]
        _wait_for_workers(app, WORKERS, 60)

        cpu_before = sum(_cpu_s(w.pid) for w in workers)
        postgres_before = _postgres_cpu_s()
        sink_before = time.process_time()
        load = os.getloadavg()[0]
        client = Client()
        client.force_login(clerk)
        client.get(reverse("directives:detail", args=[directive.pk]))  # a warm server
        start = time.perf_counter()
        response = client.post(reverse("directives:issue", args=[directive.pk]))
        request_s = time.perf_counter() - start
        directive.refresh_from_db()
        if response.status_code != 302 or directive.status != Directive.Status.ISSUED:
            return [f"FAILED: the issue request answered {response.status_code}"]

        pdf_s = None
        emails = Notification.objects.filter(directive=directive, channel="email")
        while not sink.all_in.wait(0.1) and time.perf_counter() - start < WAIT_S:
            ready = Directive.objects.filter(pk=directive.pk, pdf_status="ready")
            if pdf_s is None and ready.exists():
                pdf_s = time.perf_counter() - start
        time.sleep(1)  # anything sent twice would arrive now
        peaks = [_peak_mib(w.pid) for w in workers]
        fan_out_cpu = sum(_cpu_s(w.pid) for w in workers) - cpu_before
        cpu = fan_out_cpu
        postgres_cpu = _postgres_cpu_s() - postgres_before
        sink_cpu = time.process_time() - sink_before
        # One request is one sample on a machine whose speed varies: time more issues of the
        # same kind of letter, the workers stopped (as idle as during the first request).
        _stop(workers)
        requests_s = [request_s]
        for _ in range(EXTRA_REQUESTS):
            letter = _approved_letter()
            client.get(reverse("directives:detail", args=[letter.pk]))
            begin = time.perf_counter()
            client.post(reverse("directives:issue", args=[letter.pk]))
            requests_s.append(time.perf_counter() - begin)
        accepted = list(sink.accepted)
        addresses = [a for _t, rcpts in accepted for a in rcpts]
        duplicates = len(addresses) - len(set(addresses))
        last_s = max(t for t, _r in accepted) - start if accepted else None
        first_s = min(t for t, _r in accepted) - start if accepted else None
        messages = len(accepted)
        sent = emails.filter(status="sent").count()
        delivered = Dispatch.objects.filter(directive=directive, delivery="sent").count()
        late = last_s is None or len(set(addresses)) < expected
        directive.refresh_from_db()
        pdf_kib = directive.pdf.size // 1024 if directive.pdf else 0
        return [
            f"units: {UNITS}, workers: {WORKERS} (solo, queues pdf+mail), "
            f"e-mails expected: {expected}, accepted: {len(addresses)}",
            f"issue request (POST, numbering + 1 snapshot row per unit + enqueue): "
            f"median {statistics.median(requests_s) * 1000:.0f} ms of {len(requests_s)} "
            f"(this fan-out's {request_s * 1000:.0f} ms; "
            f"{', '.join(f'{r * 1000:.0f}' for r in sorted(requests_s))}) "
            f"(target < {REQUEST_TARGET_S * 1000:.0f} ms)",
            "PDF rendered and signed: "
            + (f"{pdf_s:.2f} s ({pdf_kib} KiB, attached to every e-mail)" if pdf_s else "not seen"),
            "first e-mail accepted: "
            + (f"{first_s:.2f} s" if first_s else "none")
            + f"; {messages} messages (one per unit, to all its addresses)",
            (
                f"last e-mail accepted: TIMEOUT after {WAIT_S} s"
                if late
                else f"last e-mail accepted: {last_s:.2f} s after the request started "
                f"(target < {LAST_TARGET_S} s)"
            ),
            f"duplicates: {duplicates} (must be 0)",
            f"rows sent: {sent}/{expected}, units delivered: {delivered}/{UNITS}, "
            f"SMTP connections: {sink.connections}",
            f"peak worker memory (VmHWM): {', '.join(f'{p} MiB' for p in peaks)}",
            f"CPU: workers {cpu:.1f} s ({cpu / max(len(addresses), 1) * 1000:.1f} ms per e-mail), "
            f"this process with the sink {sink_cpu:.1f} s, PostgreSQL {postgres_cpu:.1f} s; "
            f"load average before: {load:.2f} on {os.cpu_count()} CPUs",
        ]
    finally:
        _stop(workers)
        controller.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        broker.flushdb()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for line in _measure():
        print(line)
