"""The demo's development keys and the immediate signing of its issued letters (DEBUG only)."""

from __future__ import annotations

import logging
import os

from django.conf import settings

from directives.documents.keys.devtoken import DEV_TOKEN_LABEL, dev_token
from directives.documents.pki import dev_signer_certificate_issue
from directives.documents.signing import signers_dir
from directives.models import Directive
from recipients.models import SigningKeyStore, Unit, User

logger = logging.getLogger(__name__)

DEMO_SIGNER_PIN = "123456"  # noqa: S105 - the demo signers' development keys, never production


def signer_key_ensure(signer: User, organisation: str = "") -> None:
    """The demo signer's personal development certificate, issued once (DEBUG only)."""
    directory = signers_dir()  # where signer_key_for looks: SIGNER_P12_DIR or the dev PKI
    if directory is not None and not (directory / f"{signer.get_username()}.p12").is_file():
        dev_signer_certificate_issue(
            username=signer.get_username(),
            full_name=signer.get_full_name(),
            pin=DEMO_SIGNER_PIN,
            directory=directory,
            organisation=organisation,
        )


def sign_and_deliver(directive: Directive, stdout) -> None:
    """Make the signed PDF now (dev PKI) rather than wait for a worker, then deliver it."""
    from directives.services import assignments_snapshot_write
    from directives.services.notices import directive_fan_out
    from directives.services.signing import directive_render_and_sign

    # The PDF job's first step, here even if the PDF is left to the worker.
    assignments_snapshot_write(directive_id=directive.pk)
    try:
        # With DEBUG (loaddemo's condition) the signing key is the dev PKI, made on first use.
        if directive_render_and_sign(directive_id=directive.pk):
            directive_fan_out(directive_id=directive.pk)
    except Exception as exc:  # the demo stays usable; the worker retries the PDF later
        logger.warning("Demo letter %s not signed now: %s", directive.pk, exc)
        if stdout is not None:
            stdout.write(f"  (PDF of {directive.number_symbol} left to the worker: {exc})")


def token_stores(stdout) -> None:
    """With the development token (`init_dev_pki`, SoftHSM2 installed), each demo signer and
    issuing unit whose key is on it signs there: a PKCS#11 store, the signer's PIN typed at
    "Ký số", the agency's read from DEV_TOKEN_PIN_ENV (an unattended key on the server).
    Without it, the PKCS#12 files as before: stores left on an earlier token are dropped."""
    held = dev_token()
    on_token = SigningKeyStore.objects.filter(
        backend=SigningKeyStore.Backend.PKCS11, token_label=DEV_TOKEN_LABEL
    )
    if held is None or os.environ.get("SOFTHSM2_CONF") != held.get("conf"):
        on_token.delete()
        if stdout is not None:
            stdout.write("Demo keys: the development PKCS#12 files (no development token).")
        return
    signing = []
    for label in held["serials"]:
        user = User.objects.filter(username=label).first()
        unit = None if user else Unit.objects.filter(code=label).first()
        if user is None and unit is None:
            continue
        SigningKeyStore.objects.update_or_create(
            **({"user": user} if user else {"unit": unit}),
            defaults={
                "backend": SigningKeyStore.Backend.PKCS11,
                "pkcs11_module": held["module"],
                "token_label": DEV_TOKEN_LABEL,
                "key_label": label,
                "cert_label": "",
                "pin_env": "" if user else settings.DEV_TOKEN_PIN_ENV,
                "is_active": True,
            },
        )
        signing.append(label)
    if stdout is not None:
        stdout.write(
            f"Demo keys: {', '.join(signing)} sign on the development token {DEV_TOKEN_LABEL} "
            "(SoftHSM2)."
        )
