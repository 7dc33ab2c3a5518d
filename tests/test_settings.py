"""Settings come from the environment; Celery really gets them; production refuses a dev key.

Settings are read once per process, so each environment is tried in a fresh `python -c`
with a clean environment (no pytest in that process: the production guard is live there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.contrib.django.task import DjangoTask

from portal.celery import app

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 50
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from portal.celery import app
db = s.DATABASES["default"]
print(json.dumps({
    "db_engine": db["ENGINE"], "db_name": str(db["NAME"]), "db_host": db.get("HOST"),
    "db_port": str(db.get("PORT")), "db_user": db.get("USER"),
    "email_backend": s.EMAIL_BACKEND, "email_host": getattr(s, "EMAIL_HOST", None),
    "email_port": getattr(s, "EMAIL_PORT", None), "email_tls": getattr(s, "EMAIL_USE_TLS", None),
    "email_path": getattr(s, "EMAIL_FILE_PATH", None),
    "broker": app.conf.broker_url, "broker_options": app.conf.broker_transport_options,
    "debug": s.DEBUG, "hosts": s.ALLOWED_HOSTS, "media": str(s.MEDIA_ROOT),
    "language": s.LANGUAGE_CODE, "tz": s.TIME_ZONE, "use_tz": s.USE_TZ,
}))
"""


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
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
    assert (values["language"], values["tz"], values["use_tz"]) == ("vi", "Asia/Ho_Chi_Minh", True)
    assert (var / "mail").is_dir() and (var / "celery" / "queue").is_dir()


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
    assert values["broker_options"]["visibility_timeout"] >= 3600
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


def test_celery_settings_reach_the_app():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert {q.name for q in conf.task_queues} == {"default", "pdf", "mail"}
    assert conf.task_default_queue == "default"
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert conf.timezone == "Asia/Ho_Chi_Minh"
    assert conf.worker_prefetch_multiplier == 1
    assert issubclass(app.Task, DjangoTask)  # delay_on_commit for services
    assert "portal.ping" in app.tasks


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
