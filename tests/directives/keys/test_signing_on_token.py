"""The signer signs the numbered letter with the key an administrator chose for them: here a
key on a PKCS#11 token (SoftHSM2), opened with the PIN typed on the page."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.models import Directive, Event
from recipients.models import SigningKeyStore
from tests.directives.core.conftest import build_agency
from tests.directives.keys.conftest import validate_signatures

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(db):
    return build_agency()


def press(client, user, name: str, directive: Directive, data=None) -> list[str]:
    """Press the button and confirm its question, as the page asks."""
    client.force_login(user)
    response = client.post(
        reverse(f"directives:{name}", args=[directive.pk]), {"confirm": "1", **(data or {})}
    )
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def numbered_on_token(client, agency, softhsm_token) -> Directive:
    SigningKeyStore.objects.create(
        user=agency.signer,
        backend=SigningKeyStore.Backend.PKCS11,
        pkcs11_module=softhsm_token.module,
        token_label=softhsm_token.label,
        key_label="lanhdao",
    )
    approved = agency.approved()
    press(client, agency.clerk, "number", approved)
    return Directive.objects.get(pk=approved.pk)


def test_the_signer_signs_with_the_key_on_their_token(
    client, agency, softhsm_token, numbered_on_token
):
    press(client, agency.signer, "sign", numbered_on_token, {"pin": softhsm_token.pin})
    signed = Directive.objects.get(pk=numbered_on_token.pk)
    assert signed.status == Directive.Status.SIGNED
    with signed.signer_pdf.open("rb") as handle:
        data = handle.read()
    [status] = validate_signatures(data, ca=softhsm_token.pki)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.serial_number == softhsm_token.serials["lanhdao"]
    assert len(PdfFileReader(BytesIO(data)).embedded_signatures) == 1


def test_a_wrong_token_pin_signs_nothing_and_says_so(client, agency, numbered_on_token):
    messages = press(client, agency.signer, "sign", numbered_on_token, {"pin": "000000"})
    after = Directive.objects.get(pk=numbered_on_token.pk)
    assert after.status == Directive.Status.NUMBERED and not after.signer_pdf
    assert any("PIN" in m for m in messages), messages
    assert not Event.objects.filter(directive=after, verb="signed").exists()
