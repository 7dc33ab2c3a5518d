"""Import units or group membership from a CSV/XLSX file; a file with any bad row saves nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recipients.resources import FileReadError
from recipients.services import groups_import, import_file_format, units_import


class Command(BaseCommand):
    help = "Import units or recipient groups from CSV (UTF-8) or XLSX, all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["units", "groups"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file, save nothing.")

    def handle(self, *args, what: str, file: Path, dry_run: bool, **options) -> None:
        service = units_import if what == "units" else groups_import
        data = file.read_bytes()
        try:
            format = import_file_format(data=data, name=file.name)
        except FileReadError as exc:
            raise CommandError("; ".join(str(e) for e in exc.errors)) from None
        report = service(data=data, format=format, dry_run=dry_run)
        if not report.ok:
            for line in report.error_lines():
                self.stderr.write(line)
            raise CommandError(f"{len(report.errors)} error(s): nothing was imported.")
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.new} new, {report.updated} changed, {report.unchanged} unchanged "
                f"rows {verb} imported."
            )
        )
