"""A letter's delivery e-mail, rendered and encoded once per letter and worker, varied per unit.

A fan-out sends a thousand e-mails that differ in a few places only: the unit's name, its
acknowledgement link, its addresses, the Message-ID and the Date (and its tasks, when a letter's
tasks go to different units). Rendering both templates, building Django's message and encoding
it for every unit was most of a worker's CPU per e-mail. So the templates are rendered once per
letter and *shape* (the unit's tasks, whether the PDF goes attached) with markers where the
unit's name and link go, and the message is built and encoded once per shape with markers for
its addresses, Message-ID and Date; a unit's texts and e-mail are those, with the markers
replaced by its values, escaped and encoded as the templates and Django would have done.

The delivery templates may depend on the unit only through its name, its link and its tasks
(`tests/directives/dispatch/test_letter_mail.py` compares with a plain rendering). An e-mail
the markers cannot stand for (a value with a line break, a line that would outgrow SMTP's
limit, a body the encoder would not send as 8bit) is built the ordinary way.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.mime.base import MIMEBase
from email.policy import compat32
from email.utils import formatdate
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, sanitize_address
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from directives.models import Directive, Dispatch, Notification
from directives.services.notices.subjects import number_label
from directives.services.notices.transport import mime_flatten

# Markers: ASCII letters and digits, which HTML escaping, header folding and an 8bit body leave
# as they are; random, so no letter or name can contain one.
_TOKEN = secrets.token_hex(10)
_UNIT = f"unit{_TOKEN}"
_LINK = f"link{_TOKEN}"
_TO = f"to{_TOKEN}@marker.invalid"
_CC = f"cc{_TOKEN}@marker.invalid"
_MESSAGE_ID = f"<mid{_TOKEN}@marker.invalid>"
_DATE = f"date{_TOKEN}"
_HEADERS = compat32.clone(linesep="\r\n")  # how mime_flatten folds Django's headers
# Rendered texts and encoded e-mails kept per worker: a few letters' shapes.
KEPT = 64


def delivery_context(directive: Directive, dispatch: Dispatch, *, link: str) -> dict:
    """What the delivery e-mail says to one unit: its own tasks and deadlines, the link.
    `dispatch` comes from dispatches_for_delivery (which reads the letter's attachments once
    for the whole batch, not for each e-mail)."""
    return {
        "directive": directive,
        "dispatch": dispatch,
        "unit": dispatch.unit,
        "assignments": dispatch.task_assignments,
        "ack_url": link,
        "pdf_url": f"{link}?format=pdf" if link else "",
        "number": number_label(directive),
        "site_url": settings.SITE_URL,
        "pdf_attached": dispatch.pdf_attached,
        "attachment_links": dispatch.attachment_links,  # seals: the agency-signed files
    }


@dataclass(frozen=True)
class _Rendered:
    key: tuple
    text: str  # delivery.txt, markers in
    html: str  # delivery.html, markers in


_rendered: dict[tuple, _Rendered] = {}


def _shape(directive: Directive, dispatch: Dispatch, subject: str) -> tuple:
    tasks = tuple((a.task.position, a.task.title, a.due_date) for a in dispatch.task_assignments)
    return (
        directive.pk,
        directive.pdf_sha256,
        translation.get_language(),
        subject,
        tasks,
        dispatch.pdf_attached,
        tuple(tuple(link) for link in dispatch.attachment_links),
    )


def _render(directive: Directive, dispatch: Dispatch, subject: str) -> _Rendered:
    key = _shape(directive, dispatch, subject)
    found = _rendered.get(key)
    if found is None:
        # Stand-ins for the unit's own objects: a template that read anything else of them
        # would render it empty for every unit, which the comparison test shows.
        marked = SimpleNamespace(
            unit=SimpleNamespace(name=_UNIT),
            task_assignments=dispatch.task_assignments,
            pdf_attached=dispatch.pdf_attached,
            attachment_links=dispatch.attachment_links,
        )
        context = delivery_context(directive, marked, link=_LINK)
        context["dispatch"] = None
        text = render_to_string("email/delivery.txt", context)
        context.update({"row": SimpleNamespace(subject=subject), "site_url": settings.SITE_URL})
        html = render_to_string("email/delivery.html", context)
        if len(_rendered) >= KEPT:
            _rendered.clear()
        found = _rendered[key] = _Rendered(key, text, html)
    return found


def delivery_text(directive: Directive, dispatch: Dispatch, *, link: str, subject: str) -> str:
    """The plain text of a unit's delivery e-mail (the e-mail rows' body)."""
    text = _render(directive, dispatch, subject).text
    return text.replace(_UNIT, dispatch.unit.name).replace(_LINK, link).strip()


def delivery_html(directive: Directive, dispatch: Dispatch, *, link: str, subject: str) -> str:
    """The HTML part of a unit's delivery e-mail."""
    html = _render(directive, dispatch, subject).html
    return html.replace(_UNIT, escape(dispatch.unit.name)).replace(_LINK, escape(link))


def message_id(rows: Sequence[Notification]) -> str:
    """The same id on every attempt lets a mail system drop a copy it already has."""
    host = urlsplit(settings.SITE_URL).hostname or "portal.local"
    keys = "\n".join(sorted(row.key for row in rows))
    return f"<{hashlib.sha256(keys.encode()).hexdigest()[:32]}@{host}>"


def email_message(
    rows: Sequence[Notification],
    *,
    html: str,
    attachment: MIMEBase | None = None,
    contacts: frozenset[str] = frozenset(),
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """One e-mail to the addresses of `rows` (same subject and body): `contacts` in To, the
    others in Cc (all in To when no contact address is among them)."""
    first = rows[0]
    to, cc = addressees(rows, contacts)
    message = EmailMultiAlternatives(
        subject=first.subject,
        body=first.body or first.subject,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=cc,
        headers=headers or {"Message-ID": message_id(rows)},
    )
    message.attach_alternative(html, "text/html")
    if attachment is not None:
        message.attach(attachment)
    return message


def addressees(rows: Sequence[Notification], contacts: frozenset[str]) -> tuple[list, list]:
    to = [row.address for row in rows if row.address.lower() in contacts]
    cc = [row.address for row in rows if row.address.lower() not in contacts]
    return (cc, []) if not to else (to, cc)


@dataclass(frozen=True)
class _Encoded:
    """A shape's e-mail with markers, as it goes over SMTP, in three pieces: up to the HTML
    part (the headers and the plain text), the HTML part up to its last marker, and the rest
    (the PDF, mostly), sent as it is. `lines`: for each body line with markers, its length
    without them and how many of each (unit, link) it has, to keep it within SMTP's limit."""

    text: bytes
    html: bytes
    tail: bytes
    lines: tuple[tuple[int, int, int], ...]


_encoded: dict[tuple, _Encoded | None] = {}
_HTML_PART = b"Content-Type: text/html"


def _marked_lines(*bodies: str) -> tuple[tuple[int, int, int], ...]:
    found = []
    for body in bodies:
        for line in body.splitlines():
            units, links = line.count(_UNIT), line.count(_LINK)
            if units or links:
                fixed = len(line.encode()) - units * len(_UNIT) - links * len(_LINK)
                found.append((fixed, units, links))
    return tuple(found)


def _encode(
    rendered: _Rendered, subject: str, attachment: MIMEBase | None, cc: bool
) -> _Encoded | None:
    text = rendered.text.strip()
    stand_in = [
        Notification(address=_TO, subject=subject, body=text, key=""),
        *([Notification(address=_CC, subject=subject, body=text, key="")] if cc else []),
    ]
    mime = email_message(
        stand_in,
        html=rendered.html,
        attachment=attachment,
        contacts=frozenset({_TO}),
        headers={"Date": _DATE, "Message-ID": _MESSAGE_ID},
    ).message()
    texts = [part for part in mime.walk() if part.get_content_maintype() == "text"]
    if len(texts) != 2 or any(p.get("Content-Transfer-Encoding") != "8bit" for p in texts):
        return None  # a long line made a body quoted-printable: markers cannot stand in it
    raw = mime_flatten(mime)
    html_at = raw.find(_HTML_PART)
    if html_at < 0 or raw.count(_HTML_PART) != 1:
        return None
    cut = max(
        html_at, raw.rfind(_UNIT.encode()) + len(_UNIT), raw.rfind(_LINK.encode()) + len(_LINK)
    )
    return _Encoded(raw[:html_at], raw[html_at:cut], raw[cut:], _marked_lines(text, rendered.html))


def delivery_email_bytes(
    directive: Directive,
    dispatch: Dispatch,
    rows: Sequence[Notification],
    *,
    attachment: MIMEBase | None,
    contacts: frozenset[str],
) -> tuple[str, dict[str, str], bytes] | None:
    """A unit's delivery e-mail for SMTP: (sender, {address as sent: as given}, message), as
    transport.email_deliver would make it from email_message(); None when it must be built the
    ordinary way (a row's text not this letter's now, a value the markers cannot stand for)."""
    first = rows[0]
    name, link = dispatch.unit.name, first.link
    if any(c in value for value in (name, link) for c in "\r\n"):
        return None
    rendered = _render(directive, dispatch, first.subject)
    text = rendered.text.strip()
    if first.body != text.replace(_UNIT, name).replace(_LINK, link):
        return None  # written by an earlier text of the letter: that text goes out
    to, cc = addressees(rows, contacts)
    key = (rendered.key, bool(cc), settings.DEFAULT_FROM_EMAIL, attachment is not None)
    if key not in _encoded:
        if len(_encoded) >= KEPT:
            _encoded.clear()
        _encoded[key] = _encode(rendered, first.subject, attachment, bool(cc))
    encoded = _encoded[key]
    if encoded is None:
        return None
    html_name, html_link = escape(name), escape(link)
    widest = max(len(html_name.encode()), len(name.encode()))
    longest = max(len(html_link.encode()), len(link.encode()))
    if any(
        fixed + units * widest + links * longest > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for fixed, units, links in encoded.lines
    ):
        return None
    encoding = settings.DEFAULT_CHARSET
    sent_to = [address_sent(a, encoding) for a in to]
    sent_cc = [address_sent(a, encoding) for a in cc]
    head = _addresses_filled(encoded.text, to=sent_to, cc=sent_cc)
    head = head.replace(_MESSAGE_ID.encode(), message_id(rows).encode(), 1).replace(
        _DATE.encode(), formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode(), 1
    )
    data = b"".join(
        (
            _body_filled(head, name, link),
            _body_filled(encoded.html, html_name, html_link),
            encoded.tail,
        )
    )
    sender = address_sent(settings.DEFAULT_FROM_EMAIL, encoding)
    return sender, dict(zip([*sent_to, *sent_cc], [*to, *cc], strict=True)), data


# A bare address of ASCII letters, digits and the atom's signs, which sanitize_address gives back
# as it is (tested): parsing it is most of the cost of naming a unit's recipients.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


def address_sent(address: str, encoding: str) -> str:
    """An address as Django's backend sends it (sanitize_address)."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    key = (address, encoding)
    sent = _senders.get(key)
    if sent is None:
        # The sender, with its display name, is the same on every e-mail of a worker's life.
        if len(_senders) >= KEPT:
            _senders.clear()
        sent = _senders[key] = sanitize_address(address, encoding)
    return sent


_senders: dict[tuple[str, str], str] = {}


def _body_filled(part: bytes, name: str, link: str) -> bytes:
    return part.replace(_UNIT.encode(), name.encode()).replace(_LINK.encode(), link.encode())


def _addresses_filled(head: bytes, *, to: list[str], cc: list[str]) -> bytes:
    """The address headers, folded as mime_flatten folds them."""
    head = head.replace(
        b"To: " + _TO.encode() + b"\r\n", _HEADERS.fold_binary("To", ", ".join(to)), 1
    )
    if cc:
        head = head.replace(
            b"Cc: " + _CC.encode() + b"\r\n", _HEADERS.fold_binary("Cc", ", ".join(cc)), 1
        )
    return head
