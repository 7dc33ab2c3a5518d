"""deploy/ agrees with the code: the environment file names every setting, one worker unit per
queue that tasks are sent to, nginx's body limits equal the portal's, and the example
environment (its secret filled in) gives a portal that passes `check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from portal.celery import app

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _settings_read() -> set[str]:
    text = (ROOT / "portal" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', text)) | {"VAR_DIR"}


def _example_names() -> set[str]:
    text = (DEPLOY / "portal.env.example").read_text()
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_the_environment_file_names_every_setting_the_portal_reads():
    read = _settings_read()
    assert len(read) > 50  # the pattern still finds them
    assert read - _example_names() == set()
    # Besides the settings, only gunicorn's WEB_CONCURRENCY.
    assert _example_names() - read == {"WEB_CONCURRENCY"}


def test_one_worker_unit_per_queue_and_every_task_goes_to_one_of_them():
    app.loader.import_default_modules()
    queues = {queue.name for queue in app.conf.task_queues}
    assert queues == {"default", "pdf", "mail"}
    target = (DEPLOY / "systemd" / "portal.target").read_text()
    assert set(re.findall(r"portal-worker@(\w+)\.service", target)) == queues
    assert target.count("portal-beat.service") == 1
    sent_to = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    sent_to |= {
        task.queue or app.conf.task_default_queue
        for name, task in app.tasks.items()
        if name.startswith("directives.")
    }
    assert sent_to <= queues


def test_nginx_refuses_the_bodies_the_portal_would_refuse():
    conf = (DEPLOY / "nginx.conf").read_text()
    limits = [int(n) * 1024 * 1024 for n in re.findall(r"client_max_body_size (\d+)m;", conf)]
    assert sorted(limits) == sorted([settings.REQUEST_MAX_BYTES, settings.VERIFY_REQUEST_MAX_BYTES])
    proxy = (DEPLOY / "nginx-proxy.conf").read_text()
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in proxy
    assert f"{settings.SECURE_PROXY_SSL_HEADER[0][5:].replace('_', '-').title()} $scheme" in (proxy)


def test_the_example_environment_makes_a_portal_that_passes_check_deploy(tmp_path):
    example = (DEPLOY / "portal.env.example").read_text()
    filled = example.replace(
        "\nSECRET_KEY=\n", "\nSECRET_KEY=" + secrets.token_urlsafe(50) + "\n"
    ).replace("VAR_DIR=/srv/portal/var", f"VAR_DIR={tmp_path}")
    env_file = tmp_path / "portal.env"
    env_file.write_text(filled)
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "LC_ALL", "VIRTUAL_ENV")
    }
    env.update(ENV_FILE=str(env_file), SECURE_HSTS_PRELOAD="1")  # W021 until preloaded
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'], s.LOG_FORMAT, s.TRUSTED_PROXY_COUNT, "
        "s.DEFAULT_FROM_EMAIL]))"
    )
    shown = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == (
        '[false, "django.db.backends.postgresql", "redis://127.0.0.1:6379/0", '
        '"common.cache.ForgivingRedisCache", "json", 1, '
        '"C\\u1ed5ng v\\u0103n b\\u1ea3n <noreply@example.gov.vn>"]'
    )
    check = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
