"""Backup and restore (`manage.py backup`, `manage.py restore`), as an operator runs them.

The demo is loaded into a fresh database with its own VAR_DIR (media, development PKI, secret
key) and backed up; that VAR_DIR is then deleted, as a lost machine would be, and the backup is
restored into another fresh database and an empty VAR_DIR. The restored portal must hold the
same records (every directive, number, register, user...), the same PDFs byte for byte, the same
keys, and its signed PDFs must still verify. Each `manage.py` runs in its own process with its
own environment, as on a server. On PostgreSQL it goes through pg_dump / pg_restore.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parent.parent

# What a restored portal must show as the original did; printed as JSON by `manage.py shell`.
SNAPSHOT = r"""
import hashlib, json
from io import StringIO
from pathlib import Path
from django.conf import settings
from django.core.management import call_command
from directives.documents.verification import verify_pdf_bytes
from directives.models import Directive, Register

records = StringIO()
call_command("dumpdata", "recipients", "directives", "auth.group", stdout=records)
pdfs = {}
for d in Directive.objects.exclude(pdf="").order_by("pk"):
    data = d.pdf.read()
    d.pdf.close()
    report = verify_pdf_bytes(data)
    pdfs[d.number_symbol] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "valid": report.valid,
        "issued_here": report.issued_here,
        "signatures": len(report.signatures),
    }
pki = Path(settings.DEV_PKI_DIR)
keys = {
    p.relative_to(pki).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
    for p in sorted(pki.rglob("*")) if p.is_file()
}
keys["secret_key"] = hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()
print(json.dumps({
    "records": json.loads(records.getvalue()),
    "numbers": sorted(d.number_symbol for d in Directive.objects.exclude(number=None)),
    "registers": sorted(
        [r.unit.code, r.kind, r.year, r.last_number]
        for r in Register.objects.select_related("unit")
    ),
    "pdfs": pdfs,
    "keys": keys,
}))
"""


class Portal:
    """One installation: its database and its VAR_DIR, run through manage.py."""

    def __init__(self, var_dir: Path, database_url: str | None):
        self.var_dir = var_dir
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "CELERY_", "SIGNING_", "SIGNER_", "CACHE_"))
            and key not in ("EMAIL_URL", "MEDIA_ROOT", "STATIC_ROOT", "PYTEST_CURRENT_TEST")
        }
        # DEBUG for the demo and its development PKI; the filesystem broker under VAR_DIR, so
        # the demo's jobs reach no worker of another test.
        self.env.update(DEBUG="1", VAR_DIR=str(var_dir), CELERY_BROKER_URL="filesystem://")
        self.env.pop("SOFTHSM2_CONF", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and done.returncode != 0:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def snapshot(self) -> dict:
        return json.loads(self.manage("shell", "-c", SNAPSHOT).stdout.strip().splitlines()[-1])


@pytest.fixture
def postgres_databases():
    """Two new, empty PostgreSQL databases beside the test database; dropped afterwards."""
    need_service("PostgreSQL", connection.vendor == "postgresql")
    need_service("pg_dump", shutil.which("pg_dump") is not None)
    import psycopg

    db = settings.DATABASES["default"]
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }
    suffix = uuid.uuid4().hex[:8]
    names = [f"portal_backup_{suffix}_src", f"portal_backup_{suffix}_dst"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(params["user"]) + (
        ":" + quote(params["password"]) if params["password"] else ""
    )
    yield [f"postgres://{credentials}@{params['host']}:{params['port']}/{n}" for n in names]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(request):
    if request.param == "sqlite":
        return [None, None]  # each installation's default: VAR_DIR/portal.sqlite3
    return request.getfixturevalue("postgres_databases")


def test_a_backup_of_the_demo_restores_into_a_fresh_portal(database_urls, tmp_path):
    source = Portal(tmp_path / "source-var", database_urls[0])
    source.manage("migrate", "--noinput")
    source.manage("loaddemo")
    before = source.snapshot()
    assert before["numbers"] and before["pdfs"], "the demo issues signed letters"
    assert all(pdf["valid"] and pdf["issued_here"] for pdf in before["pdfs"].values())

    source.manage("backup", str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").glob("portal-*")
    assert oct((backup).stat().st_mode & 0o777) == "0o700"
    manifest = json.loads((backup / "manifest.json").read_text())
    assert {"media.tar.gz", "keys.tar.gz"} <= set(manifest["files"])
    assert "pki/ca-key.pem" in manifest["keys"] and "var/secret_key" in manifest["keys"]
    shutil.rmtree(source.var_dir)  # the machine is lost: its media, keys and secret key

    target = Portal(tmp_path / "target-var", database_urls[1])

    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    with (damaged / "media.tar.gz").open("r+b") as archive:
        archive.seek(100)
        byte = archive.read(1)
        archive.seek(100)
        archive.write(bytes([byte[0] ^ 0xFF]))
    refused = target.manage("restore", str(damaged), check=False)
    assert refused.returncode != 0
    assert "media.tar.gz is missing or damaged" in refused.stderr
    assert not list((target.var_dir / "media").iterdir()), "nothing restored from it"

    target.manage("restore", str(backup))
    after = target.snapshot()
    assert after["numbers"] == before["numbers"]
    assert after["registers"] == before["registers"]
    assert after["records"] == before["records"]
    assert after["pdfs"] == before["pdfs"]  # same bytes, and they still verify
    assert after["keys"] == before["keys"]

    again = target.manage("restore", str(backup), check=False)
    assert again.returncode != 0 and "The database is not empty" in again.stderr
