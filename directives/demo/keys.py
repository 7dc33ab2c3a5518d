"""The demo's development keys and the immediate signing of its issued letters (DEBUG only)."""

from __future__ import annotations

import logging

from directives.documents.pki import dev_signer_certificate_issue
from directives.documents.signing import signers_dir
from directives.models import Directive
from recipients.models import User

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
    from directives.services.notices import directive_fan_out
    from directives.services.signing import directive_render_and_sign

    try:
        # With DEBUG (loaddemo's condition) the signing key is the dev PKI, made on first use.
        if directive_render_and_sign(directive_id=directive.pk):
            directive_fan_out(directive_id=directive.pk)
    except Exception as exc:  # the demo stays usable; the worker retries the PDF later
        logger.warning("Demo letter %s not signed now: %s", directive.pk, exc)
        if stdout is not None:
            stdout.write(f"  (PDF of {directive.number_symbol} left to the worker: {exc})")
