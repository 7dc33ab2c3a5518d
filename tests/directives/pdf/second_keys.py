"""More development keys for the verification tests: a competent person's certificate and a
timestamp authority from the test CA, a CRL of that CA, and a second, incremental signature."""

from __future__ import annotations

import datetime
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator.registry import SimpleCertificateStore

from directives.documents.pki import PkiFiles

DER = serialization.Encoding.DER
CRL_URL = "http://ca.invalid/test.crl"  # never fetched: the CRL travels in the DSS


def x509_name(*attributes) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _ca(pki: PkiFiles):
    cert = x509.load_pem_x509_certificate(pki.ca_pem.read_bytes())
    key = serialization.load_pem_private_key(
        pki.ca_key.read_bytes(), password=pki.password.encode()
    )
    return cert, key


def issue(pki: PkiFiles, subject: x509.Name, *, time_stamping: bool = False):
    """A leaf certificate and its key from the PKI's CA (asn1crypto objects, as pyHanko wants)."""
    ca_cert, ca_key = _ca(pki)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(CRL_URL)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    )
    if time_stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    private = key.private_bytes(
        DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (
        asn1_x509.Certificate.load(cert.public_bytes(DER)),
        asn1_keys.PrivateKeyInfo.load(private),
    )


def ca_certificate(pki: PkiFiles) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(_ca(pki)[0].public_bytes(DER))


def personal_signer(pki: PkiFiles, name: str = "Lê Thị Thu Hương") -> signers.SimpleSigner:
    """A second development key: the competent person's certificate from the same CA (their
    name as common name, the agency as organisation)."""
    cert, key = issue(
        pki,
        x509_name(
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.ORGANIZATION_NAME, "Sở Thông tin và Truyền thông Gia Lai"),
            (NameOID.TITLE, "Phó Giám đốc"),
            (NameOID.COMMON_NAME, name),
        ),
    )
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([ca_certificate(pki)]),
    )


def timestamper(pki: PkiFiles) -> timestamps.TimeStamper:
    """An in-process timestamp authority certified by the PKI's CA."""
    cert, key = issue(pki, x509_name((NameOID.COMMON_NAME, "Test TSA")), time_stamping=True)
    return timestamps.DummyTimeStamper(
        tsa_cert=cert, tsa_key=key, certs_to_embed=[ca_certificate(pki)]
    )


def ca_crl(pki: PkiFiles, revoked: list[int] = ()) -> asn1_crl.CertificateList:
    """The CA's CRL, listing the `revoked` serial numbers."""
    ca_cert, ca_key = _ca(pki)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + datetime.timedelta(days=7))
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - datetime.timedelta(minutes=1))
            .build()
        )
    return asn1_crl.CertificateList.load(builder.sign(ca_key, hashes.SHA256()).public_bytes(DER))


def sign_as_person(
    pdf: bytes,
    signer: signers.SimpleSigner,
    *,
    stamper: timestamps.TimeStamper | None = None,
    field_name: str = "NguoiKy",
) -> bytes:
    """An incremental PAdES signature in a field of its own, as pyHanko makes it."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = BytesIO()
    signers.PdfSigner(meta, signer, timestamper=stamper).sign_pdf(writer, output=out)
    return out.getvalue()
