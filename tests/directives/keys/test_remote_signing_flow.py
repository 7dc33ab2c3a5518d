"""A signer whose key is at a remote signing service signs through the pages, against the local
CSC service the tests start: "Ký số" asks for the signature, the letter shows "chờ ký số" while
the signer confirms, the code they enter finishes it and the letter is SIGNED as with a key at
hand; withdrawing the request, or a service that cannot be reached, leaves the letter numbered
with its number and nothing signed."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from cryptography import x509
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader

from directives import services
from directives.documents.pki import issue_certificate
from directives.documents.revisions import SIGNER_FIELD
from directives.errors import PermissionDeniedError
from directives.models import Directive, Event, RemoteSignature
from directives.services.signing import directive_render_and_sign
from recipients.models import SigningKeyStore
from tests.directives.core.conftest import build_agency
from tests.directives.keys.conftest import AGENCY, validate_signatures
from tests.directives.pdf.test_images import signature_png
from tests.signing_keys import throwaway_pki

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
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def page(client, user, directive: Directive) -> str:
    client.force_login(user)
    return client.get(reverse("directives:detail", args=[directive.pk])).content.decode()


def read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def remote_store(user, service, **fields) -> SigningKeyStore:
    return SigningKeyStore.objects.create(
        user=user,
        backend=SigningKeyStore.Backend.REMOTE,
        service_url=service.url,
        credential_id=service.credential_id,
        client_id=service.client_id,
        **fields,
    )


@pytest.fixture
def numbered_remote(client, agency, csc_service, settings) -> Directive:
    """A numbered letter whose signer's key is at the CSC service; the agency seals with the
    organisation key of the tests' CA."""
    settings.SIGNING_REMOTE_CLIENT_SECRET = csc_service.client_secret
    pki = throwaway_pki()
    settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD = str(pki.org_p12), pki.password
    settings.SIGNING_P12_DIR, settings.SIGNING_TSA_URL = "", ""
    remote_store(agency.signer, csc_service)
    agency.signer.signature_image.save("sig.png", ContentFile(signature_png()))
    return services.directive_number(directive=agency.approved(), by=agency.clerk)


def test_the_remote_signer_asks_confirms_and_the_letter_is_signed(
    client, agency, csc_service, dev_ca, numbered_remote
):
    letter = numbered_remote
    shown = page(client, agency.signer, letter)
    assert 'data-testid="sign-remote"' in shown and 'name="pin"' not in shown

    del csc_service.calls[:]
    messages = press(client, agency.signer, "sign_remote", letter)
    assert any("xác nhận" in m for m in messages), messages
    assert csc_service.calls == ["auth/login", "credentials/info"]  # the hash waits
    request = RemoteSignature.objects.get(directive=letter)
    letter.refresh_from_db()
    assert letter.status == Directive.Status.NUMBERED and not letter.signer_pdf

    for viewer in (agency.signer, agency.clerk):
        shown = page(client, viewer, letter)
        assert 'data-testid="remote-pending"' in shown and "Chờ ký số" in shown
        assert request.hash_b64[:12] in shown
    shown = page(client, agency.signer, letter)
    assert 'data-testid="sign-confirm"' in shown and 'data-testid="sign-cancel"' in shown
    assert 'data-testid="sign-remote"' not in shown

    messages = press(client, agency.signer, "sign_confirm", letter, {"pin": "999999"})
    assert any("Mã PIN không đúng" in m for m in messages), messages
    assert RemoteSignature.objects.filter(pk=request.pk).exists()  # still waiting
    assert Directive.objects.get(pk=letter.pk).status == Directive.Status.NUMBERED

    press(client, agency.signer, "sign_confirm", letter, {"pin": csc_service.pin})
    signed = Directive.objects.get(pk=letter.pk)
    assert signed.status == Directive.Status.SIGNED
    assert signed.signer_signed_at == request.signed_at
    assert not RemoteSignature.objects.filter(directive=letter).exists()
    data = read(signed.signer_pdf)
    assert data.startswith(read(signed.unsigned_pdf))
    [status] = validate_signatures(data, ca=dev_ca)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["organization_name"] == AGENCY
    [field] = PdfFileReader(BytesIO(data)).embedded_signatures
    assert field.field_name == SIGNER_FIELD
    xobjects = field.sig_field["/AP"]["/N"]["/Resources"]["/XObject"].values()
    assert [x for x in xobjects if x.get_object().get("/Subtype") == "/Image"], "no image"
    verbs = list(Event.objects.filter(directive=letter).values_list("verb", flat=True))
    assert verbs[-2:] == ["remote_signature_requested", "signed"]
    assert 'data-testid="remote-pending"' not in page(client, agency.signer, letter)

    press(client, agency.clerk, "issue", letter)
    assert directive_render_and_sign(directive_id=letter.pk) is True
    final = read(Directive.objects.get(pk=letter.pk).pdf)
    assert final.startswith(data)
    assert len(PdfFileReader(BytesIO(final)).embedded_signatures) == 2


def test_withdrawing_the_request_keeps_the_letter_numbered_and_unsigned(
    client, agency, csc_service, numbered_remote
):
    letter = numbered_remote
    number, symbol = letter.number, letter.number_symbol
    press(client, agency.signer, "sign_remote", letter)
    messages = press(client, agency.signer, "sign_cancel", letter)
    assert any("không có gì được ký" in m.lower() for m in messages), messages
    after = Directive.objects.get(pk=letter.pk)
    assert after.status == Directive.Status.NUMBERED and not after.signer_pdf
    assert (after.number, after.number_symbol) == (number, symbol)
    assert not RemoteSignature.objects.exists()
    assert Event.objects.filter(directive=letter, verb="remote_signature_cancelled").exists()
    assert 'data-testid="sign-remote"' in page(client, agency.signer, letter)
    # Asked again, it can be finished as the first time.
    press(client, agency.signer, "sign_remote", letter)
    press(client, agency.signer, "sign_confirm", letter, {"pin": csc_service.pin})
    assert Directive.objects.get(pk=letter.pk).status == Directive.Status.SIGNED


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ("unreachable", "Không kết nối được dịch vụ ký số từ xa"),
        ("refused", "HTTP 401"),
    ],
)
def test_a_service_unreachable_or_refusing_leaves_the_letter_as_it_was(
    client, agency, csc_service, numbered_remote, settings, failure, message
):
    store = agency.signer.signing_key_store
    if failure == "unreachable":
        store.service_url = "http://127.0.0.1:9"
        store.save()
    else:
        settings.SIGNING_REMOTE_CLIENT_SECRET = "not-the-secret"
    events = Event.objects.count()
    messages = press(client, agency.signer, "sign_remote", numbered_remote)
    assert any(message in m for m in messages), messages
    after = Directive.objects.get(pk=numbered_remote.pk)
    assert after.status == Directive.Status.NUMBERED and after.number == numbered_remote.number
    assert not RemoteSignature.objects.exists() and Event.objects.count() == events


def test_an_expired_remote_certificate_asks_for_nothing(client, agency, dev_ca, settings):
    from tests.directives.keys.csc_server import CscService, serve

    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=400)
    key, cert = issue_certificate(
        dev_ca, common_name="Lê Thị Thu Hương", organisation=AGENCY, not_before=long_ago, days=30
    )
    service = CscService(
        key=key, chain=[cert, x509.load_pem_x509_certificate(dev_ca.ca_pem.read_bytes())]
    )
    server, thread = serve(service)
    try:
        settings.SIGNING_REMOTE_CLIENT_SECRET = service.client_secret
        remote_store(agency.signer, service)
        letter = services.directive_number(directive=agency.approved(), by=agency.clerk)
        messages = press(client, agency.signer, "sign_remote", letter)
    finally:
        server.shutdown()
        thread.join(5)
    assert any("không còn hiệu lực" in m for m in messages), messages
    assert not RemoteSignature.objects.exists()
    assert Directive.objects.get(pk=letter.pk).status == Directive.Status.NUMBERED


def test_the_clerk_cancelling_the_numbering_drops_the_pending_request(
    client, agency, numbered_remote
):
    press(client, agency.signer, "sign_remote", numbered_remote)
    press(client, agency.clerk, "cancel_number", numbered_remote)
    after = Directive.objects.get(pk=numbered_remote.pk)
    assert after.status == Directive.Status.APPROVED and not RemoteSignature.objects.exists()


@pytest.fixture
def english():
    """The msgids; the pages' Vietnamese is checked above."""
    with translation.override("en"):
        yield


def test_the_moves_of_a_remote_signer(agency, numbered_remote, english):
    signer, letter = agency.signer, numbered_remote
    with pytest.raises(PermissionDeniedError, match="remote signing service"):
        services.directive_sign(directive=letter, by=signer, pin="123456")
    with pytest.raises(PermissionDeniedError, match="No remote signature"):
        services.directive_remote_sign_finish(directive=letter, by=signer, pin="123456")
    with pytest.raises(PermissionDeniedError, match="Only the signer who approved"):
        services.directive_remote_sign_begin(directive=letter, by=agency.clerk)
    services.directive_remote_sign_begin(directive=letter, by=signer)
    with pytest.raises(PermissionDeniedError, match="already awaits"):
        services.directive_remote_sign_begin(directive=letter, by=signer)
    with pytest.raises(PermissionDeniedError, match="Only the signer who approved"):
        services.directive_remote_sign_cancel(directive=letter, by=agency.clerk)
