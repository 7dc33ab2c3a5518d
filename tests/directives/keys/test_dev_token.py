"""`make run`'s development token: `init_dev_pki` makes a SoftHSM2 token under var/pki/token with
the demo's keys, `loaddemo` points the demo signer and the issuing unit at it, and the demo letter
is signed there through the pages (PIN 123456) and sealed by the worker with the token's agency
key. Without SoftHSM2, `init_dev_pki` says so in one line and the demo signs with PKCS#12."""

from __future__ import annotations

import io
import json
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.demo import DEMO_SIGNER_PIN
from directives.documents.keys.devtoken import (
    DEV_TOKEN_LABEL,
    softhsm_available,
    softhsm_conf,
)
from directives.documents.pki import PkiFiles, dev_p12_password
from directives.documents.signing import signing_key_for
from directives.documents.verification import verify_pdf_bytes
from directives.models import Directive
from recipients.models import SigningKeyStore, User
from tests.conftest import need_service
from tests.directives.keys.conftest import validate_signatures

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NUMBERED_SUBJECT = "triển khai Ngày Chuyển đổi số tỉnh Gia Lai năm nay"


@pytest.fixture
def dev_settings(settings, tmp_path):
    """DEBUG as in `make run`, the development PKI in a tmp VAR_DIR, no configured key."""
    settings.DEBUG = True
    settings.DEV_PKI_DIR = tmp_path / "var" / "pki"
    settings.SIGNER_P12_DIR = ""
    settings.SIGNING_P12 = settings.SIGNING_P12_DIR = ""
    settings.SIGNING_TRUST_ROOTS = []
    settings.SIGNING_TSA_URL = ""
    return settings


def manifest(settings) -> dict:
    return json.loads((Path(settings.DEV_PKI_DIR) / "token" / "token.json").read_text())


def dev_ca(settings) -> PkiFiles:
    pki = Path(settings.DEV_PKI_DIR)
    return PkiFiles(pki, pki / "ca.pem", pki / "ca-key.pem", pki / "org.p12", dev_p12_password())


@pytest.fixture
def dev_token_demo(dev_settings, monkeypatch):
    """init_dev_pki then loaddemo, with the environment the settings give the web process and the
    worker in DEBUG when the token is there (SOFTHSM2_CONF, the agency key's PIN variable)."""
    need_service("SoftHSM2 (Debian package softhsm2)", softhsm_available())
    out = io.StringIO()
    call_command("init_dev_pki", stdout=out)
    assert f"Development token ready: SoftHSM2 token {DEV_TOKEN_LABEL}" in out.getvalue()
    conf = Path(dev_settings.DEV_PKI_DIR) / "token" / "softhsm2.conf"
    monkeypatch.setenv(dev_settings.DEV_TOKEN_PIN_ENV, DEMO_SIGNER_PIN)
    with softhsm_conf(conf):
        out = io.StringIO()
        call_command("loaddemo", stdout=out)
        assert "sign on the development token" in out.getvalue()
        yield manifest(dev_settings)


def final_pdf(directive: Directive) -> bytes:
    directive.refresh_from_db()
    assert directive.pdf_status == Directive.PdfStatus.READY, directive.pdf_error
    with directive.pdf.open("rb") as handle:
        return handle.read()


def assert_two_token_signatures(pdf: bytes, held: dict, settings) -> None:
    signatures = PdfFileReader(BytesIO(pdf)).embedded_signatures
    assert [s.field_name for s in signatures] == ["ChuKyNguoiKy", "ChuKySo"]
    statuses = validate_signatures(pdf, ca=dev_ca(settings))
    for status in statuses:
        assert status.intact and status.valid and status.trusted
    assert [s.signing_cert.serial_number for s in statuses] == [
        held["serials"]["lanhdao"],
        held["serials"]["STTTT"],
    ]
    # The agency's seal carries the development CA's CRL (its /DSS), as with a PKCS#12 key.
    seal = verify_pdf_bytes(pdf).signatures[1]
    assert seal.is_agency and seal.revocation_embedded


def test_the_demo_signer_signs_on_the_token_and_the_clerk_seals_with_its_agency_key(
    client, dev_token_demo, dev_settings, celery_eager, django_capture_on_commit_callbacks
):
    held = dev_token_demo
    stores = {
        (s.user.username if s.user else s.unit.code): s for s in SigningKeyStore.objects.all()
    }
    # Both demo issuers sign on the token: the Sở and UBND huyện Chư Păh, each its signer.
    assert set(stores) == {"lanhdao", "STTTT", "chupah.lanhdao", "UBND.CHUPAH"}
    assert all(s.backend == "pkcs11" and s.token_label == DEV_TOKEN_LABEL for s in stores.values())
    assert stores["lanhdao"].pin_env == "" and stores["STTTT"].pin_env == "DEV_TOKEN_PIN"
    # The sample letter loaddemo issued is already signed on the token.
    assert_two_token_signatures(final_pdf(Directive.objects.get(number=1038)), held, dev_settings)

    numbered = Directive.objects.get(subject=NUMBERED_SUBJECT)
    assert numbered.status == Directive.Status.NUMBERED
    client.force_login(User.objects.get(username="lanhdao"))
    client.post(reverse("directives:sign", args=[numbered.pk]), {"pin": DEMO_SIGNER_PIN})
    numbered.refresh_from_db()
    assert numbered.status == Directive.Status.SIGNED
    client.force_login(User.objects.get(username="vanthu"))
    with django_capture_on_commit_callbacks(execute=True):  # the PDF worker's job, eager
        client.post(reverse("directives:issue", args=[numbered.pk]), {"confirm": "1"})
    numbered.refresh_from_db()
    assert numbered.status == Directive.Status.ISSUED
    delivered = final_pdf(numbered)
    assert_two_token_signatures(delivered, held, dev_settings)
    client.logout()
    page = client.post(
        reverse("directives:verify"),
        {"pdf": SimpleUploadedFile("cv.pdf", delivered, "application/pdf")},
    ).content.decode()
    assert 'data-check="verdict" data-result="valid"' in page
    assert page.count('data-check="signature" data-result="ok"') == 2


def test_a_broken_token_is_made_again_and_a_sound_one_kept(dev_settings):
    need_service("SoftHSM2 (Debian package softhsm2)", softhsm_available())
    call_command("init_dev_pki", stdout=io.StringIO())
    first = manifest(dev_settings)
    call_command("init_dev_pki", stdout=io.StringIO())
    assert manifest(dev_settings) == first, "a sound token is kept"
    tokens = Path(dev_settings.DEV_PKI_DIR) / "token" / "tokens"
    for slot in tokens.iterdir():  # the token's objects gone
        for item in slot.iterdir():
            item.unlink()
    call_command("init_dev_pki", stdout=io.StringIO())
    again = manifest(dev_settings)
    assert {"STTTT", "lanhdao"} <= set(again["serials"])
    assert again["serials"] != first["serials"], "made anew"


def test_without_softhsm2_init_dev_pki_says_so_and_the_demo_signs_with_pkcs12(
    dev_settings, tmp_path
):
    dev_settings.DEV_SOFTHSM2_MODULE = str(tmp_path / "missing" / "libsofthsm2.so")
    out = io.StringIO()
    call_command("init_dev_pki", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Development PKI ready")
    assert len(lines) == 2 and "PKCS#12" in lines[1] and "apt install softhsm2" in lines[1]
    assert not (Path(dev_settings.DEV_PKI_DIR) / "token").exists()
    assert signing_key_for("STTTT").signer.signing_cert.public_key.bit_size == 2048
