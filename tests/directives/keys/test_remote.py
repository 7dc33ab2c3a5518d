"""Remote signing through the CSC API against a local service the tests start: the hash goes
out with the PIN, the signature comes back, and the letter validates; a wrong PIN signs nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from directives.documents.keys import RemoteSigningUnavailable, WrongPin, user_key
from directives.documents.keys.deferred import (
    PendingSignature,
    begin_remote_signature,
    finish_remote_signature,
)
from directives.documents.signing import sign_pdf_bytes
from recipients.models import SigningKeyStore
from tests.directives.keys.conftest import AGENCY, validate_signatures
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote_signer(csc_service, settings):
    settings.SIGNING_REMOTE_CLIENT_SECRET = csc_service.client_secret
    user = UserFactory()
    SigningKeyStore.objects.create(
        user=user,
        backend=SigningKeyStore.Backend.REMOTE,
        service_url=csc_service.url,
        credential_id=csc_service.credential_id,
        client_id=csc_service.client_id,
    )
    return user


def _sign(pdf: bytes, key) -> bytes:
    return sign_pdf_bytes(pdf, key=key, signed_at=timezone.now().replace(microsecond=0), box=None)


def test_letter_signed_by_the_remote_service_validates(
    remote_signer, csc_service, dev_ca, letter_pdf
):
    del csc_service.calls[:]
    key = user_key(user=remote_signer, pin=csc_service.pin)
    assert key.organisation == AGENCY
    signed = _sign(letter_pdf, key)
    [status] = validate_signatures(signed, ca=dev_ca)
    assert status.intact and status.valid and status.trusted
    assert csc_service.calls == [
        "auth/login",
        "credentials/info",
        "credentials/authorize",
        "signatures/signHash",
    ]


def test_wrong_pin_at_the_service_signs_nothing(remote_signer, csc_service, letter_pdf):
    key = user_key(user=remote_signer, pin="999999")
    with pytest.raises(WrongPin) as caught:
        _sign(letter_pdf, key)
    assert "signatures/signHash" not in csc_service.calls[-1:]
    with translation.override("vi"):
        assert "Mã PIN không đúng" in str(caught.value)


def test_unreachable_service_is_a_clear_error(remote_signer, settings):
    store = remote_signer.signing_key_store
    store.service_url = "http://127.0.0.1:9"
    store.save()
    with pytest.raises(RemoteSigningUnavailable):
        user_key(user=remote_signer, pin="123456")


def test_deferred_signature_is_finished_later_from_stored_state(
    remote_signer, csc_service, dev_ca, letter_pdf
):
    store = remote_signer.signing_key_store
    pending = begin_remote_signature(
        letter_pdf, store=store, signed_at=timezone.now().replace(microsecond=0), box=None
    )
    assert csc_service.calls[-1] == "credentials/info"  # nothing signed yet: the hash waits
    stored = PendingSignature(**{**pending.__dict__})  # what a caller keeps meanwhile
    with pytest.raises(WrongPin):
        finish_remote_signature(stored, store=store, pin="999999")
    signed = finish_remote_signature(stored, store=store, pin=csc_service.pin)
    assert signed.startswith(letter_pdf)  # an incremental revision: the letter's bytes kept
    [status] = validate_signatures(signed, ca=dev_ca)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.dump() == pending.certificates[0]
