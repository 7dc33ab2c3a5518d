"""`python manage.py init_dev_pki`: the development CA and organisation key under var/pki/."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from directives.documents.pki import dev_pki_ensure


class Command(BaseCommand):
    help = "Create the development CA and organisation certificate (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if settings.SIGNING_P12 or settings.SIGNING_P12_DIR:
            self.stdout.write("A signing key is configured (SIGNING_P12/SIGNING_P12_DIR); skipped.")
            return
        try:
            files = dev_pki_ensure()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Development PKI ready: {files.ca_pem} and {files.org_p12}")
