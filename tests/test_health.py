"""/health/ for the load balancer: each service checked, a worker on every queue, no login, plain
HTTP allowed, nothing secret in the answer.

The Celery check runs against a broker of the test's own (Celery's filesystem transport in a
temporary folder), so no worker of another test or of `make run` can answer for the portal's;
the workers are real `celery worker` processes on that broker, one per queue as deploy/ runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import pools as kombu_pools

from portal.celery import app
from tests.directives.dispatch.conftest import start_worker_process


@pytest.fixture
def own_broker(tmp_path, settings, monkeypatch):
    """The portal's Celery app on a private filesystem broker; put back afterwards."""
    # Celery takes CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings.HEALTH_CELERY_TIMEOUT = 1.0
    settings.HEALTH_CELERY_WORKERS = 1
    keys = ("broker_url", "broker_transport_options", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    folders = {name: tmp_path / "celery" / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    app.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
            "polling_interval": 0.05,
        },
        result_backend=None,
        task_always_eager=False,
    )
    _reset_connections()
    yield app
    app.conf.update(saved)
    _reset_connections()


def _reset_connections() -> None:
    # Connections and producers are cached on first use (kombu's pools too, keyed by the
    # transport, not its folders): drop them so the new broker applies.
    kombu_pools.reset()
    app._pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    # The remote-control mailbox keeps the producer pool it first used (an earlier test's
    # broker): a new one is made on the next ping.
    app.__dict__.pop("control", None)


@pytest.mark.django_db
def test_without_a_worker_the_portal_is_unhealthy_and_says_which_check_failed(client, own_broker):
    response = client.get("/health/")
    assert response.status_code == 503
    answers = response.json()
    assert answers["Database(default)"] == "OK"
    assert answers["Cache(default)"] == "OK"
    assert answers["Storage(default)"] == "OK"
    assert "workers unavailable" in answers["Celery"]
    assert "no-cache" in response["Cache-Control"]


def _answer_when(client, wanted, *, seconds: float = 90.0):
    """/health/'s answer once `wanted(response)` holds (the workers take a while to start)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/health/?format=json")
        if wanted(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


# /health/ answered by a fresh process of the portal, as a load balancer's probe meets it: the
# Celery app of this test process carries the brokers of the tests before it.
HEALTH_IN_A_FRESH_PROCESS = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/health/?format=json")
print(json.dumps({"status": response.status_code, "answers": response.json()}))
"""


def _fresh_answer_when(env: dict[str, str], wanted, *, seconds: float = 90.0) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        done = subprocess.run(
            [sys.executable, "-c", HEALTH_IN_A_FRESH_PROCESS],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        answer = json.loads(lines[-1]) if lines else {"status": None, "answers": {}}
        if wanted(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_one_worker_per_queue_as_deployed_makes_it_healthy_and_a_missing_one_is_named(
    own_broker, tmp_path
):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "PYTEST"))
    }
    env.update(
        VAR_DIR=str(tmp_path),  # the broker's folders are VAR_DIR/celery, as own_broker's
        CELERY_BROKER_URL="filesystem://",
        DEBUG="0",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="testserver",
        HEALTH_CELERY_WORKERS="3",
        HEALTH_CELERY_TIMEOUT="3.0",  # a loaded machine's workers answer late
    )
    workers = []
    try:
        for queue in ("pdf", "mail"):
            workers.append(start_worker_process(env, queue, tmp_path, ("-P", "solo", "-Q", queue)))

        def names_default(answer):
            return (
                answer["answers"]
                .get("Celery", "")
                .endswith("No worker for Celery task queue default")
            )

        # Until both have started, the one missing may be named instead (the first found).
        missing = _fresh_answer_when(env, names_default)
        assert missing["status"] == 503, missing
        assert names_default(missing), missing

        workers.append(
            start_worker_process(env, "default", tmp_path, ("-P", "solo", "-Q", "default"))
        )
        healthy = _fresh_answer_when(env, lambda answer: answer["status"] == 200)
        assert healthy["status"] == 200, healthy
        assert set(healthy["answers"].values()) == {"OK"}
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)


@pytest.mark.django_db
def test_plain_http_and_no_login_reach_it_while_pages_redirect_to_https(
    client, own_broker, settings
):
    settings.SECURE_SSL_REDIRECT = True
    page = client.get("/login/")
    assert page.status_code == 301 and page["Location"].startswith("https://")
    health = client.get("/health/")
    assert health.status_code in (200, 503)  # answered, not redirected nor sent to the login
    assert "Database(default)" in health.json()


@pytest.mark.django_db
def test_the_answer_holds_no_secret(client, own_broker, settings):
    settings.SECRET_KEY = "s3cr3t-" + "x" * 40
    settings.CELERY_BROKER_URL = "redis://:brokerpass@127.0.0.1:1/0"  # nothing listens there
    body = client.get("/health/").content.decode()
    body += client.get("/health/?format=text").content.decode()
    for secret in ("s3cr3t-", "brokerpass", str(settings.MEDIA_ROOT)):
        assert secret not in body
    assert '"Redis' in body  # the broker was checked, and failed without naming its password


@pytest.mark.django_db
def test_the_load_balancers_probe_leaves_the_workers_out(client, own_broker, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/web/")  # plain HTTP, no worker anywhere
    assert response.status_code == 200
    assert response.json() == {
        "Database(default)": "OK",
        "Cache(default)": "OK",
        "Storage(default)": "OK",
    }
