"""Revocation data and long-term validation: the development CA's CRL, the validation context
the signer embeds (PAdES B-LT: a /DSS with the chain and the CRLs; B-LTA with a document
timestamp when SIGNING_TSA_URL is set), and the context that checks a letter years later.

The CRL is read from files (the development PKI's ca.crl, or SIGNING_CRLS in production) and
handed to pyHanko directly, with allow_fetching=False: signing never waits on the network. The
development certificates carry the distribution point SITE_URL + /pki/dev-ca.crl, served by
directives/views/pki.py.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.conf import settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

CRL_FILE = "ca.crl"
CRL_PATH = "/pki/dev-ca.crl"
CRL_LIFETIME = datetime.timedelta(days=7)
CRL_REFRESH_BEFORE = datetime.timedelta(days=1)


def crl_distribution_point() -> x509.CRLDistributionPoints:
    """The extension the development certificates carry: where their CA's CRL is published."""
    url = settings.SITE_URL + CRL_PATH
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _ca_of(directory: Path, password: str):
    cert = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    key = serialization.load_pem_private_key(
        (directory / "ca-key.pem").read_bytes(), password=password.encode()
    )
    return cert, key


def crl_publish(
    directory: Path,
    password: str,
    *,
    revoke: tuple[int, datetime.datetime] | None = None,
) -> Path:
    """(Re)issue the CA's CRL under `directory` (DER, ca.crl), keeping the entries already
    revoked and adding `revoke` = (serial, revocation time) when given."""
    directory = Path(directory)
    path = directory / CRL_FILE
    ca_cert, ca_key = _ca_of(directory, password)
    revoked: dict[int, x509.RevokedCertificate] = {}
    number = 1
    if path.exists():
        old = x509.load_der_x509_crl(path.read_bytes())
        revoked = {entry.serial_number: entry for entry in old}
        number = old.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
    if revoke is not None:
        serial, when = revoke
        revoked[serial] = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(when)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=1)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), False
        )
    )
    for entry in revoked.values():
        builder = builder.add_revoked_certificate(entry)
    crl = builder.sign(ca_key, hashes.SHA256())
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return path


def crl_current(directory: Path, password: str) -> Path | None:
    """The CA's CRL, reissued when missing (a PKI made before CRLs) or about to go stale; None
    when this CA's key is not at hand."""
    directory = Path(directory)
    path = directory / CRL_FILE
    if not (directory / "ca-key.pem").exists():
        return path if path.exists() else None
    if path.exists():
        crl = x509.load_der_x509_crl(path.read_bytes())
        left = crl.next_update_utc - datetime.datetime.now(datetime.UTC)
        if left > CRL_REFRESH_BEFORE:
            return path
    return crl_publish(directory, password)


@dataclass(frozen=True)
class RevocationSources:
    trust_roots: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]


def _load_crl(data: bytes) -> asn1_crl.CertificateList:
    if data.lstrip().startswith(b"-----"):
        from asn1crypto import pem

        _, _, data = pem.unarmor(data)
    return asn1_crl.CertificateList.load(data)


def _pki_directory_of(key_path: Path | None) -> Path | None:
    """The folder of the PKI (made by pki_create) a key file belongs to: the folder holding its
    ca.pem, the key's own (the agency's key) or the one above (a signer's, in signers/)."""
    if key_path is None or not Path(key_path).is_absolute():
        return None
    for directory in Path(key_path).parents[:2]:
        if (directory / "ca.pem").exists():
            return directory
    return None


def revocation_sources(signer_path: Path | None = None) -> RevocationSources:
    """The CRLs known to the portal: SIGNING_CRLS and the ca.crl of the PKI the key file in use
    belongs to (a PKI made by pki_create: the development CA), kept fresh; the trust roots
    with them."""
    paths: list[Path] = [Path(p) for p in getattr(settings, "SIGNING_CRLS", [])]
    roots: list[asn1_x509.Certificate] = []
    directory = _pki_directory_of(signer_path)
    if directory is None and settings.DEBUG:
        # A key on the development token has no file of its own; its CA is the development one.
        dev = Path(settings.DEV_PKI_DIR)
        directory = dev if (dev / "ca.pem").exists() else None
    if directory is not None:
        local = directory / CRL_FILE if (directory / CRL_FILE).exists() else None
        # The CA key of a PKI made by pki_create is encrypted with the PKCS#12's password.
        dev_password = os.environ.get("DEV_PKI_PASSWORD", "dev-pki-password")
        for password in dict.fromkeys([settings.SIGNING_P12_PASSWORD, dev_password]):
            try:
                local = crl_current(directory, password)
                break
            except (ValueError, TypeError):
                continue
        if local is not None:
            paths.append(local)
        roots.append(_load_cert(directory / "ca.pem"))
    for root in getattr(settings, "SIGNING_TRUST_ROOTS", []):
        roots.append(_load_cert(Path(root)))
    crls = [_load_crl(p.read_bytes()) for p in dict.fromkeys(paths) if p.exists()]
    return RevocationSources(trust_roots=list({c.sha256: c for c in roots}.values()), crls=crls)


def _load_cert(path: Path) -> asn1_x509.Certificate:
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(str(path))


def pades_lt_options(signer_path: Path | None) -> dict:
    """Extra PdfSignatureMetadata fields: B-LT (embed the chain and CRLs in a /DSS) when a CRL
    is at hand, B-LTA as well when a timestamp server is configured; {} (B-B/B-T) otherwise."""
    sources = revocation_sources(signer_path)
    if not sources.crls:
        return {}
    context = ValidationContext(
        trust_roots=sources.trust_roots or None,
        crls=sources.crls,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    options = {"embed_validation_info": True, "validation_context": context}
    if settings.SIGNING_TSA_URL:
        options["use_pades_lta"] = True
    return options


def dss_of(pdf: bytes) -> DocumentSecurityStore | None:
    """The document security store of a PDF, or None when it has none."""
    try:
        return DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(pdf), strict=False))
    except NoDSSFoundError:
        return None


def long_term_context(
    pdf: bytes,
    *,
    trust_roots: list[asn1_x509.Certificate],
    at: datetime.datetime,
    extra_crls: list[asn1_crl.CertificateList] = (),
) -> ValidationContext:
    """A context that checks a signature as of `at` (its signing time) from the revocation data
    the PDF carries in its /DSS (and `extra_crls`), without fetching anything: what a reader does
    years later, after the certificate has expired. Revocation data is required."""
    kwargs = {
        "trust_roots": trust_roots,
        "crls": list(extra_crls),
        "allow_fetching": False,
        "moment": at,
        "revocation_mode": "require",
    }
    dss = dss_of(pdf)
    if dss is None:
        return ValidationContext(**kwargs)
    return dss.as_validation_context(kwargs)


def only_validation_data_after(status) -> bool:
    """The signature covers its whole revision and what follows adds only validation data
    (the /DSS of B-LT, document timestamps of B-LTA): the document is as it was signed."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
    )
