"""How edXML messages travel: one small interface, `Transport`, and the drop folder.

A transport hands a message out under a name, exactly once (`send` answers False, writing
nothing, when a message of that name went already; `sent` asks first), and hands incoming
messages in, each until the caller says what became of it. The drop folder is the one a gateway
program (the province's connector to the national exchange platform, Trục liên thông văn bản
quốc gia) reads and fills: `EDXML_OUTBOX_DIR` for what the portal sends, `EDXML_INBOX_DIR` for
what it receives. `PeerHttps` posts a message to another portal installation's endpoint
(`EDXML_PEERS`: the peer's URL and token per OrganId) and keeps the drop folder for the rest.
The national platform's own API is not public: its adapter is another `Transport` (see
docs/edxml.md) chosen by `transport()`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

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
    def send(self, name: str, data: bytes, *, to: str = "") -> bool:
        """Hand the message out once: False (nothing written) if `name` went already. `to`
        is the addressee's OrganId (a transport that routes by it reads it)."""

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

    def send(self, name: str, data: bytes, *, to: str = "") -> bool:
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


class PeerUnreachable(OSError):
    """The peer did not answer, or answered with an error worth trying again (the outbox's
    backoff retries it: an OSError, as a full disk is)."""


class PeerRefused(Exception):
    """The peer read the message and refused it for good (its status 02 says why)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Peer:
    url: str
    token: str


def peers_from_setting(value) -> dict[str, Peer]:
    """`EDXML_PEERS`: `{"OrganId": {"url": ..., "token": ...}}` (JSON in the environment)."""
    return {
        organ_id: Peer(url=str(entry["url"]), token=str(entry.get("token", "")))
        for organ_id, entry in (value or {}).items()
    }


class PeerHttps(DropFolder):
    """Portal to portal: a message to an OrganId that `EDXML_PEERS` names is posted to that
    portal's `POST /exchange/edxml/` with its token; any other goes to the drop folder.

    Exactly once: a message is claimed (a marker created exclusively) before it is posted, and
    a copy is written to the outbox once the peer took it, as the record that it went. A job
    redelivered finds the record and posts nothing; a second worker finds the claim. When the
    reply was lost the retry posts again and the peer, which refuses a DocumentId it entered
    before, answers `duplicate`: that is the proof it has the message, recorded as delivered.
    A network error or a 5xx/401/429 is `PeerUnreachable` (the job's backoff); another refusal
    is recorded (the copy under `refused/` with the reason) and raised as `PeerRefused`."""

    def __init__(self, *, outbox: Path, inbox: Path, peers: dict[str, Peer], timeout: float):
        super().__init__(outbox=outbox, inbox=inbox)
        self.peers = peers
        self.timeout = timeout

    def sent(self, name: str) -> bool:
        return super().sent(name) or (self.outbox / REFUSED / f"{name}{SUFFIX}").exists()

    def send(self, name: str, data: bytes, *, to: str = "") -> bool:
        peer = self.peers.get(to)
        if peer is None:
            return super().send(name, data, to=to)
        if self.sent(name):
            return False
        claim = self._claim(name)
        if claim is None:
            return False
        try:
            try:
                self._post(peer, data)
            except PeerRefused as refusal:
                if refusal.code != DUPLICATE:
                    self._record_refused(name, data, refusal)
                    raise
                logger.info("edXML %s: the peer had it already (a lost reply)", name)
            super().send(name, data, to=to)
        finally:
            claim.unlink(missing_ok=True)
        return True

    def _claim(self, name: str) -> Path | None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        claim = self.outbox / f".{name}.claim"
        try:
            if time.time() - claim.stat().st_mtime >= CLAIM_SECONDS:
                claim.unlink(missing_ok=True)  # a worker that died while posting
        except FileNotFoundError:
            pass
        try:
            os.close(os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return None
        return claim

    def _record_refused(self, name: str, data: bytes, refusal: PeerRefused) -> None:
        folder = self.outbox / REFUSED
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}{SUFFIX}").write_bytes(data)
        (folder / f"{name}{SUFFIX}.reason.txt").write_text(str(refusal) + "\n", encoding="utf-8")

    def _post(self, peer: Peer, data: bytes) -> dict:
        if not peer.url.startswith(("https://", "http://")):
            raise PeerUnreachable(f"EDXML_PEERS: {peer.url!r} is not an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            peer.url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Bearer {peer.token}",
                "Content-Type": "application/xml",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return _json(response.read())
        except urllib.error.HTTPError as exc:
            body = _json(exc.read())
            if exc.code in (413, 422):
                raise PeerRefused(str(body.get("code") or exc.code), str(body.get("reason", "")))
            raise PeerUnreachable(f"{peer.url} answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise PeerUnreachable(f"{peer.url} unreachable: {exc}") from exc


DUPLICATE = "duplicate"  # the peer's refusal code for a DocumentId it entered before


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def transport() -> DropFolder:
    """The transport the settings name: the drop folder, with portal-to-portal HTTPS for the
    OrganIds `EDXML_PEERS` names."""
    folders = {"outbox": settings.EDXML_OUTBOX_DIR, "inbox": settings.EDXML_INBOX_DIR}
    peers = peers_from_setting(settings.EDXML_PEERS)
    if not peers:
        return DropFolder(**folders)
    return PeerHttps(**folders, peers=peers, timeout=settings.EDXML_PEER_TIMEOUT)
