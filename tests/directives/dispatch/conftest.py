"""Fixtures of the dispatch tests: a real SMTP server on localhost (aiosmtpd) that can refuse
the first attempts, and issued directives with a stored, "signed" PDF built directly (as the
issuing service and the PDF worker would leave them), so these tests do not wait on them."""

from __future__ import annotations

import asyncio
import email
import hashlib
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from email import policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from aiosmtpd.controller import Controller
from django.core.files.base import ContentFile

from directives.models import Directive
from directives.services.notices.delivery import dispatches_for_delivery, dispatches_notices_write
from directives.services.notices.transport import email_connection_close
from recipients import roles
from recipients.models import Unit, User
from tests.directives.dispatch.workers import broker_switched, free_port
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory, UserFactory

ROOT = Path(__file__).resolve().parents[3]

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


class Sink:
    """The SMTP server's handler: keeps every accepted message; can answer 451 first; counts
    the connections (one EHLO each) and the clients that said QUIT.

    To misbehave as a mail server does: `delay` seconds before answering each message (a slow
    server, other sessions go on); 451 to every message until `refuse_until` (time.monotonic);
    `drop_next` messages kept and their connection dropped before the answer (the client cannot
    tell whether they were accepted). `before_accept(sink)` sees `sink.peer`, the client's
    (host, port) of the message being accepted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, ...]] = []  # the recipients of each message
        self.refuse_next = 0
        self.refused = 0
        self.before_accept = None  # called before a message is accepted (e.g. to kill a worker)
        self.connections = 0
        self.quits = 0
        self.rcpt_answers: dict[str, list[str]] = {}  # address -> answers before accepting it
        self.accepted_at: list[float] = []  # time.monotonic() of each kept message
        self.delay = 0.0
        self.refuse_until = 0.0
        self.drop_next = 0
        self.dropped = 0
        self.peer: tuple[str, int] | None = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            answers = self.rcpt_answers.get(address.lower())
            if answers:
                return answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_QUIT(self, server, session, envelope):
        with self.lock:
            self.quits += 1
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.refuse_next > 0 or time.monotonic() < self.refuse_until:
                self.refuse_next = max(self.refuse_next - 1, 0)
                self.refused += 1
                return "451 4.3.0 Temporary failure, try again later"
        self.peer = session.peer
        if self.before_accept is not None and self.before_accept(self):
            return "421 4.3.2 Closing"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append(tuple(a.lower() for a in envelope.rcpt_tos))
            self.accepted_at.append(time.monotonic())
            drop = self.drop_next > 0
            if drop:
                self.drop_next -= 1
                self.dropped += 1
        if drop:
            server.transport.abort()  # kept, and the client never hears "250"
        return "250 2.0.0 OK"

    def count_by_address(self, where=None) -> Counter:
        """Copies received per address, from the SMTP envelopes (To and Cc alike); only of the
        messages for which `where(message)` is true, if given."""
        with self.lock:
            pairs = list(zip(self.messages, self.envelopes, strict=True))
        return Counter(
            address
            for message, rcpt_tos in pairs
            if where is None or where(message)
            for address in rcpt_tos
        )

    def message_to(self, address: str) -> email.message.EmailMessage:
        """The one message an address received."""
        (found,) = [
            m
            for m, rcpt_tos in zip(self.messages, self.envelopes, strict=True)
            if address.lower() in rcpt_tos
        ]
        return found


def delivery_of(directive: Directive):
    """Whether a message the sink kept is the delivery of `directive` (which carries its PDF),
    not another notice (a recall, a reminder)."""

    def is_delivery(message: email.message.EmailMessage) -> bool:
        return any(p.get_filename() == directive.pdf_filename for p in message.iter_attachments())

    return is_delivery


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on a free localhost port; Django sends to it."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    sink.port = settings.EMAIL_PORT
    sink.controller = controller  # a test that restarts the server puts the new one here
    yield sink
    sink.controller.stop()


@pytest.fixture
def broker(request, redis_url, postgres_required):
    """The Redis database REDIS_DB of the test's module (13 if it names none), emptied, as
    this process's broker and the one to give the workers: other suites' workers keep away."""
    parts = urlsplit(redis_url)
    number = getattr(request.module, "REDIS_DB", 13)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{number}", "", ""))
    redis.Redis.from_url(url).flushdb()
    with broker_switched(url):
        yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(autouse=True)
def _own_smtp_connection():
    """Each test starts without the SMTP connection an earlier test's sending left open."""
    email_connection_close()
    yield
    email_connection_close()


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 0.01
    settings.NOTIFY_RETRY_MAX_SECONDS = 0.05
    settings.NOTIFY_MAX_RETRIES = 4
    settings.SITE_URL = "http://testserver"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def with_pdf(directive: Directive, content: bytes = PDF_BYTES) -> Directive:
    """Store the 'signed' PDF as the PDF worker would: the file, its hash, READY."""
    directive.pdf.save(directive.pdf_filename, ContentFile(content), save=False)
    directive.pdf_sha256 = hashlib.sha256(content).hexdigest()
    directive.pdf_status = Directive.PdfStatus.READY
    directive.save(update_fields=["pdf", "pdf_sha256", "pdf_status"])
    return directive


def make_ready(units: Sequence[Unit], *, pdf: bytes = PDF_BYTES, **kwargs) -> Directive:
    """An issued directive sent to `units`, PDF stored, nothing delivered yet."""
    kwargs.setdefault("number", 1038)
    return with_pdf(make_issued(units=units, delivered=False, **kwargs), pdf)


def write_notices_only(directive: Directive) -> None:
    """Each unit's outbox rows written and nothing sent: what delivery jobs that died right
    after writing leave behind (their e-mails claimed, "sending")."""
    dispatches_notices_write(
        dispatches_for_delivery(directive.dispatches.values_list("pk", flat=True))
    )


def make_units(n: int, *, officers: int = 1, prefix: str = "U") -> list[Unit]:
    """n district units, each with a contact address and `officers` officers."""
    units = [
        UnitFactory(
            code=f"{prefix}{i:04d}", name=f"UBND huyện số {i}", kind=Unit.Kind.DISTRICT_COMMITTEE
        )
        for i in range(n)
    ]
    for unit in units:
        for j in range(officers):
            UserFactory(unit=unit, roles=[roles.UNIT_OFFICER], username=f"{unit.code.lower()}-{j}")
    return units


@pytest.fixture
def agency(db) -> Unit:
    return UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")


@pytest.fixture
def clerk(agency) -> User:
    return UserFactory(unit=agency, roles=[roles.CLERK], username="vanthu")


@pytest.fixture
def eager_retries(celery_eager):
    """Inline tasks whose retries run inline too (Celery re-applies a retry only when eager
    errors do not propagate; the outbox row records every outcome, so nothing is hidden)."""
    celery_eager.conf.task_eager_propagates = False
    yield celery_eager
    celery_eager.conf.task_eager_propagates = True


def start_worker_process(
    env: dict[str, str], name: str, log_dir: Path, options: tuple[str, ...] = ("-P", "solo")
) -> subprocess.Popen:
    """A `celery worker` process of the portal, as a process manager starts one; its output
    goes to <log_dir>/<name>.log."""
    log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "portal",
            "worker",
            *options,
            "-n",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
