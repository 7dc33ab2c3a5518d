"""Signers' personal keys for the tests: PKCS#12 files issued by one throwaway CA per test run,
written where `signer_key_for` looks (SIGNER_P12_DIR, a folder of each test's own)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings

from directives.documents.pki import PkiFiles, SignerFiles, pki_create, signer_certificate_issue

PIN = "123456"
_pki: list[PkiFiles] = []


def throwaway_pki() -> PkiFiles:
    """The CA of this test run (its organisation key can seal, too)."""
    if not _pki:
        _pki.append(
            pki_create(
                directory=Path(tempfile.mkdtemp(prefix="pki-signers-")),
                organisation="Sở Thông tin và Truyền thông Gia Lai",
                password="test-pass",
            )
        )
    return _pki[0]


def signer_key_issue(user, **validity) -> SignerFiles:
    """A personal certificate and key for `user`, opened with PIN."""
    return signer_certificate_issue(
        throwaway_pki(),
        directory=Path(settings.SIGNER_P12_DIR),
        username=user.get_username(),
        full_name=user.get_full_name(),
        organisation="Sở Thông tin và Truyền thông Gia Lai",
        pin=PIN,
        **validity,
    )


def signer_key_ensure(user) -> None:
    if not (Path(settings.SIGNER_P12_DIR) / f"{user.get_username()}.p12").is_file():
        signer_key_issue(user)
