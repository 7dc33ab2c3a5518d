"""deploy/nginx.conf in front of gunicorn with deploy/gunicorn.conf.py, as in production.

The site file is used as shipped but for what a test must change: its ports, a throw-away
certificate, the log and static folders, and the upstream's port. The portal runs with the
production settings (DEBUG=0, TRUSTED_PROXY_COUNT=1, the HTTPS redirect on).
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parent.parent
HOST = "vanban.example.gov.vn"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listens on {port}")


@pytest.fixture
def site(tmp_path):
    """nginx and gunicorn, running; the ports and gunicorn's log file."""
    need_service("nginx", os.path.exists(NGINX))
    http_port, https_port, app_port = _free_port(), _free_port(), _free_port()
    cert, key = _certificate(tmp_path)
    static = tmp_path / "var" / "staticfiles"
    static.mkdir(parents=True)
    (static / "probe.txt").write_text("static")
    (tmp_path / "logs").mkdir()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("/etc/ssl/portal/fullchain.pem", str(cert)),
        ("/etc/ssl/portal/privkey.pem", str(key)),
        ("/etc/nginx/snippets/portal-proxy.conf", str(ROOT / "deploy" / "nginx-proxy.conf")),
        ("/var/log/nginx/", f"{tmp_path}/logs/"),
        ("/srv/portal/static/", f"{static}/"),
        ("ssl_stapling on;", "ssl_stapling off;"),  # a self-signed certificate has no OCSP
        ("ssl_stapling_verify on;", ""),
    ):
        assert old in conf, old
        conf = conf.replace(old, new)
    conf = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", conf)
    (tmp_path / "site.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        # As root, nginx's workers would drop to "nobody", who cannot read the test's folders.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        "events {}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "CACHE_", "PYTEST", "SECURE_"))
        and key not in ("DEBUG", "TRUSTED_PROXY_COUNT", "ALLOWED_HOSTS", "LOG_FORMAT")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="n" * 20 + "ginx-test-" + "k" * 30,
        ALLOWED_HOSTS=f"{HOST},127.0.0.1,localhost",
        VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL="filesystem://",
        GUNICORN_BIND=f"127.0.0.1:{app_port}",
        WEB_CONCURRENCY="1",
        HEALTH_CELERY_TIMEOUT="0.5",
        # No collectstatic here (its manifest is not what this test is about).
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        gunicorn = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "portal.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    nginx = subprocess.Popen(  # noqa: S603
        [NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(app_port)
        _wait_for(https_port)
        yield {"http": http_port, "https": https_port, "log": log}
    finally:
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(timeout=20)
        gunicorn.wait(timeout=40)


def _request(port: int, path: str, *, tls: bool, method: str = "GET", headers=None):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path, skip_host=True)
    conn.putheader("Host", HOST)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def _log_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_nginx_and_gunicorn_as_deployed(site):
    # Plain HTTP: nginx sends browsers to HTTPS...
    response, _ = _request(site["http"], "/login/", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/login/"
    # ...but the health probe is answered over it, by the portal (no redirect, no login).
    response, body = _request(site["http"], "/health/", tls=False)
    assert response.status == 503  # no worker runs here
    assert json.loads(body)["Database(default)"] == "OK"
    response, body = _request(site["http"], "/health/web/", tls=False)
    assert response.status == 200 and set(json.loads(body).values()) == {"OK"}

    # HTTPS: the portal knows it (X-Forwarded-Proto): a page, no redirect loop, HSTS.
    response, body = _request(
        site["https"], "/login/", tls=True, headers={"X-Forwarded-For": "198.51.100.66"}
    )
    assert response.status == 200
    assert "max-age=" in response.getheader("Strict-Transport-Security")
    request_id = response.getheader("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id

    # The portal's log line of that request: nginx's id, and the client's real address, not
    # the one it wrote itself into X-Forwarded-For (TRUSTED_PROXY_COUNT=1).
    deadline = time.monotonic() + 10
    while True:
        lines = [
            line
            for line in _log_lines(site["log"])
            if line.get("logger") == "portal.request" and line.get("path") == "/login/"
        ]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    (line,) = [line for line in lines if line["status"] == 200]
    assert line["request_id"] == request_id
    assert line["client_ip"] == "127.0.0.1"
    assert any(entry.get("logger", "").startswith("gunicorn") for entry in _log_lines(site["log"]))

    # A body above the portal's limit is refused by nginx before it is sent on.
    response, _ = _request(
        site["https"],
        "/verify/",
        tls=True,
        method="POST",
        headers={"Content-Length": str(32 * 1024 * 1024), "Content-Type": "application/pdf"},
    )
    assert response.status == 413

    # Static files from STATIC_ROOT; media never from nginx.
    response, body = _request(site["https"], "/static/probe.txt", tls=True)
    assert response.status == 200 and body == b"static"
    assert "immutable" in response.getheader("Cache-Control")
    response, _ = _request(site["https"], "/media/directives/2026/x.pdf", tls=True)
    assert response.status == 404
