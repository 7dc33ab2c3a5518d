"""Backups of the portal and their restore (`manage.py backup`, `manage.py restore`).

A backup is one folder, `portal-<UTC time>/` (mode 0700: it holds private keys):
- `database.dump`: PostgreSQL's `pg_dump --format=custom` (or `database.sqlite3`, a copy made
  with SQLite's online backup, for a portal on SQLite);
- `media.tar.gz`: MEDIA_ROOT (attachments, reports, the signed PDFs);
- `keys.tar.gz`: the signing keys and what they need: the PKI folder (VAR_DIR/pki: the
  development CA, its CRL and token), SIGNING_P12_DIR, SIGNER_P12_DIR, the files named by
  SIGNING_P12, SIGNING_TRUST_ROOTS, SIGNING_CRLS and by the PKCS#12 key stores, VAR_DIR/secret_key
  when there is one, and any file given with `--include` (the environment file: kept under
  `included/`, never restored on its own, since it belongs to root);
- `manifest.json`: when, from which database and migrations, where each folder of keys was, and
  the SHA-256 of each file above, checked before anything is restored.

The database is dumped first and the files copied after it, so every file the dump refers to
is in the backup (a file added meanwhile is there too, unused). Keys kept on a token or an HSM
never leave it and are not in a backup: the token's own backup procedure keeps them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar.gz"
KEYS_TAR = "keys.tar.gz"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
# Files that are no part of the portal's data (the health check's probe, written and deleted).
MEDIA_SKIPPED = ("health_check_storage_test",)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- where things are -------------------------------------------------------------------------


def key_roots() -> dict[str, Path]:
    """The folders of keys, by the name they have in the backup (of VAR_DIR, only the
    installation's secret key, which signs the acknowledgement links when SECRET_KEY is unset)."""
    roots = {"var": Path(settings.VAR_DIR), "pki": Path(settings.DEV_PKI_DIR)}
    if settings.SIGNING_P12_DIR:
        roots["signing_p12_dir"] = Path(settings.SIGNING_P12_DIR)
    if settings.SIGNER_P12_DIR:
        roots["signer_p12_dir"] = Path(settings.SIGNER_P12_DIR)
    return roots


def key_files() -> list[Path]:
    """Single files of keys and of trust, wherever they are (absolute paths)."""
    from recipients.models import SigningKeyStore

    names = [settings.SIGNING_P12, *settings.SIGNING_TRUST_ROOTS, *settings.SIGNING_CRLS]
    media = Path(settings.MEDIA_ROOT).resolve()
    for path in SigningKeyStore.objects.exclude(pkcs12_path="").values_list(
        "pkcs12_path", flat=True
    ):
        if Path(path).is_absolute() and not Path(path).resolve().is_relative_to(media):
            names.append(path)  # a relative one is under MEDIA_ROOT, in the media archive
    return [Path(name).resolve() for name in names if name]


# --- backup -----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    folder: Path
    manifest: dict = field(default_factory=dict)


def backup_create(*, into: Path, include: list[str] | None = None) -> BackupResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(into) / f"portal-{stamp}"
    folder.mkdir(parents=True, mode=0o700)
    os.chmod(folder, 0o700)
    manifest: dict = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "migrations": _migrations(),
        "files": {},
    }
    try:
        manifest["database"] = _database_dump(folder)
        _media_archive(folder / MEDIA_TAR)
        manifest["key_roots"] = {name: str(path) for name, path in key_roots().items()}
        manifest["keys"] = _keys_archive(folder / KEYS_TAR, include=include)
        for name in sorted(p.name for p in folder.iterdir()):
            manifest["files"][name] = {
                "sha256": _sha256(folder / name),
                "bytes": (folder / name).stat().st_size,
            }
        _write_private(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave half a backup that looks whole
        raise
    return BackupResult(folder=folder, manifest=manifest)


def backups_prune(*, into: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest complete backups in `into`; the deleted folders."""
    found = sorted(
        p for p in Path(into).glob("portal-*") if p.is_dir() and (p / MANIFEST).is_file()
    )
    old = found[:-keep] if keep > 0 else []
    for path in old:
        shutil.rmtree(path)
    return old


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _database_dump(folder: Path) -> dict:
    if connection.vendor == "postgresql":
        binary = _pg_binary("pg_dump")
        server = _pg_server_major()
        client = _pg_client_major(binary)
        if client < server:
            raise BackupError(
                f"pg_dump {client} cannot dump a PostgreSQL {server} server: install the "
                f"client of version {server} (postgresql-client-{server}) or set PG_BIN_DIR "
                f"to its folder (/usr/lib/postgresql/{server}/bin)."
            )
        target = folder / PG_DUMP_FILE
        _run([binary, "--format=custom", "--no-owner", f"--file={target}"])
        os.chmod(target, 0o600)
        return {"vendor": "postgresql", "file": PG_DUMP_FILE, "server": server, "pg_dump": client}
    if connection.vendor == "sqlite":
        target = folder / SQLITE_FILE
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        os.chmod(target, 0o600)
        return {"vendor": "sqlite", "file": SQLITE_FILE}
    raise BackupError(f"No backup for a {connection.vendor} database.")


def _media_archive(target: Path) -> None:
    media = Path(settings.MEDIA_ROOT)

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        top = info.name.split("/", 2)[1] if "/" in info.name else ""
        return None if top in MEDIA_SKIPPED else info

    with _private_tar(target) as tar:
        if media.is_dir():
            tar.add(media, arcname="media", filter=keep)


def _keys_archive(target: Path, *, include: list[str] | None) -> list[str]:
    members: list[str] = []
    seen: set[Path] = set()
    with _private_tar(target) as tar:
        for name, root in key_roots().items():
            if not root.is_dir():
                continue
            found = [root / "secret_key"] if name == "var" else sorted(root.rglob("*"))
            for path in found:
                if path.is_file() and path.resolve() not in seen:
                    seen.add(path.resolve())
                    arcname = f"{name}/{path.relative_to(root).as_posix()}"
                    tar.add(path, arcname=arcname, recursive=False)
                    members.append(arcname)
        for path in key_files():
            if path in seen:
                continue
            if not path.is_file():
                raise BackupError(f"A key file named in the settings is missing: {path}")
            seen.add(path)
            arcname = "files" + path.as_posix()
            tar.add(path, arcname=arcname, recursive=False)
            members.append(arcname)
        # Kept, never restored on their own (an environment file belongs to root): by hand.
        for name in include or []:
            path = Path(name).resolve()
            if not path.is_file():
                raise BackupError(f"No such file to include: {path}")
            arcname = "included" + path.as_posix()
            tar.add(path, arcname=arcname, recursive=False)
            members.append(arcname)
    return members


# --- restore ----------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    database: str = ""
    media_files: int = 0
    key_files: int = 0
    missing_files: list[str] = field(default_factory=list)


def backup_check(folder: Path) -> dict:
    """The manifest of a backup whose files are all there, unchanged; else a BackupError."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} is not a portal backup: no readable {MANIFEST}.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} is missing or damaged (its SHA-256 differs): not restored.")
    return manifest


def backup_restore(*, folder: Path, media: bool = True, keys: bool = True) -> RestoreResult:
    """Restore a backup into this portal's empty database, its MEDIA_ROOT and the key folders
    of its settings (a file there of the same name is replaced)."""
    folder = Path(folder)
    manifest = backup_check(folder)
    result = RestoreResult()
    database = manifest["database"]
    if database["vendor"] != connection.vendor:
        raise BackupError(
            f"The backup holds a {database['vendor']} database; this portal uses "
            f"{connection.vendor}."
        )
    roots = {name: Path(path) for name, path in key_roots().items()}
    if keys:
        for name in manifest.get("key_roots", {}):
            if name not in roots:
                raise BackupError(
                    f"The backup holds keys of {name.upper()}, which this portal's settings do "
                    "not name: set it, or restore with --no-keys and copy them by hand."
                )
    if connection.introspection.table_names():
        raise BackupError(
            "The database is not empty: restore into a new one (dropdb / createdb, or a new "
            "SQLite file), never over a portal in use."
        )
    if database["vendor"] == "postgresql":
        binary = _pg_binary("pg_restore")
        if _pg_client_major(binary) < database["pg_dump"]:
            raise BackupError(
                f"This pg_restore is older than the pg_dump {database['pg_dump']} that made "
                "the backup: install a newer client or set PG_BIN_DIR."
            )
        connection.close()
        _run(
            [
                binary,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(folder / database["file"]),
            ]
        )
    else:
        connection.close()
        name = Path(settings.DATABASES["default"]["NAME"])
        with sqlite3.connect(folder / database["file"]) as source, sqlite3.connect(name) as dest:
            source.backup(dest)
        source.close()
        dest.close()
    result.database = database["vendor"]
    if media:
        result.media_files = _extract(folder / MEDIA_TAR, {"media": Path(settings.MEDIA_ROOT)})
    if keys:
        roots["files"] = Path("/")
        result.key_files = _extract(folder / KEYS_TAR, roots)
    result.missing_files = files_missing()
    return result


def files_missing() -> list[str]:
    """Files the database refers to that the storage does not hold."""
    missing = []
    for model in apps.get_models():
        fields = [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]
        for name in fields:
            for value in model._default_manager.exclude(**{name: ""}).values_list(name, flat=True):
                if value and not model._meta.get_field(name).storage.exists(value):
                    missing.append(value)
    return missing


def _extract(archive: Path, roots: dict[str, Path]) -> int:
    count = 0
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            top, _, rest = member.name.partition("/")
            if top not in roots or not rest:
                continue
            destination = roots[top]
            destination.mkdir(parents=True, exist_ok=True)
            member.name = rest
            # "data": nothing outside the destination, no device, no setuid (Python's filter).
            tar.extract(member, destination, filter="data")
            count += member.isfile()
    return count


# --- helpers ----------------------------------------------------------------------------------


def _private_tar(target: Path) -> tarfile.TarFile:
    target.touch(mode=0o600)
    os.chmod(target, 0o600)
    return tarfile.open(target, "w:gz")


def _write_private(path: Path, text: str) -> None:
    path.touch(mode=0o600)
    path.write_text(text)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_binary(name: str) -> str:
    folder = settings.PG_BIN_DIR
    binary = str(Path(folder) / name) if folder else shutil.which(name)
    if not binary or not Path(binary).exists():
        raise BackupError(
            f"{name} is not installed: apt-get install postgresql-client (or set PG_BIN_DIR)."
        )
    return binary


def _pg_server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _pg_client_major(binary: str) -> int:
    out = subprocess.run(  # noqa: S603 - the binary is ours, no shell
        [binary, "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if not found:
        raise BackupError(f"Cannot read the version of {binary}: {out.strip()}")
    return int(found.group(1))


def _pg_environment() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        command, env=_pg_environment(), capture_output=True, text=True
    )
    if done.returncode != 0:
        # pg_dump's message names the database and the host, never the password (PGPASSWORD).
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")
