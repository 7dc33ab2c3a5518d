"""PAdES levels as the pages show them: B-B, B-T (a signature timestamp token), B-LT (revocation
data in the document's DSS), and a certificate revoked in that embedded CRL."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from directives.documents.pdf import render_directive_pdf_bytes
from directives.documents.verification import verify_pdf_bytes
from tests.directives.pdf.second_keys import (
    ca_certificate,
    ca_crl,
    personal_signer,
    sign_as_person,
    timestamper,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unsigned(sample_letter, signing_configured) -> bytes:
    return render_directive_pdf_bytes(sample_letter, draft=False)


def with_dss(data: bytes, pki, crl) -> bytes:
    """The CRL and the CA's certificate in the DSS, tied to the last signature's VRI entry."""
    reader = PdfFileReader(BytesIO(data))
    sig = reader.embedded_regular_signatures[-1]
    writer = IncrementalPdfFileWriter(BytesIO(data))
    DocumentSecurityStore.supply_dss_in_writer(
        writer,
        sig.pkcs7_content.hex().encode("ascii"),
        certs=[ca_certificate(pki)],
        crls=[crl],
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_timestamp_token_is_b_t_and_embedded_revocation_data_is_b_lt(
    client, unsigned, signing_configured
):
    plain = verify_pdf_bytes(sign_as_person(unsigned, personal_signer(signing_configured)))
    assert plain.signatures[0].level == "B-B"

    stamped = sign_as_person(
        unsigned, personal_signer(signing_configured), stamper=timestamper(signing_configured)
    )
    [sig] = verify_pdf_bytes(stamped).signatures
    assert sig.level == "B-T" and sig.timestamp_ok and sig.timestamped_at and sig.ok

    long_term = with_dss(stamped, signing_configured, ca_crl(signing_configured))
    [sig] = verify_pdf_bytes(long_term).signatures
    assert sig.level == "B-LT" and sig.revocation_embedded and sig.ok
    html = client.post(
        reverse("directives:verify"),
        {"pdf": SimpleUploadedFile("letter.pdf", long_term, "application/pdf")},
    ).content.decode()
    assert 'data-check="level" data-result="B-LT"' in html
    assert "dấu thời gian" in html


def test_a_certificate_revoked_in_the_embedded_crl_is_not_trusted(unsigned, signing_configured):
    signer = personal_signer(signing_configured)
    signed = sign_as_person(unsigned, signer, stamper=timestamper(signing_configured))
    revoked = with_dss(
        signed, signing_configured, ca_crl(signing_configured, [signer.signing_cert.serial_number])
    )
    [sig] = verify_pdf_bytes(revoked).signatures
    assert sig.intact and not sig.trusted and not sig.ok
