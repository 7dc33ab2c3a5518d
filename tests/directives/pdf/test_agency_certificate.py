"""The agency's certificate is checked before the PDF job signs: revoked by its CA's CRL or
expired, the job stops at once (no retry) and the letter's PDF status says why, in Vietnamese,
where the clerk sees it; nothing is signed."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.urls import reverse

from directives.documents.pki import issue_certificate, pki_create
from directives.documents.revocation import crl_publish
from directives.models import Directive, Event
from directives.services.signing import directive_render_and_sign
from recipients.models import SigningKeyStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_pki(settings, tmp_path):
    """A CA of this test alone (revoking its agency certificate touches no other test)."""
    pki = pki_create(directory=tmp_path / "pki", organisation="Sở TT&TT Gia Lai", password="pw")
    settings.DEBUG = False
    settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD = str(pki.org_p12), pki.password
    settings.SIGNING_P12_DIR, settings.SIGNING_TSA_URL, settings.SIGNING_CRLS = "", "", []
    return pki


def _stopped_with(letter: Directive, words: str) -> None:
    assert directive_render_and_sign(directive_id=letter.pk) is False  # no OSError: no retry
    letter.refresh_from_db()
    assert letter.pdf_status == Directive.PdfStatus.FAILED and not letter.pdf
    assert words in letter.pdf_error, letter.pdf_error
    assert Event.objects.filter(directive=letter, verb="pdf_failed").exists()
    assert not Event.objects.filter(directive=letter, verb="pdf_signed").exists()


def test_a_revoked_agency_certificate_stops_the_pdf_job(sample_letter, own_pki, admin_client):
    org = pkcs12.load_key_and_certificates(own_pki.org_p12.read_bytes(), b"pw")[1]
    now = datetime.datetime.now(datetime.UTC)
    crl_publish(own_pki.directory, own_pki.password, revoke=(org.serial_number, now))
    _stopped_with(sample_letter, "đã bị tổ chức cung cấp dịch vụ chứng thực thu hồi")
    page = admin_client.get(reverse("directives:detail", args=[sample_letter.pk]))
    assert "đã bị tổ chức cung cấp dịch vụ chứng thực thu hồi" in page.content.decode()


def test_an_expired_agency_certificate_stops_the_pdf_job(
    sample_letter, own_pki, tmp_path, monkeypatch
):
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=400)
    key, cert = issue_certificate(
        own_pki,
        common_name="Sở TT&TT Gia Lai",
        organisation="Sở TT&TT Gia Lai",
        not_before=long_ago,
        days=30,
    )
    ca = x509.load_pem_x509_certificate(own_pki.ca_pem.read_bytes())
    path = tmp_path / "old-agency.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=b"agency",
            key=key,
            cert=cert,
            cas=[ca],
            encryption_algorithm=serialization.BestAvailableEncryption(b"agency-pin"),
        )
    )
    SigningKeyStore.objects.create(
        unit=sample_letter.issuing_unit,
        backend="pkcs12",
        pkcs12_path=str(path),
        pin_env="AGENCY_TEST_PIN",
    )
    monkeypatch.setenv("AGENCY_TEST_PIN", "agency-pin")  # a key that signs unattended
    _stopped_with(sample_letter, "hiện không còn hiệu lực")
