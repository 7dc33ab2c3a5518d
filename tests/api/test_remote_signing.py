"""A signer whose key is at a remote signing service signs through the API as in the pages,
against the local CSC service the tests start: `sign-remote` asks, `sign-confirm` finishes with
the code, `sign-cancel` withdraws; the letter's state and the signer's role are the services'."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from directives import services
from directives.models import Directive, RemoteSignature
from recipients import roles
from recipients.models import SigningKeyStore
from tests.api.conftest import token_client
from tests.directives.keys.conftest import csc_service, dev_ca  # noqa: F401
from tests.directives.pdf.test_images import signature_png
from tests.signing_keys import throwaway_pki

pytestmark = pytest.mark.django_db

DIRECTIVES = "/api/v1/directives/"


@pytest.fixture
def numbered_remote(agency, csc_service, settings) -> Directive:  # noqa: F811
    settings.SIGNING_REMOTE_CLIENT_SECRET = csc_service.client_secret
    pki = throwaway_pki()
    settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD = str(pki.org_p12), pki.password
    settings.SIGNING_P12_DIR, settings.SIGNING_TSA_URL = "", ""
    SigningKeyStore.objects.create(
        user=agency.signer,
        backend=SigningKeyStore.Backend.REMOTE,
        service_url=csc_service.url,
        credential_id=csc_service.credential_id,
        client_id=csc_service.client_id,
    )
    agency.signer.signature_image.save("sig.png", ContentFile(signature_png()))
    return services.directive_number(directive=agency.approved(), by=agency.clerk)


def test_the_remote_signer_asks_confirms_and_the_letter_is_signed(
    agency,
    csc_service,  # noqa: F811
    numbered_remote,
):
    signer = token_client(agency.signer)
    url = f"{DIRECTIVES}{numbered_remote.pk}/"
    before = signer.get(url).json()
    assert before["moves"]["sign_remote"] and not before["moves"]["sign"]
    assert before["remote_signature"] is None

    asked = signer.post(f"{url}sign-remote/")
    assert asked.status_code == 200, asked.json()
    request = RemoteSignature.objects.get(directive=numbered_remote)
    body = asked.json()
    assert body["status"] == "numbered"
    assert body["remote_signature"]["request_code"] == request.hash_b64[:12]
    assert body["moves"]["sign_confirm"] and body["moves"]["sign_cancel"]
    again = signer.post(f"{url}sign-remote/")
    assert again.status_code == 403 and again.json()["detail"]

    wrong = signer.post(f"{url}sign-confirm/", {"pin": "999999"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["detail"]
    assert RemoteSignature.objects.filter(pk=request.pk).exists()  # still waiting
    assert signer.post(f"{url}sign-confirm/", {}, format="json").status_code == 400

    done = signer.post(f"{url}sign-confirm/", {"pin": csc_service.pin}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "signed" and done.json()["remote_signature"] is None
    signed = Directive.objects.get(pk=numbered_remote.pk)
    assert signed.status == Directive.Status.SIGNED and signed.signer_pdf
    late = signer.post(f"{url}sign-cancel/")
    assert late.status_code == 409  # no longer numbered


def test_the_signer_withdraws_and_others_cannot_ask(agency, other_agency, numbered_remote):
    url = f"{DIRECTIVES}{numbered_remote.pk}/"
    for user in (agency.clerk, agency.drafter):
        refused = token_client(user).post(f"{url}sign-remote/")
        assert refused.status_code == 403, (user, refused.json())
    assert token_client(other_agency[roles.SIGNER]).post(f"{url}sign-remote/").status_code == 404
    assert not RemoteSignature.objects.exists()

    signer = token_client(agency.signer)
    assert signer.post(f"{url}sign-cancel/").status_code == 403  # nothing asked yet
    assert signer.post(f"{url}sign-remote/").status_code == 200
    assert token_client(other_agency[roles.SIGNER]).post(f"{url}sign-cancel/").status_code == 404
    withdrawn = signer.post(f"{url}sign-cancel/")
    assert withdrawn.status_code == 200 and withdrawn.json()["remote_signature"] is None
    assert not RemoteSignature.objects.exists()
    assert Directive.objects.get(pk=numbered_remote.pk).status == Directive.Status.NUMBERED
