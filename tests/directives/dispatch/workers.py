"""Real worker processes and the faults done to them, shared by the worker tests
(test_worker.py, test_faults.py) and the fault command (tests/bench/faults.py): the workers'
environment, a broker switched to for a while, a private redis-server that can be killed and
started again empty, the PostgreSQL backends of the workers terminated, the process at the other
end of an SMTP session."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from django.conf import settings as django_settings
from django.db import connection

from directives.models import Notification
from directives.services.notices import outbox_sweep
from portal.celery import app


def wait_until(condition: Callable[[], bool], timeout: float, *, every: float = 0.2) -> bool:
    """Whether `condition` came true within `timeout` seconds (polled every `every` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def wait_sweeping(condition: Callable[[], bool], timeout: float, *, every: float = 1.0) -> bool:
    """wait_until, running the outbox sweep every `every` seconds meanwhile, at the real time,
    as beat does (every minute in production)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        outbox_sweep()
        time.sleep(every)
    return condition()


def email_rows():
    return Notification.objects.filter(channel=Notification.Channel.EMAIL)


def database_url() -> str:
    """The URL of the database this process uses (the test database under pytest)."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def worker_env(broker: str, smtp_port: int, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a `celery worker` of this process's database, broker and files,
    sending to the SMTP server on `smtp_port`; `extra` adds or overrides variables."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "VAR_DIR": str(tmp_path / "var"),
        "SITE_URL": "http://testserver",
        "NOTIFY_RETRY_BASE_SECONDS": "0.1",
        "NOTIFY_RETRY_MAX_SECONDS": "0.5",
        **extra,
    }


def stop(*processes: subprocess.Popen | None) -> None:
    """A warm shutdown (SIGTERM), as a process manager stops a worker."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _reset_connections() -> None:
    app._pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def broker_switched(url: str) -> Iterator[str]:
    """This process sends its Celery tasks to `url` for a while (the workers get it in their
    environment). Celery reads CELERY_BROKER_URL from the environment before its settings."""
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    saved = {k: app.conf.get(k) for k in ("CELERY_BROKER_URL", "broker_url", "task_always_eager")}
    app.conf.update(CELERY_BROKER_URL=url, broker_url=url, task_always_eager=False)
    assert app.conf.broker_url == url
    _reset_connections()
    try:
        yield url
    finally:
        app.conf.update(saved)
        _reset_connections()
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A private `redis-server` on a port of its own, keeping nothing on disk: killed and
    started again, it comes back empty, as a broker whose memory was lost."""

    def __init__(self, log_dir: Path, port: int | None = None):
        self.port = port or free_port()
        self.log_dir = log_dir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self, timeout: float = 10) -> None:
        self.starts += 1
        log = open(self.log_dir / f"redis-{self.port}-{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.log_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        if not wait_until(lambda: _pings(client), timeout, every=0.05):
            raise RuntimeError(f"redis-server on port {self.port} did not start")

    def kill(self) -> None:
        """SIGKILL: whatever the server held (queued and unacknowledged jobs) is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart_empty(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        self.kill()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def backend_pid() -> int:
    """This thread's PostgreSQL backend (opened if need be)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def backends_terminate(url: str, *, keep: set[int]) -> int:
    """pg_terminate_backend of every other session of the database at `url` but the backends
    in `keep` (the caller's own): the workers' connections break under them, as when the
    server restarts or an administrator kills them. Usable from any thread (its own
    connection, not Django's). Returns how many were terminated."""
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND NOT (pid = ANY(%s))",
            [sorted(keep)],
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def client_pid(port: int) -> int | None:
    """The local process whose TCP socket has local port `port` (the client at the other end
    of a session a server here accepted), from /proc; None if not found."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                if os.readlink(fd) in wanted:
                    return int(fd_dir.parent.name)
        except OSError:
            continue
    return None


def children(pid: int) -> list[int]:
    """The child processes of `pid` (a prefork worker's pool)."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]
