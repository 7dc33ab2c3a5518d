"""Structured logs: a JSON line per request with its id, user and path; every line logged while
a request or a Celery task runs says which one; plain text with DEBUG."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from portal.celery import app
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def json_lines():
    """The portal's own LOGGING in its production form (LOG_FORMAT=json), its console handler
    writing into a buffer; the JSON objects it wrote."""
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    logging.config.dictConfig(config)
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    handler.setStream(buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]

    yield lines
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_request_logs_a_json_line_with_its_id_user_and_path(client, json_lines):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/", HTTP_X_REQUEST_ID="3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7")
    assert response["X-Request-ID"] == "3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7"  # nginx's $request_id
    (line,) = [entry for entry in json_lines() if entry["logger"] == "portal.request"]
    assert line["request_id"] == "3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7"
    assert line["user_id"] == user.pk
    assert line["path"] == "/"
    assert line["method"] == "GET"
    assert line["status"] == response.status_code
    assert line["level"] == "INFO" and "time" in line and "duration_ms" in line


@pytest.mark.django_db
def test_every_line_logged_during_a_request_carries_its_id(client, json_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="bad id\nforged line")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert request_id != "bad id\nforged line" and len(request_id) == 32
    lines = json_lines()
    django_line = next(entry for entry in lines if entry["logger"] == "django.request")
    assert django_line["request_id"] == request_id
    assert django_line["path"] == "/no-such-page/"
    assert "user_id" not in django_line  # signed out: left out, not null
    logging.getLogger("portal").info("after the request")
    assert "request_id" not in json_lines()[-1]


@app.task(name="tests.log_a_line")
def log_a_line() -> None:
    logging.getLogger("portal.tests").info("inside the task")


def test_a_task_logs_its_name_and_id(celery_eager, json_lines):
    result = log_a_line.apply_async()
    line = next(entry for entry in json_lines() if entry["message"] == "inside the task")
    assert line["task_name"] == "tests.log_a_line"
    assert line["task_id"] == result.id


def _log_from_a_fresh_process(debug: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("LOG_FORMAT", None)
    env.update(DEBUG=debug, SECRET_KEY="k" * 50, DJANGO_SETTINGS_MODULE="portal.settings")
    code = "import django, logging; django.setup(); logging.getLogger('portal').warning('hé')"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_production_logs_json_on_stdout_and_debug_plain_text():
    production = json.loads(_log_from_a_fresh_process("0"))
    assert production["message"] == "hé" and production["level"] == "WARNING"
    assert production["logger"] == "portal"
    development = _log_from_a_fresh_process("1")
    assert development.endswith("WARNING portal: hé") and not development.startswith("{")
