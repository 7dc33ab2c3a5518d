"""A development PKI: a CA, an organisation certificate and personal certificates of signers,
to sign letters with on a laptop.

Never used when DEBUG=False: production signs with the agency's own PKCS#12 (SIGNING_P12 or
SIGNING_P12_DIR) issued by a real CA, and verifies against SIGNING_TRUST_ROOTS.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from directives.documents.revocation import crl_distribution_point, crl_publish

DEV_P12_PASSWORD_DEFAULT = "dev-pki-password"  # noqa: S105 - a development key, never production


def dev_p12_password() -> str:
    return os.environ.get("DEV_PKI_PASSWORD", DEV_P12_PASSWORD_DEFAULT)


@dataclass(frozen=True)
class PkiFiles:
    directory: Path
    ca_pem: Path
    ca_key: Path
    org_p12: Path
    password: str


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Gia Lai"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _signing_certificate(
    *,
    ca_key,
    ca_subject: x509.Name,
    subject: x509.Name,
    public_key,
    start: datetime.datetime,
    end: datetime.datetime,
    crl: bool = False,
) -> x509.Certificate:
    """A leaf certificate for signing letters (non-repudiation), issued by the CA's key; with the
    CA's CRL distribution point when `crl` (PAdES B-LT revocation data)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: what a signature on a letter means
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
    )
    if crl:
        builder = builder.add_extension(crl_distribution_point(), False)
    return builder.sign(ca_key, hashes.SHA256())


def pki_create(
    *,
    directory: Path,
    organisation: str,
    password: str,
    ca_name: str = "Portal development CA",
    overwrite: bool = False,
) -> PkiFiles:
    """Write ca.pem, ca-key.pem and org.p12 (RSA 2048, SHA-256) under `directory`.

    Idempotent: existing files are kept unless `overwrite`. Tests call this directly to build a
    second, untrusted CA."""
    directory = Path(directory)
    files = PkiFiles(
        directory=directory,
        ca_pem=directory / "ca.pem",
        ca_key=directory / "ca-key.pem",
        org_p12=directory / "org.p12",
        password=password,
    )
    if not overwrite and files.ca_pem.exists() and files.org_p12.exists():
        return files
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_subject = _name(ca_name, organisation)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_subject)
        .issuer_name(ca_subject)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )

    org_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    org_cert = _signing_certificate(
        ca_key=ca_key,
        ca_subject=ca_subject,
        subject=_name(organisation, organisation),
        public_key=org_key.public_key(),
        start=now,
        end=now + datetime.timedelta(days=3 * 365),
        crl=True,  # seals: B-LT revocation data
    )

    files.ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.ca_key.write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    files.ca_key.chmod(0o600)
    files.org_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=organisation.encode(),
            key=org_key,
            cert=org_cert,
            cas=[ca_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        )
    )
    files.org_p12.chmod(0o600)
    crl_publish(directory, password)  # seals: the CA's CRL, ca.crl (revocation.py)
    return files


def dev_pki_ensure() -> PkiFiles:
    """The development PKI under settings.DEV_PKI_DIR, created when missing. DEBUG only."""
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "The development PKI is never used when DEBUG=False. Set SIGNING_P12 and "
            "SIGNING_P12_PASSWORD (or SIGNING_P12_DIR) to the agency's PKCS#12 key."
        )
    return pki_create(
        directory=Path(settings.DEV_PKI_DIR),
        organisation=getattr(settings, "PORTAL_AGENCY", "Sở Thông tin và Truyền thông Gia Lai"),
        password=dev_p12_password(),
    )


def dev_unit_p12(unit_code: str) -> Path:
    """Where the development PKI keeps the seal key of one more issuing unit."""
    return Path(settings.DEV_PKI_DIR) / "units" / f"{unit_code}.p12"


def dev_unit_certificate_issue(*, unit_code: str, organisation: str) -> Path:
    """The development CA's seal certificate for another issuing unit (a district's committee in
    the demo), so its letters carry its own name and not the Sở's. Kept when it exists; DEBUG
    only. `signing_key_for` finds it by the unit's code."""
    path = dev_unit_p12(unit_code)
    if path.is_file():
        return path
    pki = dev_pki_ensure()
    ca_cert = x509.load_pem_x509_certificate(pki.ca_pem.read_bytes())
    ca_key = serialization.load_pem_private_key(
        pki.ca_key.read_bytes(), password=pki.password.encode()
    )
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _signing_certificate(
        ca_key=ca_key,
        ca_subject=ca_cert.subject,
        subject=_name(organisation, organisation),
        public_key=key.public_key(),
        start=start,
        end=start + datetime.timedelta(days=3 * 365),
        crl=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=unit_code.encode(),
            key=key,
            cert=cert,
            cas=[ca_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(pki.password.encode()),
        )
    )
    path.chmod(0o600)
    return path


def issue_certificate(
    files: PkiFiles,
    *,
    common_name: str,
    organisation: str,
    days: int = 2 * 365,
    not_before: datetime.datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new key and a signing certificate (non-repudiation) from the CA of `files`: a signer's
    or another unit's, e.g. to put on a development token. `not_before` in the past and few
    `days` give an expired one (tests)."""
    ca_key = serialization.load_pem_private_key(
        files.ca_key.read_bytes(), password=files.password.encode()
    )
    ca_cert = x509.load_pem_x509_certificate(files.ca_pem.read_bytes())
    start = not_before or datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _signing_certificate(
        ca_key=ca_key,
        ca_subject=ca_cert.subject,
        subject=_name(common_name, organisation),
        public_key=key.public_key(),
        start=start,
        end=start + datetime.timedelta(days=days),
    )
    return key, cert


# --- Personal certificates of signers ----------------------------------------------------------


@dataclass(frozen=True)
class SignerFiles:
    p12: Path
    cert_pem: Path


def signer_files(directory: Path, username: str) -> SignerFiles:
    """Where a signer's key lives: <directory>/<username>.p12, its certificate next to it."""
    directory = Path(directory)
    return SignerFiles(p12=directory / f"{username}.p12", cert_pem=directory / f"{username}.pem")


def dev_signers_dir() -> Path:
    return Path(settings.DEV_PKI_DIR) / "signers"


def signer_certificate_issue(
    pki: PkiFiles,
    *,
    directory: Path,
    username: str,
    full_name: str,
    organisation: str,
    pin: str,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> SignerFiles:
    """A personal certificate for one signer, issued by the PKI's CA, in a PKCS#12 file whose
    password is the signer's PIN (what a USB token asks for). Overwrites an earlier one."""
    ca_cert = x509.load_pem_x509_certificate(pki.ca_pem.read_bytes())
    ca_key = serialization.load_pem_private_key(
        pki.ca_key.read_bytes(), password=pki.password.encode()
    )
    start = not_before or datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    end = not_after or start + datetime.timedelta(days=2 * 365)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _signing_certificate(
        ca_key=ca_key,
        ca_subject=ca_cert.subject,
        subject=_name(full_name or username, organisation),
        public_key=key.public_key(),
        start=start,
        end=end,
    )
    files = signer_files(directory, username)
    Path(directory).mkdir(parents=True, exist_ok=True)
    files.cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=username.encode(),
            key=key,
            cert=cert,
            cas=[ca_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(pin.encode()),
        )
    )
    files.p12.chmod(0o600)
    return files


def dev_signer_certificate_issue(
    *,
    username: str,
    full_name: str,
    pin: str,
    directory: Path | None = None,
    organisation: str = "",
) -> SignerFiles:
    """The development CA's personal certificate for a signer (the demo's), in `directory`
    (the development PKI's signers/ folder by default), naming `organisation` (the agency's by
    default). DEBUG only."""
    pki = dev_pki_ensure()
    organisation = organisation or getattr(
        settings, "PORTAL_AGENCY", "Sở Thông tin và Truyền thông Gia Lai"
    )
    return signer_certificate_issue(
        pki,
        directory=directory or dev_signers_dir(),
        username=username,
        full_name=full_name,
        organisation=organisation,
        pin=pin,
    )
