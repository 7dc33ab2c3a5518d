"""`python manage.py edxml_inbox`: enter the edXML messages waiting in EDXML_INBOX_DIR (or run
the `directives.tasks.read_edxml_inbox` task from beat). Each message is entered in its unit's
incoming book or refused; either way it moves to processed/ or refused/ (with its reason)."""

from django.core.management.base import BaseCommand

from directives.services.exchange_in import edxml_inbox_read


class Command(BaseCommand):
    help = "Enter the edXML messages waiting in the inbox folder."

    def handle(self, *args, **options):
        counts = edxml_inbox_read()
        self.stdout.write(f"entered: {counts['entered']}, refused: {counts['refused']}")
