"""Verification on receipt: each signature of the issued PDF, checked from its bytes, on the unit's
letter page, the clerk's page and /verify/; the two signatures Nghị định 30/2020 (Điều 5) wants."""

from __future__ import annotations

import datetime

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from directives.documents import signature_check
from directives.documents.pdf import render_directive_pdf_bytes
from directives.documents.pki import PkiFiles
from directives.documents.signature_check import AGENCY, PERSONAL, certificate_kind
from directives.documents.signing import sign_pdf_bytes, signing_key_for
from directives.documents.verification import verify_pdf_bytes
from directives.models import Directive, Dispatch
from directives.selectors.signatures import directive_pdf_signatures
from directives.services.signing import directive_render_and_sign
from recipients import roles
from tests.directives.pdf.second_keys import personal_signer, sign_as_person, x509_name
from tests.factories import UnitFactory, UserFactory

MISSING_PERSON = "Thiếu chữ ký của người có thẩm quyền"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(sample_letter, signing_configured) -> Directive:
    """The sample letter issued as the portal does today: the agency's signature only."""
    assert directive_render_and_sign(directive_id=sample_letter.pk) is True
    sample_letter.refresh_from_db()
    return sample_letter


def pdf_bytes(directive: Directive) -> bytes:
    with directive.pdf.open("rb") as handle:
        return handle.read()


def two_signature_letter(directive: Directive, pki: PkiFiles) -> bytes:
    """The decree's order: the competent person signs the numbered letter, the agency last."""
    unsigned = render_directive_pdf_bytes(directive, draft=False)
    by_person = sign_as_person(unsigned, personal_signer(pki))
    key = signing_key_for(directive.issuing_unit.code)
    return sign_pdf_bytes(
        by_person, key=key, signed_at=timezone.now().replace(microsecond=0), box=None
    )


def store_as_issued(directive: Directive, data: bytes) -> None:
    import hashlib

    directive.pdf.save("two-signatures.pdf", ContentFile(data), save=False)
    directive.pdf_sha256 = hashlib.sha256(data).hexdigest()
    directive.save(update_fields=["pdf", "pdf_sha256"])


def upload(client, data: bytes) -> str:
    response = client.post(
        reverse("directives:verify"),
        {"pdf": SimpleUploadedFile("letter.pdf", data, "application/pdf")},
    )
    assert response.status_code == 200
    return response.content.decode()


def three_pages(client, directive: Directive) -> dict[str, str]:
    """The unit's letter page, the clerk's page and /verify/ with the issued file."""
    unit = UnitFactory(code="UBNDCP", name="UBND huyện Chư Păh")
    dispatch = Dispatch.objects.create(directive=directive, unit=unit)
    officer = UserFactory(unit=unit, roles=[roles.UNIT_OFFICER])
    clerk = UserFactory(unit=directive.issuing_unit, roles=[roles.CLERK])
    pages = {}
    client.force_login(officer)
    pages["unit"] = client.get(reverse("directives:inbox_detail", args=[dispatch.pk]))
    client.force_login(clerk)
    pages["clerk"] = client.get(reverse("directives:detail", args=[directive.pk]))
    client.logout()
    html = {name: response.content.decode() for name, response in pages.items()}
    assert all(response.status_code == 200 for response in pages.values())
    html["verify"] = upload(client, pdf_bytes(directive))
    return html


def test_issued_letter_shows_its_signature_on_the_three_pages(client, issued):
    signed_at = issued.signed_at.astimezone(signature_check.VN_TZ)
    report = directive_pdf_signatures(issued)
    [sig] = report.signatures
    assert sig.kind == AGENCY and sig.level == "B-B" and sig.ok
    for name, html in three_pages(client, issued).items():
        assert 'data-check="signature" data-result="ok"' in html, name
        assert 'data-kind="agency"' in html and "Chữ ký số của cơ quan, tổ chức" in html
        assert '<div data-field="signer">Sở Thông tin và Truyền thông Gia Lai</div>' in html
        assert f'data-field="serial">{sig.serial}<' in html
        assert 'data-field="issuer">Portal development CA, Sở Thông tin và Truyền thông' in html
        assert f'data-value="{signed_at.isoformat()}"' in html and "+07:00" in html
        assert signed_at.strftime("%H:%M:%S %d/%m/%Y") + " (GMT+7)" in html
        assert 'data-check="intact" data-result="yes"' in html
        assert 'data-check="trusted" data-result="yes"' in html
        assert 'data-check="level" data-result="B-B"' in html
        # Today's letters carry the agency's signature only: plainly not valid.
        assert 'data-check="verdict" data-result="invalid"' in html, name
        assert MISSING_PERSON in html


def test_one_changed_byte_is_not_intact_and_not_valid(client, issued):
    data = bytearray(pdf_bytes(issued))
    data[data.index(b"stream") + 20] ^= 0x01
    report = verify_pdf_bytes(bytes(data))
    assert not report.valid and not report.signatures[0].intact
    html = upload(client, bytes(data))
    assert 'data-check="intact" data-result="no"' in html
    assert "Không toàn vẹn" in html
    assert 'data-check="verdict" data-result="invalid"' in html


def test_signed_by_an_untrusted_ca_is_not_trusted(
    client, sample_letter, signing_configured, other_pki, settings
):
    settings.SIGNING_P12 = str(other_pki.org_p12)
    settings.SIGNING_P12_PASSWORD = other_pki.password
    assert directive_render_and_sign(directive_id=sample_letter.pk)
    sample_letter.refresh_from_db()
    for name, html in three_pages(client, sample_letter).items():
        assert 'data-check="trusted" data-result="no"' in html, name
        assert 'data-check="intact" data-result="yes"' in html
        assert "Không tin cậy" in html
        assert 'data-check="verdict" data-result="invalid"' in html


def test_two_signatures_in_the_decrees_order_are_listed_and_valid(
    client, sample_letter, signing_configured
):
    Directive.objects.filter(pk=sample_letter.pk).update(
        pdf_status=Directive.PdfStatus.READY, status=Directive.Status.ISSUED
    )
    sample_letter.refresh_from_db()
    store_as_issued(sample_letter, two_signature_letter(sample_letter, signing_configured))
    report = directive_pdf_signatures(sample_letter)
    person, agency = report.signatures
    assert (person.kind, agency.kind) == (PERSONAL, AGENCY)
    assert person.signer == "Lê Thị Thu Hương" and person.ok and agency.ok
    assert person.later_changes_allowed and not person.covers_whole_file
    assert agency.covers_whole_file
    assert report.valid and report.problems == []
    for name, html in three_pages(client, sample_letter).items():
        assert html.count('data-check="signature" data-result="ok"') == 2, name
        assert html.index('data-kind="personal"') < html.index('data-kind="agency"')
        assert "Chữ ký số của người có thẩm quyền" in html
        assert 'data-check="coverage" data-result="later-signatures"' in html
        assert 'data-check="verdict" data-result="valid"' in html
        assert MISSING_PERSON not in html


def test_a_second_signature_added_after_the_agencys_is_listed_but_out_of_order(issued):
    """Signing the issued file a second time, incrementally, with a second key."""
    data = sign_as_person(pdf_bytes(issued), personal_signer(signing_key_pki(issued)))
    report = verify_pdf_bytes(data)
    agency, person = report.signatures
    assert agency.ok and agency.later_changes_allowed and person.ok
    assert not report.valid
    assert report.problems == [
        "Chữ ký số của cơ quan, tổ chức phải là chữ ký sau cùng, trên văn bản hoàn chỉnh."
    ]


def signing_key_pki(directive: Directive) -> PkiFiles:
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.SIGNING_P12)
    return PkiFiles(
        directory=path.parent,
        ca_pem=path.parent / "ca.pem",
        ca_key=path.parent / "ca-key.pem",
        org_p12=path,
        password=settings.SIGNING_P12_PASSWORD,
    )


def test_only_the_agencys_signature_is_flagged_as_missing_the_persons(issued):
    report = verify_pdf_bytes(pdf_bytes(issued))
    assert report.signature_ok and report.issued_here  # sound, but not enough
    assert not report.valid
    assert report.problems == ["Thiếu chữ ký của người có thẩm quyền."]


def test_the_check_is_cached_by_the_pdf_hash(client, issued, monkeypatch):
    first = directive_pdf_signatures(issued)

    def no_second_validation(*args, **kwargs):
        raise AssertionError("validated again")

    monkeypatch.setattr(signature_check, "validate_pdf_signature", no_second_validation)
    again = directive_pdf_signatures(issued)
    assert again.signatures == first.signatures
    html = upload(client, pdf_bytes(issued))  # the same bytes uploaded: the same entry
    assert 'data-check="signature" data-result="ok"' in html


def test_the_check_is_shared_through_the_redis_cache_url_names(issued, redis_url, settings):
    """CACHE_URL=redis://...: a check made by one process is read by every other (a second
    connection here), instead of each process validating the same PDF again."""
    import uuid

    import environ
    import redis

    url = redis_url.rsplit("/", 1)[0] + "/14"
    prefix = f"test-{uuid.uuid4().hex}"
    saved = settings.CACHES
    settings.CACHES = {"default": {**environ.Env.cache_url_config(url), "KEY_PREFIX": prefix}}
    other_process = redis.Redis.from_url(url)
    try:
        first = directive_pdf_signatures(issued)
        [stored] = other_process.keys(f"{prefix}:*pdf-signatures*{issued.pdf_sha256}")
        assert other_process.ttl(stored) > 3600
        assert directive_pdf_signatures(issued).signatures == first.signatures
    finally:
        for key in other_process.scan_iter(f"{prefix}:*"):
            other_process.delete(key)
        settings.CACHES = saved  # before the module's fixture clears "the" cache


@pytest.fixture(scope="module")
def throwaway_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    ("attributes", "kind"),
    [
        ([(NameOID.ORGANIZATION_NAME, "Sở TT&TT"), (NameOID.COMMON_NAME, "Sở TT&TT")], AGENCY),
        ([(NameOID.ORGANIZATION_NAME, "Sở TT&TT")], AGENCY),
        ([(NameOID.ORGANIZATION_NAME, "Sở TT&TT"), (NameOID.COMMON_NAME, "Lê Văn A")], PERSONAL),
        ([(NameOID.COMMON_NAME, "Lê Văn A")], PERSONAL),
        ([(NameOID.COMMON_NAME, "Sở TT&TT"), (NameOID.USER_ID, "CCCD:064000000001")], PERSONAL),
        ([(NameOID.COMMON_NAME, "Nguyễn Văn B"), (NameOID.USER_ID, "MST:5900181213")], AGENCY),
        ([(NameOID.COMMON_NAME, "Sở TT&TT"), (NameOID.SURNAME, "Lê")], PERSONAL),
        (
            [
                (NameOID.ORGANIZATION_NAME, "UBND tỉnh Gia Lai"),
                (NameOID.ORGANIZATIONAL_UNIT_NAME, "Văn phòng"),
                (NameOID.COMMON_NAME, "văn  phòng"),
            ],
            AGENCY,
        ),
    ],
)
def test_personal_or_agency_certificate(attributes, kind, throwaway_key):
    key = throwaway_key
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509_name(*attributes))
        .issuer_name(x509_name((NameOID.COMMON_NAME, "CA")))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    loaded = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    assert certificate_kind(loaded) == kind
