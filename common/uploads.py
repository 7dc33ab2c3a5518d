"""Checks on uploaded files: by their content (magic bytes), not by their name, and by size."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # pdf, docx, xlsx, odt, png, jpeg
    content_type: str
    size: int
    sha256: str


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpeg": "image/jpeg",
}


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "ignore").strip()
                    if mimetype == CONTENT_TYPES["odt"]:
                        return "odt"
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        finally:
            upload.seek(0)
    return None


def check_upload(
    upload: UploadedFile,
    *,
    allowed: tuple[str, ...] = tuple(CONTENT_TYPES),
    max_bytes: int | None = None,
) -> CheckedFile:
    """Return what the file really is, or raise ValidationError with a message for the user."""
    limit = max_bytes if max_bytes is not None else settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)d MB.")
            % {"name": upload.name, "limit": limit // (1024 * 1024)}
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name})
    kind = _sniff(upload)
    if kind not in allowed:
        raise ValidationError(
            _("“%(name)s” is not an accepted file. Accepted: %(kinds)s.")
            % {"name": upload.name, "kinds": ", ".join(k.upper() for k in allowed)}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        kind=kind, content_type=CONTENT_TYPES[kind], size=upload.size, sha256=digest.hexdigest()
    )
