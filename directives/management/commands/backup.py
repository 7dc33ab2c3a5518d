"""`manage.py backup DIR`: the database, the media and the signing keys (portal/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or a copy of SQLite), MEDIA_ROOT and the "
        "signing keys into DIR/portal-<time>/ with a manifest of checksums."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", help="where the backup folder is made")
        parser.add_argument(
            "--include",
            action="append",
            default=[],
            metavar="FILE",
            help="another file to keep with the keys (e.g. /etc/portal/portal.env); repeatable",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            metavar="N",
            help="then delete all but the N newest backups in DIR (0: delete none)",
        )

    def handle(self, *args, directory: str, include: list[str], keep: int, **options) -> None:
        try:
            result = backup_create(into=Path(directory), include=include)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = result.manifest["files"]
        self.stdout.write(
            f"Backup {result.folder}: "
            + ", ".join(f"{name} {info['bytes']} bytes" for name, info in files.items())
            + f"; {len(result.manifest['keys'])} key files."
        )
        for old in backups_prune(into=Path(directory), keep=keep):
            self.stdout.write(f"Deleted the old backup {old}")
