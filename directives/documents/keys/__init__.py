"""Where the keys are: one interface over PKCS#12 files, PKCS#11 tokens/HSMs and remote services.

An administrator chooses the backend per signer and per issuing unit (recipients'
`SigningKeyStore`). `open_key` turns a store and the PIN entered at signing into a `SigningKey`
that `signing.sign_pdf_bytes` signs with; close it (or use it as a context manager) when done.
A unit without a store signs as before with the PKCS#12 settings (`signing.signing_key_for`).

Every failure is a `SigningKeyError` whose `str()` is a Vietnamese sentence for the user:
no key, wrong PIN, token not present, certificate expired or revoked, service unreachable.
PINs are never stored nor logged.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from django.conf import settings

from directives.documents.keys.errors import (
    CertificateExpired,
    CertificateRevoked,
    NoSigningKey,
    PinRequired,
    RemoteSigningUnavailable,
    SigningKeyError,
    TokenMissing,
    WrongPin,
)
from directives.documents.revocation import revocation_sources
from directives.documents.signing import (
    SigningKey,
    SigningNotConfigured,
    _load_p12,
    _organisation_of,
    signer_key_for,
    signing_key_for,
)
from recipients.models import SigningKeyStore, Unit, User

__all__ = [
    "CertificateExpired",
    "CertificateRevoked",
    "NoSigningKey",
    "PinRequired",
    "RemoteSigningUnavailable",
    "SigningKeyError",
    "TokenMissing",
    "WrongPin",
    "check_certificate",
    "open_key",
    "unit_key",
    "user_key",
]


def _pin_for(store: SigningKeyStore, pin: str | None) -> str | None:
    if pin:
        return pin
    if store.pin_env:
        return os.environ.get(store.pin_env) or None
    return None


def check_certificate(
    cert: asn1_x509.Certificate,
    *,
    key_path: Path | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Refuse a certificate that is expired, not yet valid, or revoked by a CRL at hand: the
    SIGNING_CRLS files and the CRL of the PKI the key file belongs to (the development CA's)."""
    now = now or datetime.datetime.now(datetime.UTC)
    subject = cert.subject.native.get("common_name") or cert.subject.human_friendly
    validity = cert["tbs_certificate"]["validity"]
    start, end = validity["not_before"].native, validity["not_after"].native
    if not start <= now <= end:
        raise CertificateExpired(
            f"certificate {cert.serial_number} valid {start}..{end}",
            subject=subject,
            start=start.strftime("%d/%m/%Y"),
            end=end.strftime("%d/%m/%Y"),
        )
    for known in revocation_sources(key_path).crls:
        crl = x509.load_der_x509_crl(known.dump())
        if crl.issuer.public_bytes() != cert.issuer.dump():
            continue
        if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
            raise CertificateRevoked(
                f"certificate {cert.serial_number} revoked by {crl.issuer.rfc4514_string()}",
                subject=subject,
            )


def _checked(key: SigningKey) -> SigningKey:
    try:
        check_certificate(key.signer.signing_cert, key_path=key.path)
    except SigningKeyError:
        key.close()
        raise
    return key


def _pkcs12_path(store: SigningKeyStore) -> Path:
    path = Path(store.pkcs12_path)
    return path if path.is_absolute() else Path(settings.MEDIA_ROOT) / "private" / path


def _open_pkcs12(store: SigningKeyStore, pin: str | None) -> SigningKey:
    path = _pkcs12_path(store)
    if not store.pkcs12_path or not path.is_file():
        raise NoSigningKey(f"PKCS#12 file {path} is missing")
    if pin is None:
        raise PinRequired(f"PKCS#12 file {path} needs its password")
    try:
        signer = _load_p12(path, pin)
    except SigningNotConfigured as exc:
        raise WrongPin(f"PKCS#12 file {path} did not open: {exc}") from exc
    return SigningKey(signer=signer, organisation=_organisation_of(signer.signing_cert), path=path)


def open_key(*, store: SigningKeyStore, pin: str | None) -> SigningKey:
    """The key of `store`, unlocked with `pin` (or the variable `store.pin_env` names)."""
    if not store.is_active:
        raise NoSigningKey(f"signing key store {store.pk} is inactive")
    pin = _pin_for(store, pin)
    if store.backend == SigningKeyStore.Backend.PKCS12:
        key = _open_pkcs12(store, pin)
    elif store.backend == SigningKeyStore.Backend.PKCS11:
        from directives.documents.keys.hsm import open_pkcs11

        key = open_pkcs11(store, pin)
    elif store.backend == SigningKeyStore.Backend.REMOTE:
        from directives.documents.keys.remote import open_remote

        key = open_remote(store, pin)
    else:
        raise NoSigningKey(f"unknown backend {store.backend!r}")
    return _checked(key)


def unit_key(*, unit: Unit, pin: str | None = None) -> SigningKey:
    """The issuing unit's (agency's) key: its store, else the PKCS#12 settings of today."""
    store = SigningKeyStore.objects.filter(unit=unit, is_active=True).first()
    if store is not None:
        return open_key(store=store, pin=pin)
    try:
        key = signing_key_for(unit.code)
    except SigningNotConfigured as exc:
        raise NoSigningKey(str(exc)) from exc
    return _checked(key)


def user_key(*, user: User, pin: str | None) -> SigningKey:
    """The signer's own key, unlocked with the PIN they entered: their store, else their
    PKCS#12 file in SIGNER_P12_DIR (the development PKI in DEBUG), checked the same way."""
    store = SigningKeyStore.objects.filter(user=user, is_active=True).first()
    if store is not None:
        return open_key(store=store, pin=pin)
    return _checked(signer_key_for(user=user, pin=pin or ""))
