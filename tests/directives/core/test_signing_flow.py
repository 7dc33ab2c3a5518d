"""The signing flow through the pages and the services: the clerk numbers the approved letter,
the signer signs it with their own key, the clerk seals and issues it; every failure of the
signer's key leaves everything as it was; an abandoned numbering gives its number back or
leaves it cancelled in the register."""

from __future__ import annotations

import datetime
from io import BytesIO
from pathlib import Path

import pytest
from cryptography import x509
from django.contrib.messages import get_messages
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from directives import services
from directives.documents.revocation import crl_publish
from directives.documents.verification import _certs_from_file
from directives.errors import PermissionDeniedError, SignerKeyError, TransitionError
from directives.models import CancelledNumber, Directive, Event, Register
from directives.services.signing import directive_render_and_sign
from tests.signing_keys import PIN, signer_key_issue, throwaway_pki

pytestmark = pytest.mark.django_db


def press(client, user, name: str, directive: Directive, data=None):
    """Press the button and confirm its question, as the page asks."""
    client.force_login(user)
    response = client.post(
        reverse(f"directives:{name}", args=[directive.pk]), {"confirm": "1", **(data or {})}
    )
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def agency_key(settings):
    """The agency seals with the organisation key of the test CA that issued the signers'."""
    pki = throwaway_pki()
    settings.SIGNING_P12 = str(pki.org_p12)
    settings.SIGNING_P12_PASSWORD = pki.password
    settings.SIGNING_P12_DIR = ""
    settings.SIGNING_TSA_URL = ""
    return pki


def test_number_sign_seal_and_issue_through_the_pages(client, agency, agency_key):
    approved = agency.approved()
    signer_key_issue(agency.signer)

    response, _ = press(client, agency.clerk, "number", approved)
    numbered = Directive.objects.get(pk=approved.pk)
    assert response.status_code == 302 and numbered.status == Directive.Status.NUMBERED
    assert numbered.number_symbol == "01/STTTT-TTBCXB" and numbered.unsigned_pdf
    client.force_login(agency.signer)
    page = client.get(reverse("directives:detail", args=[approved.pk])).content.decode()
    assert 'data-testid="sign"' in page and 'name="pin"' in page
    assert 'data-testid="issue"' not in page

    press(client, agency.signer, "sign", approved, {"pin": PIN})
    signed = Directive.objects.get(pk=approved.pk)
    assert signed.status == Directive.Status.SIGNED and signed.signer_pdf
    assert read(signed.signer_pdf).startswith(read(signed.unsigned_pdf))

    press(client, agency.clerk, "issue", approved)
    issued = Directive.objects.get(pk=approved.pk)
    assert issued.status == Directive.Status.ISSUED and issued.dispatches.count() == 6
    assert directive_render_and_sign(directive_id=issued.pk) is True
    issued.refresh_from_db()
    final = read(issued.pdf)
    assert final.startswith(read(issued.signer_pdf)), "the seal is a later revision"

    context = ValidationContext(
        trust_roots=_certs_from_file(Path(agency_key.ca_pem)), allow_fetching=False
    )
    signatures = PdfFileReader(BytesIO(final)).embedded_signatures
    assert [s.field_name for s in signatures] == ["ChuKyNguoiKy", "ChuKySo"]
    for sig in signatures:
        status = validate_pdf_signature(sig, signer_validation_context=context)
        assert status.intact and status.valid and status.trusted, sig.field_name
    assert "Thu Hương" in signatures[0].signer_cert.subject.human_friendly
    verbs = list(issued.events.values_list("verb", flat=True))
    assert verbs[-4:] == ["numbered", "signed", "issued", "pdf_signed"]
    assert "123456" not in str(list(Event.objects.values_list("data", "comment")))


def test_the_issued_letter_reads_valid_at_verify_with_both_signatures(
    client, agency, agency_key, settings
):
    """Điều 5: the competent person's and the agency's signatures, both intact and trusted; the
    public /verify/ page says so from the file's own bytes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    approved = agency.approved()
    signer_key_issue(agency.signer)
    press(client, agency.clerk, "number", approved)
    press(client, agency.signer, "sign", approved, {"pin": PIN})
    press(client, agency.clerk, "issue", approved)
    assert directive_render_and_sign(directive_id=approved.pk) is True
    final = read(Directive.objects.get(pk=approved.pk).pdf)
    settings.SIGNING_TRUST_ROOTS = [str(agency_key.ca_pem)]
    client.logout()
    page = client.post(
        reverse("directives:verify"),
        {"pdf": SimpleUploadedFile("cv.pdf", final, "application/pdf")},
    ).content.decode()
    assert 'data-check="verdict" data-result="valid"' in page
    assert page.count('data-check="signature" data-result="ok"') == 2
    assert 'data-kind="personal"' in page.lower() and 'data-kind="agency"' in page.lower()
    tampered = bytearray(final)
    tampered[len(final) // 3] ^= 0x01  # one bit inside the signed bytes
    page = client.post(
        reverse("directives:verify"),
        {"pdf": SimpleUploadedFile("cv.pdf", bytes(tampered), "application/pdf")},
    ).content.decode()
    assert 'data-result="invalid"' in page


def _files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ("no_certificate", "chưa có chứng thư số"),
        ("wrong_pin", "Mã PIN không đúng"),
        ("expired", "hiện không còn hiệu lực (hiệu lực từ 01/01/2020 đến 31/12/2020)"),
        ("revoked", "đã bị tổ chức cung cấp dịch vụ chứng thực thu hồi"),
        ("token_missing", "Không truy cập được khóa ký số"),
    ],
)
def test_a_signing_failure_leaves_everything_as_it_was(client, agency, settings, failure, message):
    """The signer's plain PKCS#12 key (no key store) is checked like every other key: an
    expired certificate, or one its CA's CRL revokes, signs nothing."""
    numbered = agency.numbered()
    if failure != "no_certificate":
        past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        validity = (
            {"not_before": past, "not_after": past + datetime.timedelta(days=365)}
            if failure == "expired"
            else {}
        )
        files = signer_key_issue(agency.signer, **validity)
        if failure == "token_missing":
            files.p12.unlink()
        if failure == "revoked":
            pki = throwaway_pki()
            serial = x509.load_pem_x509_certificate(files.cert_pem.read_bytes()).serial_number
            now = datetime.datetime.now(datetime.UTC)
            settings.SIGNING_CRLS = [
                str(crl_publish(pki.directory, pki.password, revoke=(serial, now)))
            ]
    before = (Event.objects.count(), Register.objects.get().last_number, _files(settings))
    unsigned = read(numbered.unsigned_pdf)

    pin = "000000" if failure == "wrong_pin" else PIN
    response, messages = press(client, agency.signer, "sign", numbered, {"pin": pin})

    assert response.status_code == 302
    assert any(message in m for m in messages), messages
    numbered.refresh_from_db()
    assert numbered.status == Directive.Status.NUMBERED and not numbered.signer_pdf
    assert numbered.number == 1 and read(numbered.unsigned_pdf) == unsigned
    after = (Event.objects.count(), Register.objects.get().last_number, _files(settings))
    assert after == before


def test_only_the_approving_signer_signs_and_only_a_numbered_letter(agency, other_agency):
    numbered = agency.numbered()
    with pytest.raises(PermissionDeniedError):
        services.directive_sign(directive=numbered, by=agency.clerk, pin=PIN)
    with pytest.raises(TransitionError):
        services.directive_sign(directive=agency.approved(), by=agency.signer, pin=PIN)
    with pytest.raises(SignerKeyError):
        services.directive_sign(directive=numbered, by=agency.signer, pin=PIN)
    assert Directive.objects.get(pk=numbered.pk).status == Directive.Status.NUMBERED


def test_cancelling_the_last_number_gives_it_back(agency, django_capture_on_commit_callbacks):
    signed = agency.signed()
    names = [signed.unsigned_pdf.name, signed.signer_pdf.name]

    with pytest.raises(PermissionDeniedError):
        services.directive_number_cancel(directive=signed, by=agency.signer)
    with django_capture_on_commit_callbacks(execute=True):
        services.directive_number_cancel(directive=signed, by=agency.clerk)

    signed.refresh_from_db()
    assert (signed.status, signed.number, signed.symbol) == ("approved", None, "")
    assert not signed.unsigned_pdf and not signed.signer_pdf
    assert not any(signed.unsigned_pdf.storage.exists(n) for n in names)
    assert Register.objects.get().last_number == 0 and not CancelledNumber.objects.exists()
    event = signed.events.last()
    assert (event.verb, event.data["given_back"], event.comment) == (
        "numbering_cancelled",
        True,
        "01/STTTT-TTBCXB",
    )
    again = services.directive_number(directive=signed, by=agency.clerk)
    assert again.number == 1, "the number was given back"


def test_cancelling_an_earlier_number_records_it_cancelled_in_the_register(client, agency):
    first = agency.numbered()
    second = agency.numbered()
    services.directive_number_cancel(directive=first, by=agency.clerk)

    assert Register.objects.get().last_number == 2
    cancelled = CancelledNumber.objects.get()
    assert (cancelled.number, cancelled.symbol, cancelled.directive) == (
        1,
        "01/STTTT-TTBCXB",
        first,
    )
    third = services.directive_number(directive=first, by=agency.clerk)
    assert third.number == 3, "a cancelled number is never given again"
    services.directive_number_cancel(directive=third, by=agency.clerk)
    assert Register.objects.get().last_number == 2, "the last one goes back"
    assert second.number == 2

    client.force_login(agency.clerk)
    year = cancelled.year
    page = client.get(reverse("directives:register"), {"year": year}).content.decode()
    row = page.split('data-cancelled="1"')[1].split("</tr>")[0]
    assert "01/STTTT-TTBCXB" in row and "đã hủy" in row
    with pytest.raises(TransitionError):
        services.directive_number_cancel(directive=agency.issued(), by=agency.clerk)


def test_a_cancelled_number_cannot_be_claimed_by_a_paper_letter(agency):
    from directives.errors import NumberTakenError
    from directives.services.register import register_reserve

    first = agency.numbered()
    agency.numbered()
    services.directive_number_cancel(directive=first, by=agency.clerk)
    year = CancelledNumber.objects.get().year
    with pytest.raises(NumberTakenError):
        register_reserve(unit=agency.sttt, year=year, number=1)
