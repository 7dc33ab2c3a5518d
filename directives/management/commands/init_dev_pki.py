"""`python manage.py init_dev_pki`: the development CA and organisation key under var/pki/, and,
when SoftHSM2 is installed, the development token under var/pki/token/ with the demo's keys."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from directives.demo import DEMO_SIGNER_PIN
from directives.documents.keys.devtoken import (
    DEV_TOKEN_LABEL,
    dev_token_dir,
    dev_token_ensure,
    dev_token_module,
)
from directives.documents.pki import dev_pki_ensure
from recipients import roles
from recipients.demo import demo_units, demo_users


def demo_token_keys() -> dict[str, tuple[str, str]]:
    """The development token's keys, label -> (common name, organisation): each demo signer's
    (labelled by username) and the agency key of each signer's unit (by unit code)."""
    names = {unit.code: unit.name for unit in demo_units()}
    signers = [user for user in demo_users() if roles.SIGNER in user.roles]
    keys = {user.unit: (names[user.unit], names[user.unit]) for user in signers}
    for user in signers:
        keys[user.username] = (f"{user.last_name} {user.first_name}", names[user.unit])
    return keys


class Command(BaseCommand):
    help = (
        "Create the development CA and organisation certificate, and the development token "
        "when SoftHSM2 is installed (DEBUG only; idempotent)."
    )

    def handle(self, *args, **options):
        if settings.SIGNING_P12 or settings.SIGNING_P12_DIR:
            self.stdout.write("A signing key is configured (SIGNING_P12/SIGNING_P12_DIR); skipped.")
            return
        try:
            files = dev_pki_ensure()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Development PKI ready: {files.ca_pem} and {files.org_p12}")
        self._token(files)

    def _token(self, files) -> None:
        keys = demo_token_keys()
        try:
            made = dev_token_ensure(ca=files, keys=keys, pin=DEMO_SIGNER_PIN)
        except Exception as exc:  # noqa: BLE001 - make run carries on with the PKCS#12 files
            self.stderr.write(f"The development token could not be made ({exc}); PKCS#12 it is.")
            return
        if not made:
            self.stdout.write(
                f"SoftHSM2 is not installed ({dev_token_module()}): the demo signs with the "
                "development PKCS#12 files; for a development token: apt install softhsm2."
            )
            return
        conf = dev_token_dir() / "softhsm2.conf"
        self.stdout.write(
            f"Development token ready: SoftHSM2 token {DEV_TOKEN_LABEL} in {dev_token_dir()} "
            f"(keys {', '.join(keys)}; PIN {DEMO_SIGNER_PIN})"
        )
        elsewhere = os.environ.get("SOFTHSM2_CONF")
        if elsewhere and elsewhere != str(conf):
            self.stderr.write(
                f"SOFTHSM2_CONF is {elsewhere}: unset it, or the portal will not find the "
                f"development token ({conf})."
            )
