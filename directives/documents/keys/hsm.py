"""PKCS#11: a USB token or an HSM on the server, through pyHanko's PKCS#11 signer.

The session is opened with the PIN entered at signing and stays open until the key is closed;
the token is found by its label, the key and certificate by theirs. The certificate's issuers
found on the token travel in the signature (so a verifier can build the chain).
"""

from __future__ import annotations

from pathlib import Path

import pkcs11
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as p11_errors
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from directives.documents.keys.errors import NoSigningKey, PinRequired, TokenMissing, WrongPin
from directives.documents.signing import SigningKey, _organisation_of
from recipients.models import SigningKeyStore

PIN_ERRORS = (
    p11_errors.PinIncorrect,
    p11_errors.PinInvalid,
    p11_errors.PinLenRange,
    p11_errors.PinLocked,
    p11_errors.PinExpired,
)


def _module_path(store: SigningKeyStore) -> Path:
    module = store.pkcs11_module or settings.PKCS11_MODULE
    if not module:
        raise NoSigningKey(f"signing key store {store.pk}: no PKCS#11 module configured")
    return Path(module)


def _issuers_on_token(session, cert: asn1_x509.Certificate) -> list[asn1_x509.Certificate]:
    """The chain above `cert` among the token's certificates (not the other signers' own)."""
    on_token = [
        asn1_x509.Certificate.load(obj[Attribute.VALUE])
        for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})
    ]
    by_subject = {c.subject.dump(): c for c in on_token}
    chain, current = [], cert
    while not current.self_signed and current.issuer.dump() in by_subject:
        current = by_subject[current.issuer.dump()]
        if current in chain:
            break
        chain.append(current)
    return chain


def open_pkcs11(store: SigningKeyStore, pin: str | None) -> SigningKey:
    module = _module_path(store)
    token = store.token_label
    if not module.is_file():
        raise TokenMissing(f"PKCS#11 module {module} is not installed", token=token)
    if not pin:
        raise PinRequired(f"token {token!r} needs a PIN")
    try:
        session = open_pkcs11_session(
            str(module), token_criteria=TokenCriteria(label=token), user_pin=pin
        )
    except PIN_ERRORS as exc:
        raise WrongPin(f"token {token!r}: {type(exc).__name__}") from exc
    except (p11_errors.PKCS11Error, RuntimeError, OSError) as exc:
        raise TokenMissing(f"token {token!r}: [{type(exc).__name__}] {exc}", token=token) from exc
    try:
        signer = PKCS11Signer(
            session,
            cert_label=store.cert_label or store.key_label,
            key_label=store.key_label,
        )
        cert = signer.signing_cert  # loads the certificate and the key handle now
        signer.cert_registry.register_multiple(_issuers_on_token(session, cert))
    except pkcs11.PKCS11Error as exc:
        session.close()
        raise NoSigningKey(
            f"token {token!r}: key {store.key_label!r} or its certificate is missing: {exc}"
        ) from exc
    return SigningKey(
        signer=signer,
        organisation=_organisation_of(cert),
        path=module,
        closer=session.close,
    )
