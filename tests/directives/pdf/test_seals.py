"""The agency's signature on attachments (Phụ lục I, II.8b) and long-term validity (B-LT)."""

from __future__ import annotations

import asyncio
import datetime
import io
from io import BytesIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from asn1crypto import cms
from cryptography import x509
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_detached_cms, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from weasyprint import HTML

from directives.documents.revocation import crl_publish, dss_of, long_term_context
from directives.documents.signing import signing_key_for
from directives.models import Attachment, AttachmentSeal, Dispatch, Event
from directives.services.signing import directive_render_and_sign
from recipients import roles
from tests.directives.pdf.conftest import find_line, open_pdf
from tests.factories import UnitFactory, UserFactory

DOCX = b"PK\x03\x04 a word document, as far as the seal cares"


def _attach(directive, name: str, content: bytes, content_type: str) -> Attachment:
    return Attachment.objects.create(
        directive=directive,
        file=SimpleUploadedFile(name, content, content_type=content_type),
        name=name,
        content_type=content_type,
        size=len(content),
        sha256="0" * 64,
    )


@pytest.fixture
def letter_with_attachments(sample_letter, signing_configured):
    pdf = HTML(string="<h1>Phụ lục I</h1><p>Danh sách đơn vị</p>").write_pdf()
    _attach(sample_letter, "phu-luc.pdf", pdf, "application/pdf")
    _attach(sample_letter, "bieu-mau.docx", DOCX, "application/octet-stream")
    assert directive_render_and_sign(directive_id=sample_letter.pk) is True
    sample_letter.refresh_from_db()
    return sample_letter


def _read(stored) -> bytes:
    with stored.open("rb") as handle:
        return handle.read()


def _roots(pki):
    return [load_cert_from_pemder(str(pki.ca_pem))]


def _flattened_first_page(data: bytes):
    """Page 1 as a viewer prints it: PDFium flattens the widget appearances into the page."""
    document = pdfium.PdfDocument(data)
    page = document[0]  # kept alive until saved: PDFium frees a closed page's objects
    pdfium_raw.FPDFPage_Flatten(page.raw, pdfium_raw.FLAT_PRINT)
    out = io.BytesIO()
    document.save(out)
    page.close()
    return open_pdf(out.getvalue()).pages[0]


def test_pdf_attachment_is_signed_with_the_text_stamp(letter_with_attachments, trusted_pki):
    item = letter_with_attachments.attachments.get(name="phu-luc.pdf")
    seal = item.seal
    assert seal.kind == AttachmentSeal.Kind.PADES
    data = _read(seal.file)
    [sig] = PdfFileReader(BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(
        sig, ValidationContext(trust_roots=_roots(trusted_pki), allow_fetching=False)
    )
    assert status.intact and status.valid and status.trusted
    # The widget's appearance is in the signature's own revision: the signature covers it.
    assert sig.signed_revision == 1
    page = _flattened_first_page(data)
    number = find_line(page, "Số: 1038/STTTT-TTBCXB")
    when = seal.signed_at.astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    time_line = find_line(page, f"Thời gian ký: {when.isoformat()}")
    for line in (number, time_line):
        assert line["x0"] > page.width / 2 and line["bottom"] < page.height / 6  # top right
        chars = [c for c in line["chars"] if c["text"].strip()]
        assert {round(c["size"], 1) for c in chars} == {10.0}
        assert {tuple(c["non_stroking_color"]) for c in chars} == {(0.0, 0.0, 0.0)}
        assert all(c["upright"] for c in chars)
        assert all("LiberationSerif" in c["fontname"] for c in chars)
        assert not any("Bold" in c["fontname"] or "Italic" in c["fontname"] for c in chars)
    assert not page.images
    event = Event.objects.get(directive=letter_with_attachments, verb="attachments_sealed")
    assert {f["kind"] for f in event.data["files"]} == {"pades", "cades"}


def test_other_file_gets_a_detached_cades_signature(letter_with_attachments, trusted_pki):
    item = letter_with_attachments.attachments.get(name="bieu-mau.docx")
    assert item.seal.kind == AttachmentSeal.Kind.CADES and item.seal.name.endswith(".docx.p7s")
    signed_data = cms.ContentInfo.load(_read(item.seal.file))["content"]
    context = ValidationContext(trust_roots=_roots(trusted_pki), allow_fetching=False)
    status = asyncio.run(async_validate_detached_cms(DOCX, signed_data, context))
    assert status.intact and status.valid and status.trusted
    tampered = asyncio.run(async_validate_detached_cms(DOCX + b"!", signed_data, context))
    assert not tampered.intact


def test_sealing_is_done_once(letter_with_attachments):
    assert directive_render_and_sign(directive_id=letter_with_attachments.pk) is True
    assert AttachmentSeal.objects.filter(attachment__directive=letter_with_attachments).count() == 2
    assert Event.objects.filter(verb="attachments_sealed").count() == 1


def test_unit_downloads_the_sealed_versions_and_others_get_404(client, letter_with_attachments):
    receiving = UnitFactory(code="UBNDCP", name="UBND huyện Chư Păh")
    other = UnitFactory(code="UBNDIA", name="UBND huyện Ia Grai")
    dispatch = Dispatch.objects.create(directive=letter_with_attachments, unit=receiving)
    officer = UserFactory(unit=receiving, roles=[roles.UNIT_OFFICER])
    stranger = UserFactory(unit=other, roles=[roles.UNIT_OFFICER])
    pdf_item = letter_with_attachments.attachments.get(name="phu-luc.pdf")
    docx_item = letter_with_attachments.attachments.get(name="bieu-mau.docx")
    urls = [
        reverse("directives:attachment_file", args=[pdf_item.pk]),
        reverse("directives:attachment_file", args=[docx_item.pk]),
        reverse("directives:attachment_signature", args=[docx_item.pk]),
    ]
    client.force_login(stranger)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(officer)
    got = [b"".join(client.get(url).streaming_content) for url in urls]
    assert got == [_read(pdf_item.seal.file), DOCX, _read(docx_item.seal.file)]
    # A PDF has no .p7s: its signature is inside.
    signature_of_pdf = reverse("directives:attachment_signature", args=[pdf_item.pk])
    assert client.get(signature_of_pdf).status_code == 404
    page = client.get(reverse("directives:inbox_detail", args=[dispatch.pk])).content.decode()
    assert urls[2] in page and "bieu-mau.docx.p7s" in page


def test_delivery_email_links_the_sealed_files(letter_with_attachments):
    from directives.services.seals import attachment_links

    names = [name for name, _ in attachment_links(letter_with_attachments)]
    assert names == ["phu-luc.pdf", "bieu-mau.docx", "bieu-mau.docx.p7s"]


# Long-term validity: PAdES B-LT with the development CA's CRL.


@pytest.fixture
def signed_letter(sample_letter, signing_configured):
    assert directive_render_and_sign(directive_id=sample_letter.pk) is True
    sample_letter.refresh_from_db()
    return sample_letter


def _signature(directive):
    data = _read(directive.pdf)
    return data, PdfFileReader(BytesIO(data)).embedded_signatures[0]


def test_letter_carries_a_dss_with_the_crl(signed_letter, trusted_pki):
    data, _ = _signature(signed_letter)
    dss = dss_of(data)
    assert dss is not None and dss.crls
    crl = x509.load_der_x509_crl((trusted_pki.directory / "ca.crl").read_bytes())
    embedded = {ref.get_object().data for ref in dss.crls}
    assert crl.public_bytes(encoding=_der()) in embedded
    cert = signing_key_for("X").signer.signing_cert
    points = cert.crl_distribution_points[0]["distribution_point"].native
    assert points[0].endswith("/pki/dev-ca.crl")


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_letter_verifies_after_the_certificate_expired_from_its_own_dss(signed_letter, trusted_pki):
    data, sig = _signature(signed_letter)
    cert = sig.signer_cert
    later = cert["tbs_certificate"]["validity"]["not_after"].native + datetime.timedelta(days=30)
    # Checked as of today years later, the certificate has simply expired.
    naive = validate_pdf_signature(
        sig, ValidationContext(trust_roots=_roots(trusted_pki), moment=later, crls=[])
    )
    assert not naive.trusted
    # Checked as of its signing time from the revocation data the PDF carries, no fetching and
    # revocation data required: still trusted, and not revoked.
    at = signed_letter.signed_at
    context = long_term_context(data, trust_roots=_roots(trusted_pki), at=at)
    status = validate_pdf_signature(sig, context)
    assert status.intact and status.valid and status.trusted and not status.revoked
    # Without the /DSS the same check finds no revocation data.
    bare = ValidationContext(
        trust_roots=_roots(trusted_pki), moment=at, crls=[], revocation_mode="require"
    )
    assert not validate_pdf_signature(sig, bare).trusted


def test_certificate_revoked_before_signing_is_reported_revoked(sample_letter, settings, tmp_path):
    from directives.documents.pki import pki_create

    pki = pki_create(directory=tmp_path / "pki", organisation="Sở TT&TT", password="pw")
    settings.DEBUG = False
    settings.SIGNING_P12 = str(pki.org_p12)
    settings.SIGNING_P12_PASSWORD = pki.password
    settings.SIGNING_P12_DIR = ""
    settings.SIGNING_TRUST_ROOTS = [str(pki.ca_pem)]
    settings.SIGNING_TSA_URL = ""
    assert directive_render_and_sign(directive_id=sample_letter.pk) is True
    sample_letter.refresh_from_db()
    data, sig = _signature(sample_letter)
    serial = sig.signer_cert.serial_number
    revoked_at = sample_letter.signed_at - datetime.timedelta(minutes=30)
    crl_path = crl_publish(pki.directory, pki.password, revoke=(serial, revoked_at))
    from asn1crypto import crl as asn1_crl

    crl = asn1_crl.CertificateList.load(crl_path.read_bytes())
    context = ValidationContext(
        trust_roots=_roots(pki),
        crls=[crl],
        allow_fetching=False,
        moment=sample_letter.signed_at + datetime.timedelta(minutes=5),
        revocation_mode="hard-fail",
        retroactive_revinfo=True,
    )
    status = validate_pdf_signature(sig, context)
    assert status.intact and status.revoked and not status.trusted


def test_dev_ca_crl_is_published_at_its_distribution_point(client, settings, tmp_path):
    settings.DEBUG = True
    settings.DEV_PKI_DIR = tmp_path / "pki"
    response = client.get("/pki/dev-ca.crl")
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    x509.load_der_x509_crl(response.content)
    settings.DEBUG = False
    assert client.get("/pki/dev-ca.crl").status_code == 404
