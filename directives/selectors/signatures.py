"""The signatures of a directive's issued PDF, as its pages show them.

The caller has already reached the directive through the scoping selectors. The issued PDF never
changes (Directive.pdf_sha256), so its check is cached by that hash: a page reads and validates the
file only the first time.
"""

from __future__ import annotations

import hashlib
import logging

from directives.documents.verification import (
    VerificationReport,
    check_pdf_signatures,
    verify_pdf_bytes,
)
from directives.models import Directive

logger = logging.getLogger(__name__)


class _StoredFileChanged(Exception):
    def __init__(self, data: bytes):
        super().__init__("stored PDF changed")
        self.data = data


def directive_pdf_signatures(directive: Directive) -> VerificationReport | None:
    """The report of the issued PDF's signatures; None while there is no signed PDF."""
    if directive.pdf_status != Directive.PdfStatus.READY or not directive.pdf:
        return None
    if not directive.pdf_sha256:
        return None

    def load() -> bytes:
        with directive.pdf.open("rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != directive.pdf_sha256:
            raise _StoredFileChanged(data)
        return data

    try:
        check = check_pdf_signatures(directive.pdf_sha256, load)
    except OSError as exc:
        logger.warning("The signed PDF of directive %s cannot be read: %s", directive.pk, exc)
        return None
    except _StoredFileChanged as changed:
        # Not the file the portal issued: checked as any file is, and shown as such.
        logger.error("The stored PDF of directive %s no longer matches its hash", directive.pk)
        return verify_pdf_bytes(changed.data)
    return VerificationReport(sha256=directive.pdf_sha256, size=0, directive=directive, check=check)
