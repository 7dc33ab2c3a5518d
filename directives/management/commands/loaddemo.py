"""Load the demo province (units, groups, users) and, when present, the demo directives."""

from __future__ import annotations

import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recipients import roles
from recipients.demo import DEMO_PASSWORD, demo_logins, demo_recipients_load


class Command(BaseCommand):
    help = "Load the Gia Lai demo data (idempotent). Development only: refuses when DEBUG=False."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "loaddemo only runs with DEBUG=True: the demo users share a public password "
                "and must never exist on a production portal."
            )
        counts = demo_recipients_load()
        summary = (
            "Demo recipients: {units} units, {groups} groups, {users} users "
            "({created_units} units, {created_groups} groups, {created_users} users new)."
        )
        self.stdout.write(self.style.SUCCESS(summary.format(**counts)))
        if importlib.util.find_spec("directives.demo") is not None:
            from directives.demo import load_demo_directives

            load_demo_directives(stdout=self.stdout)
        self._print_logins()
        if settings.DEBUG:
            from directives.demo import DEMO_SIGNER_PIN

            self.stdout.write(
                "  The signers lanhdao and chupah.lanhdao sign with development keys: "
                f"PIN {DEMO_SIGNER_PIN}"
            )

    def _print_logins(self) -> None:
        logins = demo_logins()
        main = [row for row in logins if roles.UNIT_OFFICER not in row[2]]
        officers = [row for row in logins if roles.UNIT_OFFICER in row[2]]
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every account: {DEMO_PASSWORD})")
        self.stdout.write(f"  {'username':<18} {'role':<16} {'name':<22} unit")
        for username, name, role, unit in main:
            self.stdout.write(f"  {username:<18} {role:<16} {name:<22} {unit}")
        heads = [u for u, *_ in officers if u.endswith(".truong")]
        others = [u for u, *_ in officers if not u.endswith(".truong")]
        self.stdout.write(f"  Unit officers ({roles.UNIT_OFFICER}): {', '.join(others)}")
        self.stdout.write(f"  Heads of the district committees: {', '.join(heads)}")
