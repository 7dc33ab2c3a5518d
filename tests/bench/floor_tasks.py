"""The floor of the fan-out bench: a bare Celery task that sends one e-mail, nothing else.

The bench's worker processes load this module (`celery -A portal worker -I
tests.bench.floor_tasks -Q pdf,mail,floor`), so the floor runs in the very processes that run
the portal's fan-out. One task per message, as the portal has one delivery job per unit: a
plain-text part, an HTML part padded so that the whole message is as large as the portal's
delivery e-mail, and the same PDF attachment, to the same two addresses a unit has (To and
Cc), over one SMTP connection per worker process, opened once and kept. No database, no
template, no record of the outcome: the message is MIME-encoded once per process and only its
addresses and subject change; what is left is the broker, the task and SMTP.
"""

from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage
from pathlib import Path

from celery import shared_task

SENDER = "floor@bench.invalid"
PAD_LINE = "x" * 76 + "\n"  # short ASCII lines: the HTML part stays 7bit, its size exact
PAD_LINE_WIRE = len(PAD_LINE) + 1  # "\n" goes out as CRLF

# Placeholders of the per-message fields, as long as the bench's own values (ASCII: the
# subject the bench passes is plain ASCII too, so no header encoding changes the size).
TO = "vanphong.h00000@floor.bench"
CC = "canbo.h00000@floor.bench"
SUBJECT = "Cong van so 0000/STTTT-TTBCXB"

_smtp: dict[tuple[str, int], smtplib.SMTP] = {}
_templates: dict[tuple[str, int], bytes] = {}


def _connection(host: str, port: int) -> smtplib.SMTP:
    smtp = _smtp.get((host, port))
    if smtp is None:
        smtp = smtplib.SMTP(host, port, timeout=30)
        smtp.ehlo()
        _smtp[(host, port)] = smtp
    return smtp


def _message(to: str, cc: str, subject: str, pdf: bytes, pad: int) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)  # CRLF line ends, as on the wire
    message["Subject"] = subject
    message["From"] = SENDER
    message["To"] = to
    message["Cc"] = cc
    message.set_content(f"{subject}\n\nThe letter is attached.\n")
    lines, rest = divmod(max(pad, 0), PAD_LINE_WIRE)
    filler = PAD_LINE * lines + "x" * rest
    message.add_alternative(f"<p>{subject}</p>\n<!--\n{filler}\n-->\n", subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="letter.pdf")
    return message


def _template(pdf_path: str, size: int) -> bytes:
    """The message with placeholders for its addresses and subject, built and MIME-encoded once
    per process (the portal, too, encodes the PDF part once per worker process)."""
    key = (pdf_path, size)
    raw = _templates.get(key)
    if raw is None:
        pdf = Path(pdf_path).read_bytes()
        unpadded = len(_message(TO, CC, SUBJECT, pdf, 0).as_bytes())
        raw = _message(TO, CC, SUBJECT, pdf, size - unpadded).as_bytes()
        _templates[key] = raw
    return raw


@shared_task(name="bench.floor_send", ignore_result=True)
def floor_send(host: str, port: int, to: str, cc: str, subject: str, pdf_path: str, size: int):
    """Send one message of about `size` bytes carrying the PDF at `pdf_path` to `to` and `cc`."""
    raw = (
        _template(pdf_path, size)
        .replace(TO.encode(), to.encode())
        .replace(CC.encode(), cc.encode())
        .replace(SUBJECT.encode(), subject.encode())
    )
    try:
        _connection(host, port).sendmail(SENDER, [to, cc], raw)
    except smtplib.SMTPServerDisconnected:  # the kept connection went away: one new one
        _smtp.pop((host, port), None)
        _connection(host, port).sendmail(SENDER, [to, cc], raw)
