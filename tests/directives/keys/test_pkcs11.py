"""PKCS#11 keys on a SoftHSM2 token: the right PIN signs a letter that pyHanko finds intact and
trusted; a wrong PIN or an absent token gives its Vietnamese message and signs nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from directives.documents.keys import (
    NoSigningKey,
    PinRequired,
    SigningKeyError,
    TokenMissing,
    WrongPin,
    open_key,
    unit_key,
    user_key,
)
from directives.documents.signing import sign_pdf_bytes
from recipients.models import SigningKeyStore
from tests.directives.keys.conftest import AGENCY, validate_signatures
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _store(token, *, label: str, **owner) -> SigningKeyStore:
    return SigningKeyStore.objects.create(
        backend=SigningKeyStore.Backend.PKCS11,
        pkcs11_module=token.module,
        token_label=token.label,
        key_label=label,
        **owner,
    )


def _sign(pdf: bytes, key) -> bytes:
    signed_at = timezone.now().replace(microsecond=0)
    return sign_pdf_bytes(pdf, key=key, signed_at=signed_at, box=None, reason="Ký số")


def test_agency_key_on_the_token_signs_a_letter_that_validates(softhsm_token, letter_pdf):
    unit = UnitFactory(code="STTTT")
    _store(softhsm_token, label="agency", unit=unit)
    with unit_key(unit=unit, pin=softhsm_token.pin) as key:
        assert key.organisation == AGENCY
        signed = _sign(letter_pdf, key)
    [status] = validate_signatures(signed, ca=softhsm_token.pki)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.serial_number == softhsm_token.serials["agency"]


def test_each_signer_signs_with_their_own_key(softhsm_token, letter_pdf):
    for label in ("lanhdao", "phogiamdoc"):
        user = UserFactory()
        _store(softhsm_token, label=label, user=user)
        with user_key(user=user, pin=softhsm_token.pin) as key:
            signed = _sign(letter_pdf, key)
        [status] = validate_signatures(signed, ca=softhsm_token.pki)
        assert status.bottom_line
        assert status.signing_cert.serial_number == softhsm_token.serials[label]


def test_wrong_pin_is_refused_and_nothing_is_signed(softhsm_token):
    user = UserFactory()
    _store(softhsm_token, label="lanhdao", user=user)
    with pytest.raises(WrongPin) as caught:
        user_key(user=user, pin="000000")
    assert isinstance(caught.value, SigningKeyError)
    with translation.override("vi"):
        assert "Mã PIN không đúng" in str(caught.value)
    with pytest.raises(PinRequired):
        user_key(user=user, pin=None)


def test_absent_token_is_reported_as_not_connected(softhsm_token):
    user = UserFactory()
    store = _store(softhsm_token, label="lanhdao", user=user)
    store.token_label = "KHONG-CO"
    store.save()
    with pytest.raises(TokenMissing) as caught, translation.override("vi"):
        open_key(store=store, pin=softhsm_token.pin)
    with translation.override("vi"):
        assert "KHONG-CO" in str(caught.value) and "chưa được cắm" in str(caught.value)


def test_key_label_absent_from_the_token_means_no_certificate(softhsm_token):
    user = UserFactory()
    store = _store(softhsm_token, label="khong-co-khoa", user=user)
    with pytest.raises(NoSigningKey):
        open_key(store=store, pin=softhsm_token.pin)


def test_pin_from_the_environment_signs_unattended(softhsm_token, letter_pdf, monkeypatch):
    unit = UnitFactory(code="STTTT")
    store = _store(softhsm_token, label="agency", unit=unit)
    store.pin_env = "STTTT_TOKEN_PIN"
    store.save()
    monkeypatch.setenv("STTTT_TOKEN_PIN", softhsm_token.pin)
    with unit_key(unit=unit) as key:
        assert validate_signatures(_sign(letter_pdf, key), ca=softhsm_token.pki)[0].bottom_line
