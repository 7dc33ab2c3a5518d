"""The one-click acknowledgement link of the e-mail (its token), and the first opening of a
letter. The acknowledgement itself, which also accepts the letter into the unit's book, is
`directives.services.incoming.dispatch_acknowledge`.

A link carries a signed, single-purpose token bound to one dispatch AND to the SHA-256 of the PDF
the unit was sent: a link for an old PDF (the directive was replaced) or a recalled directive
acknowledges nothing. Opening a link never changes anything; only the POST of its button does.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directives.models import Directive, Dispatch
from directives.services.events import event_record
from recipients.models import User

ACK_SALT = "directives.ack"


class AckLinkError(Exception):
    """A link that cannot acknowledge; `message` is what the person holding it is told."""

    title = _("This link cannot be used")
    message = _("This acknowledgement link is not valid.")

    def __init__(self, dispatch: Dispatch | None = None):
        super().__init__(str(self.message))
        self.dispatch = dispatch


class AckLinkInvalid(AckLinkError):
    title = _("Invalid link")
    message = _(
        "This acknowledgement link is not valid: it may have been copied incompletely or altered. "
        "Open the link from the e-mail again, or sign in to the portal to acknowledge."
    )


class AckLinkExpired(AckLinkError):
    title = _("Link expired")
    message = _(
        "This acknowledgement link has expired. Sign in to the portal to acknowledge the "
        "document from your unit's inbox, or ask the issuing office to send it again."
    )


class AckLinkUsed(AckLinkError):
    title = _("Already acknowledged")
    message = _("Your unit has already acknowledged receipt of this document. Nothing more to do.")


class AckLinkWithdrawn(AckLinkError):
    title = _("Document withdrawn")
    message = _(
        "This document has been recalled or replaced by the issuing office, so it can no longer "
        "be acknowledged. If it was replaced, you will receive the new document separately."
    )


class AckLinkOutdated(AckLinkError):
    title = _("Document changed")
    message = _(
        "The document this link was sent for has changed since the e-mail was sent. Use the link "
        "in the most recent e-mail about it, or sign in to the portal."
    )


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=ACK_SALT)


def ack_token_make(dispatch: Dispatch) -> str:
    """A token for this dispatch and the PDF it was sent with."""
    return _signer().sign_object({"d": dispatch.pk, "h": dispatch.directive.pdf_sha256})


def ack_token_read(token: str, *, allow_used: bool = False) -> Dispatch:
    """The dispatch a token acknowledges, or an AckLinkError saying why it cannot."""
    max_age = datetime.timedelta(days=settings.ACK_LINK_MAX_AGE_DAYS)
    try:
        payload = _signer().unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise AckLinkExpired() from None
    except (signing.BadSignature, ValueError, TypeError):
        raise AckLinkInvalid() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("d"), int):
        raise AckLinkInvalid()
    dispatch = Dispatch.objects.select_related("directive", "unit").filter(pk=payload["d"]).first()
    if dispatch is None:
        raise AckLinkInvalid()
    directive = dispatch.directive
    if directive.status != Directive.Status.ISSUED:
        raise AckLinkWithdrawn(dispatch)
    if not directive.pdf_sha256 or payload.get("h") != directive.pdf_sha256:
        raise AckLinkOutdated(dispatch)
    if dispatch.acknowledged_at is not None and not allow_used:
        raise AckLinkUsed(dispatch)
    return dispatch


def dispatch_mark_seen(*, dispatch: Dispatch, by: User | None) -> Dispatch:
    """Record the first time someone of the unit opened the directive."""
    with transaction.atomic():
        now = timezone.now()
        person = by if by is not None and by.is_authenticated else None
        # Conditional update: of two simultaneous first views, only one records "seen".
        updated = Dispatch.objects.filter(pk=dispatch.pk, seen_at__isnull=True).update(
            seen_at=now, seen_by=person
        )
        if updated:
            dispatch.seen_at = now
            dispatch.seen_by = person
            event_record(
                directive=dispatch.directive,
                verb="seen",
                by=person,
                unit=dispatch.unit,
                data={"dispatch": dispatch.pk},
            )
    return dispatch
