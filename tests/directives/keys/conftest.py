"""Keys on tokens and at a remote service: a SoftHSM2 token in a tmp folder holding the agency's
key and two signers' keys from a development CA, a letter PDF to sign, and pyHanko's verdict."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from directives.documents.pdf import document_to_pdf, html_to_document
from directives.documents.pki import PkiFiles, issue_certificate, pki_create
from tests.conftest import need_service

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "STTTT-TOKEN"
USER_PIN = "246810"
SO_PIN = "13579111"
AGENCY = "Sở Thông tin và Truyền thông Gia Lai"
# label on the token -> (common name, organisation)
KEYS = {
    "agency": (AGENCY, AGENCY),
    "lanhdao": ("Lê Thị Thu Hương", AGENCY),
    "phogiamdoc": ("Nguyễn Văn Minh", AGENCY),
}


@dataclass(frozen=True)
class DevToken:
    module: str
    label: str
    pin: str
    pki: PkiFiles
    serials: dict[str, int]


@pytest.fixture(scope="session")
def dev_ca(tmp_path_factory) -> PkiFiles:
    return pki_create(
        directory=tmp_path_factory.mktemp("keys-pki"), organisation=AGENCY, password="ca-pass"
    )


def _import_key(session, *, label: str, ident: bytes, key, cert) -> None:
    from pkcs11 import Attribute
    from pkcs11.util.rsa import decode_rsa_private_key

    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    attrs = decode_rsa_private_key(der_key)
    attrs.update(
        {
            Attribute.TOKEN: True,
            Attribute.PRIVATE: True,
            Attribute.SENSITIVE: True,
            Attribute.SIGN: True,
            Attribute.LABEL: label,
            Attribute.ID: ident,
        }
    )
    session.create_object(attrs)
    _import_cert(session, label=label, ident=ident, cert=cert)


def _import_cert(session, *, label: str, ident: bytes, cert) -> None:
    from pkcs11 import Attribute, CertificateType, ObjectClass
    from pkcs11.util.x509 import decode_x509_certificate

    attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
    attrs.update(
        {
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True,
            Attribute.LABEL: label,
            Attribute.ID: ident,
        }
    )
    session.create_object(attrs)


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory, dev_ca) -> DevToken:
    """One SoftHSM2 token (its folder under tmp) with the agency's key and two signers' keys,
    each with its certificate, and the CA certificate; SOFTHSM2_CONF points at it."""
    util = shutil.which("softhsm2-util")
    need_service("SoftHSM2 (Debian package softhsm2)", bool(util) and Path(SOFTHSM_MODULE).exists())
    import pkcs11
    from cryptography import x509

    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            util,
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--pin",
            USER_PIN,
            "--so-pin",
            SO_PIN,
        ],
        check=True,
        capture_output=True,
    )
    lib = pkcs11.lib(SOFTHSM_MODULE)
    lib.reinitialize()  # see the token initialised by softhsm2-util, whatever was loaded before
    token = lib.get_token(token_label=TOKEN_LABEL)
    serials = {}
    with token.open(rw=True, user_pin=USER_PIN) as session:
        for number, (label, (name, organisation)) in enumerate(KEYS.items(), start=1):
            key, cert = issue_certificate(dev_ca, common_name=name, organisation=organisation)
            _import_key(session, label=label, ident=bytes([number]), key=key, cert=cert)
            serials[label] = cert.serial_number
        ca = x509.load_pem_x509_certificate(dev_ca.ca_pem.read_bytes())
        _import_cert(session, label="ca", ident=b"\xca", cert=ca)
    yield DevToken(
        module=SOFTHSM_MODULE, label=TOKEN_LABEL, pin=USER_PIN, pki=dev_ca, serials=serials
    )
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


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
