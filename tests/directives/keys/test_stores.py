"""Signing key stores: one owner each; the PKCS#12 backend; the fallback to the PKCS#12
settings; expired and revoked certificates refused with their Vietnamese message."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from directives.documents.keys import (
    CertificateExpired,
    CertificateRevoked,
    NoSigningKey,
    PinRequired,
    WrongPin,
    open_key,
    unit_key,
    user_key,
)
from directives.documents.pki import issue_certificate
from directives.documents.signing import sign_pdf_bytes
from directives.errors import SignerKeyError
from recipients.models import SigningKeyStore
from tests.directives.keys.conftest import AGENCY, validate_signatures
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _p12(path, dev_ca, *, password="p12-pass", **issue):  # noqa: S107
    key, cert = issue_certificate(
        dev_ca, common_name=issue.pop("name", "Lê Thị Thu Hương"), organisation=AGENCY, **issue
    )
    ca = x509.load_pem_x509_certificate(dev_ca.ca_pem.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=b"signer",
            key=key,
            cert=cert,
            cas=[ca],
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        )
    )
    return cert


def _pkcs12_store(path, **owner) -> SigningKeyStore:
    return SigningKeyStore.objects.create(
        backend=SigningKeyStore.Backend.PKCS12, pkcs12_path=str(path), **owner
    )


def test_a_store_has_exactly_one_owner():
    unit, user = UnitFactory(), UserFactory()
    for owner in ({}, {"unit": unit, "user": user}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SigningKeyStore.objects.create(backend="pkcs12", pkcs12_path="a.p12", **owner)
    store = SigningKeyStore(unit=unit, user=user, backend="pkcs11")
    with pytest.raises(ValidationError) as caught:
        store.full_clean()
    assert "__all__" in caught.value.message_dict
    store = SigningKeyStore(user=user, backend="pkcs11")
    with pytest.raises(ValidationError) as caught:
        store.full_clean()
    assert {"token_label", "key_label"} <= set(caught.value.message_dict)


def test_pkcs12_store_under_media_private_signs(settings, dev_ca, letter_pdf):
    _p12(settings.MEDIA_ROOT / "private" / "keys" / "lanhdao.p12", dev_ca)
    user = UserFactory()
    _pkcs12_store("keys/lanhdao.p12", user=user)
    key = user_key(user=user, pin="p12-pass")
    signed = sign_pdf_bytes(letter_pdf, key=key, signed_at=timezone.now(), box=None)
    assert validate_signatures(signed, ca=dev_ca)[0].bottom_line
    with pytest.raises(WrongPin):
        user_key(user=user, pin="sai-mat-khau")
    with pytest.raises(PinRequired):
        user_key(user=user, pin=None)


def test_a_signer_without_a_store_nor_a_pkcs12_file_has_no_key(settings):
    """Without a store the signer's key is their PKCS#12 file in SIGNER_P12_DIR; none there."""
    with pytest.raises(SignerKeyError) as caught:
        user_key(user=UserFactory(), pin="123456")
    with translation.override("vi"):
        assert "chưa có chứng thư số" in str(caught.value)


def test_missing_file_means_no_key(tmp_path):
    store = _pkcs12_store(tmp_path / "khong-co.p12", unit=UnitFactory())
    with pytest.raises(NoSigningKey):
        open_key(store=store, pin="x")


def test_a_unit_without_a_store_signs_with_the_pkcs12_settings(settings, dev_ca, tmp_path):
    _p12(tmp_path / "org.p12", dev_ca, name=AGENCY, password="org-pass")
    settings.DEBUG = False
    settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD = str(tmp_path / "org.p12"), "org-pass"
    settings.SIGNING_P12_DIR = ""
    assert unit_key(unit=UnitFactory(code="STTTT")).organisation == AGENCY
    settings.SIGNING_P12 = ""
    with pytest.raises(NoSigningKey):
        unit_key(unit=UnitFactory(code="KHAC"))


def test_an_expired_certificate_is_refused(dev_ca, tmp_path):
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=400)
    _p12(tmp_path / "old.p12", dev_ca, not_before=long_ago, days=30)
    user = UserFactory()
    _pkcs12_store(tmp_path / "old.p12", user=user)
    with pytest.raises(CertificateExpired) as caught:
        user_key(user=user, pin="p12-pass")
    with translation.override("vi"):
        assert "không còn hiệu lực" in str(caught.value) and "Lê Thị Thu Hương" in str(caught.value)


def test_a_certificate_revoked_in_a_crl_at_hand_is_refused(settings, dev_ca, tmp_path):
    cert = _p12(tmp_path / "revoked.p12", dev_ca)
    ca = x509.load_pem_x509_certificate(dev_ca.ca_pem.read_bytes())
    ca_key = serialization.load_pem_private_key(
        dev_ca.ca_key.read_bytes(), password=dev_ca.password.encode()
    )
    now = datetime.datetime.now(datetime.UTC)
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(cert.serial_number)
        .revocation_date(now)
        .build()
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now)
        .next_update(now + datetime.timedelta(days=7))
        .add_revoked_certificate(revoked)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "ca.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    user = UserFactory()
    _pkcs12_store(tmp_path / "revoked.p12", user=user)
    assert user_key(user=user, pin="p12-pass")  # no CRL at hand: signs
    settings.SIGNING_CRLS = [str(tmp_path / "ca.crl")]
    with pytest.raises(CertificateRevoked) as caught:
        user_key(user=user, pin="p12-pass")
    with translation.override("vi"):
        assert "đã bị tổ chức cung cấp dịch vụ chứng thực thu hồi" in str(caught.value)


def test_the_admin_lists_and_adds_stores(admin_client):
    SigningKeyStore.objects.create(
        unit=UnitFactory(name="Sở Thông tin và Truyền thông Gia Lai"),
        backend="pkcs11",
        token_label="STTTT",
        key_label="agency",
    )
    listing = admin_client.get("/admin/recipients/signingkeystore/")
    assert listing.status_code == 200
    assert "Sở Thông tin và Truyền thông Gia Lai" in listing.content.decode()
    assert admin_client.get("/admin/recipients/signingkeystore/add/").status_code == 200


def test_a_development_signer_key_revoked_by_the_dev_ca_is_refused(settings):
    """DEBUG, no store, no SIGNER_P12_DIR: the signer's file from the development PKI is checked
    against the development CA's own CRL (var/pki/ca.crl), with no SIGNING_CRLS set."""
    from directives.documents.pki import dev_pki_ensure, dev_signer_certificate_issue
    from directives.documents.revocation import crl_publish

    settings.DEBUG, settings.SIGNER_P12_DIR, settings.SIGNING_CRLS = True, "", []
    user = UserFactory(username="lanhdao.thu")
    files = dev_signer_certificate_issue(username=user.username, full_name="Lê Văn Thu", pin="1")
    assert user_key(user=user, pin="1").organisation
    pki = dev_pki_ensure()
    serial = x509.load_pem_x509_certificate(files.cert_pem.read_bytes()).serial_number
    crl_publish(pki.directory, pki.password, revoke=(serial, datetime.datetime.now(datetime.UTC)))
    with pytest.raises(CertificateRevoked) as caught:
        user_key(user=user, pin="1")
    with translation.override("vi"):
        assert "Lê Văn Thu" in str(caught.value) and "thu hồi" in str(caught.value)
