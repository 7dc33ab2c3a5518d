"""Settings come from the environment; Celery really uses them; production refuses a dev key.

Settings are read once per process, so each environment is tried in a fresh `python -c`
with a clean environment (no pytest in that process: the production guard is live there).
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.utils.imports import symbol_by_name
from django_celery_beat.models import PeriodicTask

from portal.celery import app

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 50
PROBE = """
import datetime, json, django
django.setup()
from django.conf import settings as s
from django.utils import timezone
from django.utils.translation import gettext
from portal.celery import app
db = s.DATABASES["default"]
print(json.dumps({
    "db_engine": db["ENGINE"], "db_name": str(db["NAME"]), "db_host": db.get("HOST"),
    "db_port": str(db.get("PORT")), "db_user": db.get("USER"),
    "email_backend": s.EMAIL_BACKEND, "email_host": getattr(s, "EMAIL_HOST", None),
    "email_port": getattr(s, "EMAIL_PORT", None), "email_tls": getattr(s, "EMAIL_USE_TLS", None),
    "email_path": getattr(s, "EMAIL_FILE_PATH", None),
    "broker": app.conf.broker_url, "broker_options": app.conf.broker_transport_options,
    "time_limits": [app.conf.task_soft_time_limit, app.conf.task_time_limit],
    "debug": s.DEBUG, "hosts": s.ALLOWED_HOSTS, "media": str(s.MEDIA_ROOT),
    "cache": [s.CACHES["default"]["BACKEND"], s.CACHES["default"].get("LOCATION", "")],
    "permission_cache_seconds": s.PERMISSION_CACHE_SECONDS,
    "text": gettext("Log in"), "now_aware": timezone.now().utcoffset() is not None,
    "new_year": timezone.localtime(
        datetime.datetime(2025, 12, 31, 17, 30, tzinfo=datetime.timezone.utc)
    ).isoformat(),
}))
"""


def run_python(
    code: str, tmp_path: Path, cwd: Path = ROOT, **env: str
) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(tmp_path: Path, **env: str) -> dict:
    result = run_python(PROBE, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_need_no_services(tmp_path):
    values = probe(tmp_path, DEBUG="1")
    var = tmp_path / "var"
    assert values["db_engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(var / "portal.sqlite3")
    assert values["broker"] == "filesystem://"
    assert values["broker_options"]["data_folder_in"] == str(var / "celery" / "queue")
    assert values["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["email_path"] == str(var / "mail")
    assert values["media"] == str(var / "media")
    assert values["cache"][0] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["permission_cache_seconds"] == 0  # each process has its own cache
    # Outside any request (a worker's e-mail), the portal speaks Vietnamese and its clock is
    # Vietnam's: 17:30 UTC on 31 December is already New Year there.
    assert values["text"] == "Đăng nhập"
    assert values["now_aware"] is True
    assert values["new_year"] == "2026-01-01T00:30:00+07:00"
    assert (var / "mail").is_dir() and (var / "celery" / "queue").is_dir()
    soft, hard = values["time_limits"]
    assert 0 < soft < hard  # a stuck task is told first, and can give its row back


PUBLISH = """
import django
django.setup()
from portal.celery import app
for queue in ("default", "pdf", "mail"):
    app.send_task("portal.ping", queue=queue)
print("published")
"""


def test_the_filesystem_broker_writes_only_under_var_dir(tmp_path):
    """With the default broker, a publish writes its messages and kombu's exchange tables
    (whose own default is "control/" in the working directory) under VAR_DIR/celery: run from
    the repository root, as the Procfile's worker is, it adds nothing there."""
    before = {entry.name for entry in ROOT.iterdir()}
    result = run_python(PUBLISH, tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert {entry.name for entry in ROOT.iterdir()} - before == set()
    var = tmp_path / "var"
    celery = var / "celery"
    written = {path.relative_to(celery).parts[0] for path in celery.rglob("*") if path.is_file()}
    assert written == {"queue", "control"}
    queues = sorted(path.name.split(".")[-2] for path in (celery / "queue").glob("*.msg"))
    assert queues == ["default", "mail", "pdf"]
    assert (celery / "control" / "default.exchange").is_file()
    options = probe(tmp_path, DEBUG="1")["broker_options"]
    folders = {key: value for key, value in options.items() if "folder" in key}
    assert set(folders) == {
        "data_folder_in",
        "data_folder_out",
        "processed_folder",
        "control_folder",
    }
    assert all(Path(folder).is_relative_to(var) for folder in folders.values())
    assert all(Path(folder).is_dir() for folder in folders.values())  # made at startup


def test_production_services_from_urls(tmp_path):
    values = probe(
        tmp_path,
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="vanban.gialai.gov.vn,localhost",
        DATABASE_URL="postgres://portal:secret@db.internal:5433/vanban",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.gialai.gov.vn:587",
        CELERY_BROKER_URL="redis://redis.internal:6379/2",
        CACHE_URL="redis://redis.internal:6379/1",
        CELERY_TASK_SOFT_TIME_LIMIT="540",
        CELERY_TASK_TIME_LIMIT="600",
        MEDIA_ROOT=str(tmp_path / "media-prod"),
    )
    assert values["db_engine"] == "django.db.backends.postgresql"
    assert (values["db_name"], values["db_host"], values["db_port"], values["db_user"]) == (
        "vanban",
        "db.internal",
        "5433",
        "portal",
    )
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"], values["email_tls"]) == (
        "smtp.gialai.gov.vn",
        587,
        True,
    )
    assert values["broker"] == "redis://redis.internal:6379/2"
    # Redis down or slow costs time, never a page (common/cache.py, tests/test_cache_down.py).
    assert values["cache"] == ["common.cache.ForgivingRedisCache", "redis://redis.internal:6379/1"]
    assert values["permission_cache_seconds"] == 300  # a cache every process shares
    assert values["broker_options"]["visibility_timeout"] >= 3600
    assert values["time_limits"] == [540, 600]
    assert values["debug"] is False
    assert values["hosts"] == ["vanban.gialai.gov.vn", "localhost"]
    assert values["media"] == str(tmp_path / "media-prod")


@pytest.mark.parametrize(
    "env",
    [{}, {"SECRET_KEY": "short"}, {"SECRET_KEY": "dev-only-insecure-key-never-use-in-production"}],
    ids=["no-key", "short-key", "dev-key"],
)
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, env):
    result = run_python("import django; django.setup()", tmp_path, DEBUG="False", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_secret_key(tmp_path):
    result = run_python(
        "import django; django.setup(); print('ok')", tmp_path, DEBUG="False", SECRET_KEY=GOOD_KEY
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


SHOW_KEY = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def test_development_key_is_made_once_per_installation_and_kept_private(tmp_path):
    first = run_python(SHOW_KEY, tmp_path, DEBUG="1")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    stored = tmp_path / "var" / "secret_key"
    assert stored.read_text().strip() == key
    assert stored.stat().st_mode & 0o777 == 0o600
    assert len(key) >= 50 and key != "dev-only-insecure-key-never-use-in-production"
    # The same installation keeps its key (acknowledgement links stay valid across restarts).
    again = run_python(SHOW_KEY, tmp_path, DEBUG="1")
    assert again.stdout.strip().splitlines()[-1] == key
    # Another installation gets its own: a key read in one cannot forge links for the other.
    other = tmp_path / "other"
    other.mkdir()
    elsewhere = run_python(SHOW_KEY, other, DEBUG="1", VAR_DIR=str(other / "var"))
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert elsewhere.stdout.strip().splitlines()[-1] != key


def test_processes_starting_together_share_one_development_key(tmp_path):
    """`make run` starts the web process, the worker and beat at once."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "1",
    }
    started = [
        subprocess.Popen(
            [sys.executable, "-c", SHOW_KEY], cwd=ROOT, env=clean, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    keys = {process.communicate(timeout=60)[0].strip().splitlines()[-1] for process in started}
    assert len(keys) == 1
    assert (tmp_path / "var" / "secret_key").read_text().strip() in keys
    assert [p.name for p in (tmp_path / "var").iterdir() if "secret_key" in p.name] == [
        "secret_key"
    ]


def test_a_key_from_the_environment_wins_and_nothing_is_written(tmp_path):
    result = run_python(SHOW_KEY, tmp_path, DEBUG="1", SECRET_KEY=GOOD_KEY)
    assert result.stdout.strip().splitlines()[-1] == GOOD_KEY
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_never_falls_back_to_the_installation_key(tmp_path):
    run_python(SHOW_KEY, tmp_path, DEBUG="1")  # a development key exists in var/
    result = run_python(SHOW_KEY, tmp_path, DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


SEND = """
import base64, json
from pathlib import Path
import django
django.setup()
from django.conf import settings
from django.db import transaction
from kombu.exceptions import EncodeError
from directives import tasks
from directives.models import Directive
from portal.celery import ping

queue = Path(settings.VAR_DIR) / "celery" / "queue"
tasks.render_directive_pdf.delay(7)
tasks.deliver_directive.delay(7)
tasks.send_reminders.delay()
try:
    tasks.deliver_directive.delay(Directive(pk=7))
    refused = False
except EncodeError:
    refused = True
with transaction.atomic():
    ping.delay_on_commit()
    transaction.set_rollback(True)
after_rollback = len(list(queue.iterdir()))
with transaction.atomic():
    ping.delay_on_commit()
messages = []
for path in sorted(queue.iterdir()):
    message = json.loads(path.read_bytes())
    messages.append([
        path.name.split(".", 1)[1], message["headers"]["task"], message["content-type"],
        json.loads(base64.b64decode(message["body"]))[0],
    ])
print(json.dumps({"refused": refused, "after_rollback": after_rollback, "messages": messages}))
"""


def test_with_no_services_a_task_waits_under_var_in_its_queue_as_json(tmp_path):
    """The default broker really is a folder under VAR_DIR: a task sent there waits, as JSON,
    in the queue its worker reads (pdf, mail, default); a model object instead of an id is
    refused; a task sent on commit is not sent when the transaction rolls back."""
    # Elsewhere than the checkout: kombu keeps its exchange table in ./control.
    result = run_python(SEND, tmp_path, cwd=tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    sent = json.loads(result.stdout.strip().splitlines()[-1])
    assert sent["refused"] is True
    assert sent["after_rollback"] == 3
    # The folder names its files by the millisecond, so two sent in the same one have no order.
    assert sorted(sent["messages"]) == sorted(
        [
            ["pdf.msg", "directives.tasks.render_directive_pdf", "application/json", [7]],
            ["mail.msg", "directives.tasks.deliver_directive", "application/json", [7]],
            ["default.msg", "directives.tasks.send_reminders", "application/json", []],
            ["default.msg", "portal.ping", "application/json", []],
        ]
    )


@pytest.mark.django_db
def test_beat_runs_the_dispatch_schedule_in_vietnam_time():
    """Beat's scheduler (the one the settings name) reads its rows from the database: the sweep
    every minute (README, "Delivery under faults"), the edXML inbox every minute, the reminders
    at 7:30 and the clerks' digest at 16:30, Vietnam time."""
    scheduler = symbol_by_name(app.conf.beat_scheduler)
    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")

    def next_runs(after: datetime.datetime) -> dict[str, datetime.datetime]:
        runs = {}
        for row in PeriodicTask.objects.filter(enabled=True):
            start, delta, _now = scheduler.Entry(row, app=app).schedule.remaining_delta(after)
            runs[row.task] = (start + delta).astimezone(vietnam)
        return runs

    at = functools.partial(datetime.datetime, 2025, 9, 10, tzinfo=vietnam)
    assert next_runs(at(6, 58)) == {
        "directives.tasks.sweep_outbox": at(6, 59),
        "directives.tasks.read_edxml_inbox": at(6, 59),
        "directives.tasks.send_reminders": at(7, 30),
        "directives.tasks.send_digests": at(16, 30),
    }
    tomorrow = datetime.datetime(2025, 9, 11, 7, 30, tzinfo=vietnam)
    assert next_runs(at(7, 31))["directives.tasks.send_reminders"] == tomorrow


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    """A model edited without `makemigrations` would break the next deployment's migrate."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models and migrations differ (exit {exit_.code}):\n{out.getvalue()}")
