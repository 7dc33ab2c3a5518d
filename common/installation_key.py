"""The development secret key: made once per installation, kept in VAR_DIR, readable by its
owner only. Production never uses it: there SECRET_KEY comes from the environment."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

KEY_BYTES = 50


def installation_secret_key(path: Path) -> str:
    """The key stored at `path`, made there first if there is none (mode 0600).

    The web process, the worker and beat start together under `make run`: the key is written to
    a private temporary file and linked into place, so that exactly one of them makes it and
    none reads a half-written file."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
        # Another process may have made it first (or an empty file is there): theirs is read.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it and start again")
    return key
