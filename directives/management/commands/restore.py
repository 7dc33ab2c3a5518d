"""`manage.py restore FOLDER`: a backup into an empty database, MEDIA_ROOT and the key folders."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this portal's database (which must "
        "be empty), its MEDIA_ROOT and the key folders of its settings. The checksums are "
        "checked first; nothing is restored from a damaged backup."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="a portal-<time> folder made by `manage.py backup`")
        parser.add_argument("--no-media", action="store_true", help="leave MEDIA_ROOT alone")
        parser.add_argument("--no-keys", action="store_true", help="leave the keys alone")
        parser.add_argument(
            "--check", action="store_true", help="only check the backup's checksums"
        )

    def handle(self, *args, folder: str, no_media: bool, no_keys: bool, check: bool, **options):
        try:
            if check:
                manifest = backup_check(Path(folder))
                self.stdout.write(f"Backup of {manifest['created']}: every checksum matches.")
                return
            result = backup_restore(folder=Path(folder), media=not no_media, keys=not no_keys)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the {result.database} database, {result.media_files} media files and "
            f"{result.key_files} key files."
        )
        if result.missing_files:
            raise CommandError(
                f"{len(result.missing_files)} files the database refers to are not in "
                f"MEDIA_ROOT, e.g. {result.missing_files[0]}."
            )
