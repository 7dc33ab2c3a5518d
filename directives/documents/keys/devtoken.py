"""SoftHSM2 tokens for development: keys from a development CA, each with its certificate, and
the CA certificate, on a token in a folder of its own (its softhsm2.conf and tokens/).

Two uses: `make run`'s development token under DEV_PKI_DIR/token (`dev_token_ensure`, called by
`manage.py init_dev_pki` in DEBUG, read by `loaddemo` through `dev_token`), on which the demo's
signers and issuing units sign; and the tests' and `make bench`'s throwaway tokens
(`softhsm_token_at`). Nothing here runs with DEBUG=False: an agency's own token or HSM is
configured in its key store (README, Keys).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings

from directives.documents.pki import PkiFiles, issue_certificate

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "STTTT-TOKEN"  # noqa: S105 - a label, not a secret
USER_PIN = "246810"
SO_PIN = "13579111"
AGENCY = "Sở Thông tin và Truyền thông Gia Lai"
# The tests' token: label on the token -> (common name, organisation)
KEYS = {
    "agency": (AGENCY, AGENCY),
    "lanhdao": ("Lê Thị Thu Hương", AGENCY),
    "phogiamdoc": ("Nguyễn Văn Minh", AGENCY),
}
DEV_TOKEN_LABEL = "PORTAL-DEV"  # noqa: S105 - a label, not a secret
MANIFEST = "token.json"  # written last: what the token holds (labels, serials), never the PIN


@dataclass(frozen=True)
class DevToken:
    module: str
    label: str
    pin: str
    pki: PkiFiles
    serials: dict[str, int]


def softhsm_available(module: str = SOFTHSM_MODULE) -> bool:
    """softhsm2-util and the PKCS#11 module (Debian package softhsm2) are installed."""
    return bool(shutil.which("softhsm2-util")) and Path(module).is_file()


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


def _conf_write(root: Path) -> Path:
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    return conf


def _token_fill(
    ca: PkiFiles, *, keys: dict[str, tuple[str, str]], label: str, pin: str, module: str
) -> DevToken:
    """Initialise a token in the folder SOFTHSM2_CONF names and put the keys on it."""
    import pkcs11
    from cryptography import x509

    util = shutil.which("softhsm2-util")
    if not util or not Path(module).is_file():
        raise RuntimeError("SoftHSM2 (Debian package softhsm2) is not installed")
    subprocess.run(
        [util, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", SO_PIN],
        check=True,
        capture_output=True,
    )
    lib = pkcs11.lib(module)
    lib.reinitialize()  # see the token initialised by softhsm2-util, whatever was loaded before
    token = lib.get_token(token_label=label)
    serials = {}
    with token.open(rw=True, user_pin=pin) as session:
        for number, (key_label, (name, organisation)) in enumerate(keys.items(), start=1):
            key, cert = issue_certificate(ca, common_name=name, organisation=organisation)
            _import_key(session, label=key_label, ident=bytes([number]), key=key, cert=cert)
            serials[key_label] = cert.serial_number
        ca_cert = x509.load_pem_x509_certificate(ca.ca_pem.read_bytes())
        _import_cert(session, label="ca", ident=b"\xca", cert=ca_cert)
    return DevToken(module=module, label=label, pin=pin, pki=ca, serials=serials)


def softhsm_token_create(
    root: Path,
    ca: PkiFiles,
    *,
    keys: dict[str, tuple[str, str]] = KEYS,
    label: str = TOKEN_LABEL,
    pin: str = USER_PIN,
    module: str = SOFTHSM_MODULE,
) -> DevToken:
    """Initialise a token in `root` (an empty folder) and fill it; points SOFTHSM2_CONF at it
    (see `softhsm_token_at` to have the variable given back)."""
    os.environ["SOFTHSM2_CONF"] = str(_conf_write(root))
    return _token_fill(ca, keys=keys, label=label, pin=pin, module=module)


@contextmanager
def softhsm_conf(conf: Path | None, module: str = SOFTHSM_MODULE) -> Iterator[None]:
    """SOFTHSM2_CONF set to `conf` (unset when None) inside, as it was after; a loaded module
    re-reads it on entry and on exit (SoftHSM2 reads its configuration when initialised)."""
    import pkcs11

    previous = os.environ.get("SOFTHSM2_CONF")

    def point(value: str | None) -> None:
        if value is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = value
        if module in getattr(pkcs11, "_loaded", {}):  # loaded: have it read the new value
            # No token there yet: initialised again at its next use.
            with suppress(pkcs11.PKCS11Error):
                pkcs11.lib(module).reinitialize()

    point(None if conf is None else str(conf))
    try:
        yield
    finally:
        point(previous)


@contextmanager
def softhsm_token_at(root: Path, ca: PkiFiles, **options) -> Iterator[DevToken]:
    """`softhsm_token_create`, then SOFTHSM2_CONF as it was before."""
    with softhsm_conf(root / "softhsm2.conf", options.get("module", SOFTHSM_MODULE)):
        yield softhsm_token_create(root, ca, **options)


# --- The development token of `make run` ------------------------------------------------------


def dev_token_dir() -> Path:
    return Path(settings.DEV_PKI_DIR) / "token"


def dev_token_module() -> str:
    return settings.DEV_SOFTHSM2_MODULE


def _ca_fingerprint(ca: PkiFiles) -> str:
    return hashlib.sha256(ca.ca_pem.read_bytes()).hexdigest()


def dev_token() -> dict | None:
    """What the development token holds (module, label, key labels and serials), when it was
    built and SoftHSM2 is installed; None otherwise. Reads its manifest only."""
    manifest = dev_token_dir() / MANIFEST
    if not manifest.is_file() or not softhsm_available(dev_token_module()):
        return None
    try:
        return json.loads(manifest.read_text())
    except (OSError, ValueError):
        return None


def _dev_token_sound(ca: PkiFiles, *, keys: dict, pin: str) -> bool:
    """The token opens with `pin` and holds each key with the certificate the manifest names,
    issued by the CA of today."""
    import pkcs11
    from asn1crypto import x509 as asn1_x509
    from pkcs11 import Attribute, ObjectClass

    held = dev_token()
    if held is None or held.get("ca_sha256") != _ca_fingerprint(ca):
        return False
    if set(held.get("serials", {})) != set(keys) or held.get("label") != DEV_TOKEN_LABEL:
        return False
    module = dev_token_module()
    try:
        with softhsm_conf(dev_token_dir() / "softhsm2.conf", module):
            lib = pkcs11.lib(module)
            lib.reinitialize()
            token = lib.get_token(token_label=DEV_TOKEN_LABEL)
            with token.open(user_pin=pin) as session:
                for label, serial in held["serials"].items():
                    session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)
                    [cert] = session.get_objects(
                        {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}
                    )
                    if asn1_x509.Certificate.load(cert[Attribute.VALUE]).serial_number != serial:
                        return False
    except Exception:  # noqa: BLE001 - any failure means: build it again
        return False
    return True


def dev_token_ensure(*, ca: PkiFiles, keys: dict[str, tuple[str, str]], pin: str) -> bool:
    """The development token under DEV_PKI_DIR/token with `keys` (label -> (common name,
    organisation)) from the development CA `ca`, user PIN `pin`: kept when sound, built anew
    when missing or broken. False, and nothing done, when SoftHSM2 is not installed. Returns
    True once the token is there. DEBUG only (init_dev_pki)."""
    module = dev_token_module()
    if not softhsm_available(module):
        return False
    if _dev_token_sound(ca, keys=keys, pin=pin):
        return True
    root = dev_token_dir()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    conf = _conf_write(root)
    with softhsm_conf(conf, module):
        made = _token_fill(ca, keys=keys, label=DEV_TOKEN_LABEL, pin=pin, module=module)
    manifest = {
        "module": module,
        "label": DEV_TOKEN_LABEL,
        "conf": str(conf),
        "ca_sha256": _ca_fingerprint(ca),
        "serials": made.serials,
    }
    (root / f"{MANIFEST}.tmp").write_text(json.dumps(manifest, indent=2))
    (root / f"{MANIFEST}.tmp").replace(root / MANIFEST)
    return True
