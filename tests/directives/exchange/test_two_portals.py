"""The acceptance of issue 18's edXML part: two portal installations, two databases, two live
servers, each the other's peer. The Sở's portal (this test's live server and database) issues a
letter to the ministry, an external unit on the other portal (a `manage.py runserver`
subprocess on its own database: SQLite, or PostgreSQL on the PostgreSQL pass); the letter
arrives in the ministry's incoming book, is accepted, assigned, handled and approved there, and
the Sở's matrix shows 03 → 04 → 06; a recalled letter is closed in the ministry's book and the
Sở's matrix shows 15. Real HTTP both ways, the real jobs (eager) and services on each side;
nothing of the portal mocked."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from directives import jobs
from directives.selectors.matrix import matrix_build
from tests.directives.exchange.conftest import OUR_ORGAN
from tests.directives.exchange.test_sending import MINISTRY
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

A_TOKEN, B_TOKEN = "so-nhan-tu-bo", "bo-nhan-tu-so"
BASE = Path(django_settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OtherDatabase:
    """The ministry's own database: on the PostgreSQL pass a PostgreSQL database of its own
    next to the test database (its name + "_portal_b"), created here and dropped after; else
    an SQLite file. Both portals then run on the database the pass is about."""

    def __init__(self, var: Path) -> None:
        self.db = connection.settings_dict
        self.postgres = connection.vendor == "postgresql"
        self.name = f"{self.db['NAME']}_portal_b"[:63] if self.postgres else ""
        self.sqlite = var / "b.sqlite3"

    @property
    def url(self) -> str:
        if not self.postgres:
            return f"sqlite:///{self.sqlite}"
        user = quote(self.db.get("USER") or "", safe="")
        password = quote(self.db.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = self.db.get("HOST") or "127.0.0.1"
        port = self.db.get("PORT") or "5432"
        return f"postgres://{auth}{host}:{port}/{self.name}"

    def _admin(self, statement: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            dbname="postgres",
            user=self.db.get("USER") or None,
            password=self.db.get("PASSWORD") or None,
            host=self.db.get("HOST") or "127.0.0.1",
            port=self.db.get("PORT") or "5432",
            autocommit=True,
        ) as admin:
            admin.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def create(self) -> None:
        if self.postgres:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")  # left by a killed run
            self._admin("CREATE DATABASE {}")

    def drop(self) -> None:
        if self.postgres:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")


class OtherPortal:
    def __init__(self, tmp: Path, a_url: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        var = tmp / "b"
        var.mkdir(parents=True, exist_ok=True)
        self.database = OtherDatabase(var)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
            "DEBUG": "1",
            "DATABASE_URL": self.database.url,
            "VAR_DIR": str(var),
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "EDXML_PEER_TOKEN": B_TOKEN,
            "EDXML_PEERS": json.dumps({OUR_ORGAN: {"url": a_url, "token": A_TOKEN}}),
            "REQUIRE_SERVICES": "0",
            "CELERY_BROKER_URL": "memory://",
            "SECRET_KEY": "portal-b-test-only",
        }
        self.server = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", f"from tests.directives.exchange import portal_b; {code}")

    def start(self) -> None:
        self.database.create()
        self.manage("migrate", "--noinput", "-v", "0")
        self.shell("portal_b.setup()")
        self.server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=BASE,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{self.url}/exchange/edxml/", timeout=1)  # noqa: S310
            except urllib.error.HTTPError:
                return  # it answers (405 to a GET)
            except OSError:
                time.sleep(0.5)
        raise AssertionError("the other portal did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)
        self.database.drop()


@pytest.fixture
def other_portal(live_server, tmp_path, settings):
    portal = OtherPortal(tmp_path, f"{live_server.url}/exchange/edxml/")
    # One development CA for both installations (each trusts what the other signs).
    settings.DEV_PKI_DIR = tmp_path / "b" / "pki"
    settings.EDXML_PEER_TOKEN = A_TOKEN
    settings.EDXML_PEERS = {MINISTRY: {"url": f"{portal.url}/exchange/edxml/", "token": B_TOKEN}}
    try:
        portal.start()
        yield portal
    finally:
        portal.stop()


def book_of(portal: OtherPortal) -> list[dict]:
    return json.loads(portal.shell("portal_b.book()").strip().splitlines()[-1])  # after the logs


def ministry_code(directive) -> str:
    row = next(
        r for r in matrix_build(directive=directive).rows if r.dispatch.unit.code == "BOTTTT"
    )
    return row.receiving.code


@pytest.fixture
def issued_to_ministry(sttt, signed_pdf):
    import hashlib

    from django.core.files.base import ContentFile

    from tests.directives.workspace.data import make_issued

    ministry = UnitFactory(
        code="BOTTTT",
        name="Bộ Thông tin và Truyền thông",
        identifier_code=MINISTRY,
        is_external=True,
    )
    letter = make_issued(units=[ministry], issuing_unit=sttt, number=1038, tasks=0)
    letter.pdf.save("1038.pdf", ContentFile(signed_pdf), save=False)
    letter.pdf_sha256 = hashlib.sha256(signed_pdf).hexdigest()
    letter.save(update_fields=["pdf", "pdf_sha256"])
    return letter


def test_the_sos_letter_goes_round_two_portals(other_portal, issued_to_ministry, celery_eager):
    letter = issued_to_ministry
    # The ministry runs on a database of its own, of the kind this pass is about.
    database = json.loads(other_portal.shell("portal_b.vendor()").strip().splitlines()[-1])
    assert database["vendor"] == connection.vendor
    assert database["name"] != connection.settings_dict["NAME"]
    jobs.edxml_send_enqueue(letter.pk)  # the job the fan-out starts: posts to the other portal
    book = book_of(other_portal)
    assert [e["arrival_number"] for e in book] == [1]
    assert (
        book[0]["document_id"].startswith(f"{OUR_ORGAN},") and book[0]["subject"] == letter.subject
    )
    assert ministry_code(letter) == "03"  # 01 and 03 came back while the post was answered
    jobs.edxml_send_enqueue(letter.pk)  # redelivered: nothing posted twice
    assert len(book_of(other_portal)) == 1

    other_portal.shell("portal_b.act('assign')")
    assert ministry_code(letter) == "04"
    other_portal.shell("portal_b.act('start')")
    assert ministry_code(letter) == "05"
    other_portal.shell("portal_b.act('handled'); portal_b.act('approve')")
    assert ministry_code(letter) == "06"
    codes = sorted(letter.events.filter(verb="edxml_status").values_list("data__code", flat=True))
    assert codes == ["01", "03", "04", "05", "06"]


def test_the_sos_recall_closes_the_letter_in_the_ministrys_book(
    other_portal, issued_to_ministry, sttt, celery_eager
):
    from directives.services.issuing import directive_recall
    from recipients import roles
    from tests.factories import UserFactory

    letter = issued_to_ministry
    jobs.edxml_send_enqueue(letter.pk)
    other_portal.shell("portal_b.act('assign')")
    assert ministry_code(letter) == "04"
    assert book_of(other_portal)[0]["recalled"] is False

    clerk = UserFactory(unit=sttt, roles=[roles.CLERK])
    directive_recall(directive=letter, by=clerk, reason="Ban hành nhầm đối tượng")  # the job posts
    [entry] = book_of(other_portal)
    assert entry["recalled"] is True and entry["recall_reason"] == "Ban hành nhầm đối tượng"
    moves = json.loads(other_portal.shell("portal_b.moves()").strip().splitlines()[-1])
    assert not any(moves.values())  # its handling stopped
    assert ministry_code(letter) == "15"  # 13, then 15: the recall accepted
    jobs.edxml_recall_enqueue(letter.pk)  # redelivered: nothing posted twice
    # Read from the rows: a JSON lookup turns "13" into 13 on SQLite.
    codes = sorted(e.data["code"] for e in letter.events.filter(verb="edxml_status"))
    assert codes == ["01", "03", "04", "13", "15"]
    assert letter.events.filter(verb="edxml_recall_sent").count() == 1
