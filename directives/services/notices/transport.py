"""The worker process's SMTP connection, opened once and reused by every send job.

Opening a connection (TCP, greeting, EHLO, and STARTTLS and AUTH on a real server) costs more
than handing over one small e-mail, and a fan-out sends thousands. So a worker process keeps one
connection: it is reopened after NOTIFY_SMTP_MAX_MESSAGES messages (servers cap messages per
connection), when it sat idle longer than NOTIFY_SMTP_MAX_IDLE_SECONDS (servers drop idle
clients), when the server has closed it or said something unasked (a 421 before hanging up),
when the e-mail settings change, and after any error. An e-mail is handed over once per attempt:
a failure goes back to the caller, whose retry with backoff finds a fresh connection.

Only the SMTP backend is kept open: the file backend would put every e-mail of a worker's life
into one file, and the others hold no connection.
"""

from __future__ import annotations

import os
import secrets
import select
import smtplib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32
from io import BytesIO

from celery import signals
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.utils.module_loading import import_string

# Errors worth retrying: the SMTP server or the network, not our data.
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, socket.timeout, OSError)


@dataclass
class _Held:
    backend: SmtpBackend
    config: tuple
    sent: int = 0
    used_at: float = 0.0


# One connection per process; the lock keeps a threaded pool from interleaving two messages.
_lock = threading.Lock()
_held: _Held | None = None


def _config() -> tuple:
    return (
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_HOST_PASSWORD,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
        settings.EMAIL_TIMEOUT,
    )


def email_reusable() -> bool:
    """Whether e-mails go over the process's kept SMTP connection (the SMTP backend)."""
    return issubclass(import_string(settings.EMAIL_BACKEND), SmtpBackend)


def _quiet(backend: SmtpBackend) -> bool:
    """Open, and nothing to read: a server that hung up or sent a 421 made the socket readable.

    A zero-timeout select, no round trip: checked before every e-mail."""
    sock = getattr(backend.connection, "sock", None)
    if sock is None:
        return False
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _discard(backend: SmtpBackend) -> None:
    """Close the sockets without a QUIT, which could block on a broken connection."""
    for raw in (backend.connection, getattr(backend, "_partial_connection", None)):
        if raw is not None:
            raw.close()
    backend.connection = None
    if hasattr(backend, "_partial_connection"):
        backend._partial_connection = None


def _take() -> _Held:
    """The held connection if still good to use, else a new one."""
    global _held
    held = _held
    if held is not None:
        worn = held.sent >= settings.NOTIFY_SMTP_MAX_MESSAGES
        idle = time.monotonic() - held.used_at > settings.NOTIFY_SMTP_MAX_IDLE_SECONDS
        if held.config == _config() and not worn and not idle and _quiet(held.backend):
            return held
        _held = None
        _release(held.backend)
    backend = get_connection(fail_silently=False)
    try:
        backend.open()
    except Exception:
        _discard(backend)
        raise
    _held = _Held(backend=backend, config=_config(), used_at=time.monotonic())
    return _held


def _release(backend: SmtpBackend) -> None:
    """QUIT politely when the server is still listening; otherwise just close the socket."""
    if not _quiet(backend):
        _discard(backend)
        return
    try:
        backend.close()
    except (OSError, smtplib.SMTPException):
        _discard(backend)


def _drop() -> None:
    global _held
    if _held is not None:
        _discard(_held.backend)
        _held = None


def email_deliver(
    message: EmailMessage, *, before_data: Callable[[], None] | None = None
) -> dict[str, tuple[int, bytes]]:
    """Hand one e-mail to the mail server on this process's connection.

    `before_data` is called once the server has answered for the recipients, just before the
    message itself goes over (the point after which the server may have it): a delivery job
    waits there for the record of its previous e-mail. Should it raise, nothing was handed
    over and the connection is dropped.

    Returns the recipients the server refused while accepting the others (address as the
    message gave it -> SMTP code and text): Django's backend drops that answer, so the SMTP
    dialogue is done here, as its backend does it. Raises what the server or the network
    raised (every recipient refused included); after any error the connection is dropped, so
    the next e-mail starts on a clean one.
    """
    if not email_reusable():
        message.send(fail_silently=False)
        return {}
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    # The server answers for the address as sent; the caller knows it as it was given.
    given = {sanitize_address(a, encoding): a for a in message.recipients()}
    return email_bytes_deliver(
        sender, given, mime_flatten(message.message()), before_data=before_data
    )


def email_bytes_deliver(
    sender: str,
    given: dict[str, str],
    data: bytes,
    *,
    before_data: Callable[[], None] | None = None,
) -> dict[str, tuple[int, bytes]]:
    """email_deliver for an e-mail already encoded: `given` maps each recipient as sent to the
    address as the caller knows it. Only on a kept connection (email_reusable)."""
    with _lock:
        held = _take()
        smtp = held.backend.connection
        try:
            if before_data is not None:
                # smtplib's sendmail has no hook between RCPT and DATA: its own data(), preceded.
                smtp.data = _preceded(smtp.data, before_data)
            refused = smtp.sendmail(sender, list(given), data)
        except smtplib.SMTPRecipientsRefused as exc:
            _drop()
            raise smtplib.SMTPRecipientsRefused(
                {given.get(a, a): answer for a, answer in exc.recipients.items()}
            ) from exc
        except BaseException:
            # Whatever state the SMTP dialogue is in (a soft time limit may strike mid-DATA),
            # the next e-mail must not continue it.
            _drop()
            raise
        finally:
            smtp.__dict__.pop("data", None)
        held.sent += 1
        held.used_at = time.monotonic()
    return {given.get(a, a): answer for a, answer in refused.items()}


def _preceded(data: Callable, before: Callable[[], None]) -> Callable:
    def preceded(msg):
        before()
        return data(msg)

    return preceded


class _Flattener(BytesGenerator):
    """The standard library's generator, writing a base64 PDF part in one piece.

    It writes an encoded part line by line; for the signed PDF attached to the e-mail of every
    unit of a fan-out, that is most of the work of flattening a message. The PDF's part object
    is shared by all those e-mails (sending._pdf_part), so its bytes are kept with it, per line
    ending. It also draws multipart boundaries without searching the message for them, and
    folds a header once for all the e-mails of a fan-out that carry it unchanged (the subject,
    the sender, each part's own headers): folding is most of the rest. Everything else is the
    standard generator's own work."""

    def _write_headers(self, msg) -> None:
        policy = self.policy
        # What compat32's folding depends on (Django's messages use it); another policy folds
        # as the standard generator does.
        known = type(policy) is Compat32
        fold_by = (policy.linesep, policy.max_line_length, policy.cte_type)
        for name, value in msg.raw_items():
            key = (name, value, fold_by) if known and isinstance(value, str) else None
            folded = _folded.get(key) if key is not None else None
            if folded is None:
                folded = policy.fold_binary(name, value)
                if key is not None:
                    if len(_folded) >= FOLDED_KEPT:
                        _folded.clear()
                    _folded[key] = folded
            self._fp.write(folded)
        self.write(self._NL)

    @classmethod
    def _make_boundary(cls, text=None) -> str:
        # The standard generator draws a boundary, then searches the whole message for it (the
        # PDF's base64 included) with a pattern compiled anew each time. 128 random bits are a
        # boundary no sender or recipient could have put in the text beforehand.
        return "=_" + secrets.token_hex(16)

    def _handle_application_pdf(self, msg) -> None:
        payload = msg._payload
        if str(msg.get("Content-Transfer-Encoding", "")).lower() != "base64" or not isinstance(
            payload, str
        ):
            self._handle_text(msg)
            return
        known = _flat_parts.get((id(msg), self._NL))
        if known is None or known[0] is not msg:
            text = self._NL.join(payload.splitlines())
            if payload.endswith("\n"):
                text += self._NL
            known = (msg, text.encode("ascii"))
            while len(_flat_parts) >= FLAT_PARTS_KEPT:
                _flat_parts.pop(next(iter(_flat_parts)))
            _flat_parts[(id(msg), self._NL)] = known
        self._fp.write(known[1])


_flat_parts: dict[tuple[int, str], tuple[object, bytes]] = {}
FLAT_PARTS_KEPT = 8
# Folded headers by name, value and policy: those of one letter's e-mails repeat a thousand
# times; an address or a Message-ID is used once, so the table is emptied when full.
_folded: dict[tuple, bytes] = {}
FOLDED_KEPT = 512


def mime_flatten(mime: Message) -> bytes:
    """A MIME message as it goes over SMTP (CRLF line endings), as Django's backend makes it."""
    buffer = BytesIO()
    _Flattener(buffer, mangle_from_=False).flatten(mime, linesep="\r\n")
    return buffer.getvalue()


def email_connection_close(**_signal_kwargs) -> None:
    """Say QUIT to the server: at worker shutdown, and wherever a process stops sending."""
    global _held
    with _lock:
        held, _held = _held, None
        if held is not None:
            _release(held.backend)


def _forget_after_fork() -> None:
    """A forked child must not write on its parent's socket; it opens its own when it sends."""
    global _held, _lock
    _lock = threading.Lock()
    if _held is not None:
        held, _held = _held, None
        _discard(held.backend)


os.register_at_fork(after_in_child=_forget_after_fork)
# worker_process_shutdown: a prefork child; worker_shutdown: the solo and thread pools send
# from the worker's own process. weak=False: the receivers live as long as the process.
signals.worker_process_shutdown.connect(email_connection_close, weak=False)
signals.worker_shutdown.connect(email_connection_close, weak=False)
