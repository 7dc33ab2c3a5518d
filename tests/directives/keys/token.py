"""A SoftHSM2 token for development, without pytest: the agency's key and two signers' keys from
a development CA, each with its certificate, and the CA certificate. The keys' tests
(conftest.py `softhsm_token`) and `make bench` (tests/bench/sign2.py) both build it here."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from directives.documents.pki import PkiFiles, issue_certificate

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


def softhsm_available() -> bool:
    """softhsm2-util and the PKCS#11 module (Debian package softhsm2) are installed."""
    return bool(shutil.which("softhsm2-util")) and Path(SOFTHSM_MODULE).exists()


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


def softhsm_token_create(root: Path, ca: PkiFiles) -> DevToken:
    """Initialise a token in `root` (an empty folder) and fill it; points SOFTHSM2_CONF at it
    (see `softhsm_token_at` to have the variable given back)."""
    import pkcs11
    from cryptography import x509

    util = shutil.which("softhsm2-util")
    if not util or not Path(SOFTHSM_MODULE).exists():
        raise RuntimeError("SoftHSM2 (Debian package softhsm2) is not installed")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
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
            key, cert = issue_certificate(ca, common_name=name, organisation=organisation)
            _import_key(session, label=label, ident=bytes([number]), key=key, cert=cert)
            serials[label] = cert.serial_number
        ca_cert = x509.load_pem_x509_certificate(ca.ca_pem.read_bytes())
        _import_cert(session, label="ca", ident=b"\xca", cert=ca_cert)
    return DevToken(module=SOFTHSM_MODULE, label=TOKEN_LABEL, pin=USER_PIN, pki=ca, serials=serials)


@contextmanager
def softhsm_token_at(root: Path, ca: PkiFiles) -> Iterator[DevToken]:
    """`softhsm_token_create`, then SOFTHSM2_CONF as it was before."""
    previous = os.environ.get("SOFTHSM2_CONF")
    try:
        yield softhsm_token_create(root, ca)
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous
