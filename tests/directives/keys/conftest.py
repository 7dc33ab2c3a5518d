"""Keys on tokens and at a remote service: a SoftHSM2 token in a tmp folder holding the agency's
key and two signers' keys from a development CA, a letter PDF to sign, and pyHanko's verdict."""

from __future__ import annotations

from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from directives.documents.pdf import document_to_pdf, html_to_document
from directives.documents.pki import PkiFiles, issue_certificate, pki_create
from tests.conftest import need_service
from tests.directives.keys.token import (
    AGENCY,
    KEYS,
    SOFTHSM_MODULE,
    TOKEN_LABEL,
    USER_PIN,
    DevToken,
    softhsm_available,
    softhsm_token_at,
)

__all__ = ["AGENCY", "KEYS", "SOFTHSM_MODULE", "TOKEN_LABEL", "USER_PIN", "DevToken"]


@pytest.fixture(scope="session")
def dev_ca(tmp_path_factory) -> PkiFiles:
    return pki_create(
        directory=tmp_path_factory.mktemp("keys-pki"), organisation=AGENCY, password="ca-pass"
    )


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory, dev_ca) -> DevToken:
    """One SoftHSM2 token (its folder under tmp) with the agency's key and two signers' keys,
    each with its certificate, and the CA certificate; SOFTHSM2_CONF points at it
    (directives/documents/keys/devtoken.py)."""
    need_service("SoftHSM2 (Debian package softhsm2)", softhsm_available())
    with softhsm_token_at(tmp_path_factory.mktemp("softhsm"), dev_ca) as token:
        yield token


@pytest.fixture(scope="session")
def letter_pdf() -> bytes:
    html = (
        "<html><body><p>ỦY BAN NHÂN DÂN TỈNH GIA LAI</p><p>Số: 12/STTTT-TTBCXB</p>"
        "<p>V/v tăng cường quản lý thông tin trên mạng</p></body></html>"
    )
    return document_to_pdf(html_to_document(html))


def validate_signatures(pdf: bytes, *, ca: PkiFiles) -> list:
    """pyHanko's verdict on each signature, trusting only `ca`."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    _, _, der = pem.unarmor(ca.ca_pem.read_bytes())
    root = asn1_x509.Certificate.load(der)
    reader = PdfFileReader(BytesIO(pdf))
    return [
        validate_pdf_signature(sig, signer_validation_context=ValidationContext(trust_roots=[root]))
        for sig in reader.embedded_signatures
    ]


@pytest.fixture(scope="session")
def csc_service(dev_ca):
    """A local CSC API service signing with a signer's key from the development CA."""
    from cryptography import x509

    from tests.directives.keys.csc_server import CscService, serve

    key, cert = issue_certificate(dev_ca, common_name="Lê Thị Thu Hương", organisation=AGENCY)
    ca = x509.load_pem_x509_certificate(dev_ca.ca_pem.read_bytes())
    service = CscService(key=key, chain=[cert, ca])
    server, thread = serve(service)
    yield service
    server.shutdown()
    thread.join(5)
