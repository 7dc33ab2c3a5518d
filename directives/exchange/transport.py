"""How edXML messages travel: one small interface, `Transport`, and the drop folder.

A transport hands a message out under a name, exactly once (`send` answers False, writing
nothing, when a message of that name went already; `sent` asks first), and hands incoming
messages in, each until the caller says what became of it. The drop folder is the one a gateway
program (the province's connector to the national exchange platform, Trục liên thông văn bản
quốc gia) reads and fills: `EDXML_OUTBOX_DIR` for what the portal sends, `EDXML_INBOX_DIR` for
what it receives. The national platform's own API is not public: its adapter is another
`Transport` (see docs/edxml.md) chosen by `transport()`.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings

SUFFIX = ".edxml"
PROCESSED = "processed"
REFUSED = "refused"
WORKING = "working"
# A reader takes seconds over a message; a claim older than this belongs to one that died.
CLAIM_SECONDS = 600


def message_name(*parts: str) -> str:
    """A file name from a DocumentId and the other parts that make a message unique:
    `000.00.31.H18,2026/12/01,1038/STTTT-TTBCXB` becomes `000.00.31.H18_2026-12-01_1038-...`."""
    text = "__".join(parts)
    text = text.replace("/", "-").replace(",", "_")
    return re.sub(r"[^0-9A-Za-z._-]", "-", text)[:200]


@dataclass
class Incoming:
    name: str
    data: bytes
    path: Path


class Transport(Protocol):
    def send(self, name: str, data: bytes) -> bool:
        """Hand the message out once: False (nothing written) if `name` went already."""

    def sent(self, name: str) -> bool:
        """Whether a message of that name went already (to skip building it again)."""

    def incoming(self, *, max_bytes: int) -> Iterator[Incoming]:
        """The messages waiting, oldest first; at most `max_bytes + 1` bytes of each."""

    def done(self, item: Incoming, *, refused_reason: str = "") -> None:
        """The message was entered (or refused with the reason): do not hand it in again."""


class DropFolder:
    def __init__(self, *, outbox: Path, inbox: Path) -> None:
        self.outbox = Path(outbox)
        self.inbox = Path(inbox)

    def send(self, name: str, data: bytes) -> bool:
        self.outbox.mkdir(parents=True, exist_ok=True)
        final = self.outbox / f"{name}{SUFFIX}"
        if final.exists():
            return False
        # Written whole under a temporary name, then linked: a gateway never reads half a file,
        # and of two workers writing the same message at once only one link succeeds.
        temporary = self.outbox / f".{name}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temporary, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, final)
            except FileExistsError:
                return False
        finally:
            temporary.unlink(missing_ok=True)
        return True

    def sent(self, name: str) -> bool:
        return (self.outbox / f"{name}{SUFFIX}").exists()

    def incoming(self, *, max_bytes: int) -> Iterator[Incoming]:
        if not self.inbox.is_dir():
            return
        self.unclaimed()
        paths = sorted(
            (p for p in self.inbox.iterdir() if p.is_file() and p.suffix in (SUFFIX, ".xml")),
            key=lambda p: (p.stat().st_mtime, p.name),
        )
        working = self.inbox / WORKING
        working.mkdir(exist_ok=True)
        for path in paths:
            # Claimed by a rename: of two readers at once, one takes the file, the other skips it.
            claimed = working / path.name
            try:
                os.rename(path, claimed)
                os.utime(claimed)  # the claim's time, for `unclaimed`
            except OSError:
                continue
            try:
                with open(claimed, "rb") as handle:
                    data = handle.read(max_bytes + 1)  # one byte more: the parser says too large
            except OSError:
                continue
            yield Incoming(name=path.name, data=data, path=claimed)

    def unclaimed(self, *, older_than: float = CLAIM_SECONDS) -> int:
        """Messages a reader claimed `older_than` seconds ago and never finished (it died):
        handed back to the inbox for the next reader."""
        working = self.inbox / WORKING
        if not working.is_dir():
            return 0
        count, now = 0, time.time()
        for path in working.iterdir():
            try:
                if now - path.stat().st_mtime >= older_than:
                    os.replace(path, self.inbox / path.name)
                    count += 1
            except OSError:
                continue
        return count

    def done(self, item: Incoming, *, refused_reason: str = "") -> None:
        folder = self.inbox / (REFUSED if refused_reason else PROCESSED)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / item.name
        if target.exists():
            target = folder / f"{uuid.uuid4().hex[:8]}-{item.name}"
        os.replace(item.path, target)
        if refused_reason:
            target.with_name(target.name + ".reason.txt").write_text(
                refused_reason + "\n", encoding="utf-8"
            )


def transport() -> DropFolder:
    """The transport the settings name; the drop folder today."""
    return DropFolder(outbox=settings.EDXML_OUTBOX_DIR, inbox=settings.EDXML_INBOX_DIR)
