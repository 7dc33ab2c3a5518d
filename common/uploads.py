"""Checks on uploaded files: by their content (magic bytes), not by their name, and by size.

Issue 17, finding 7: the name's extension must agree with the content; an Office file (DOCX,
XLSX, ODT) must be a sound zip holding its expected parts, inflating to no more than
OFFICE_MAX_INFLATED_BYTES and with no macros; a PDF must carry no script (/JavaScript, /JS),
no launch action, no additional actions (/AA) and no /OpenAction other than a destination (the
initial page and zoom, which LibreOffice writes into every PDF it exports).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

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


# The extensions each kind may have in its name.
EXTENSIONS = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
    "odt": (".odt",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
}
# The parts an Office file of each kind must hold.
OFFICE_PARTS = {
    "docx": ("[Content_Types].xml", "word/document.xml"),
    "xlsx": ("[Content_Types].xml", "xl/workbook.xml"),
    "odt": ("mimetype", "content.xml"),
}
MACRO_PARTS = ("word/vbaProject.bin", "xl/vbaProject.bin")
# Names that make a PDF run something when opened or when a page or field is touched.
PDF_ACTIVE_NAMES = {b"JavaScript", b"JS", b"Launch", b"AA"}
_PDF_NAME = re.compile(rb"/((?:[^\s/<>\[\]()%{}]|#[0-9A-Fa-f]{2})+)")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_PDF_OBJECT_STREAM = re.compile(rb"\s*\d+\s+\d+\s+\d+\s+\d+")
_PDF_OPEN_ACTION = re.compile(rb"/OpenAction\s*(\S)")


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


def _office_problem(upload: UploadedFile, kind: str) -> str | None:
    """Why this zip is not a sound Office file of its kind, or None."""
    limit = settings.OFFICE_MAX_INFLATED_BYTES
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if len(infos) > settings.OFFICE_MAX_PARTS:
                return "parts"
            if any(part not in names for part in OFFICE_PARTS[kind]):
                return "parts"
            if names & set(MACRO_PARTS):
                return "macros"
            if sum(info.file_size for info in infos) > limit:
                return "inflated"
            inflated = 0
            for info in infos:  # the declared sizes may lie: count what really comes out
                with archive.open(info) as part:
                    while chunk := part.read(64 * 1024):
                        inflated += len(chunk)
                        if inflated > limit:
                            return "inflated"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error):
        return "zip"
    except NotImplementedError:  # a compression method no Office program writes
        return "zip"
    finally:
        upload.seek(0)
    return None


def _pdf_names(data: bytes):
    for match in _PDF_NAME.finditer(data):
        yield re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1])


def _pdf_is_active(upload: UploadedFile) -> bool:
    """True if the PDF carries a script or an action that runs by itself.

    The names are looked for in the file and inside its compressed streams (object streams
    hide dictionaries there), with the #xx escapes of PDF names decoded."""
    upload.seek(0)
    data = b"".join(upload.chunks())
    upload.seek(0)
    budget = settings.OFFICE_MAX_INFLATED_BYTES
    # The dictionaries outside streams (a stream's bytes, an image's say, are not looked at:
    # binary data holds "/JS" by chance), and those inside object streams, which begin with
    # their objects' numbers and offsets.
    texts = [_PDF_STREAM.sub(b"stream endstream", data)]
    for stream in _PDF_STREAM.finditer(data):
        try:
            text = zlib.decompressobj().decompress(stream[1], budget)
        except zlib.error:
            continue
        budget -= len(text)
        if budget <= 0:
            return True  # a PDF whose streams inflate beyond the limit is refused too
        if _PDF_OBJECT_STREAM.match(text):
            texts.append(text)
    for text in texts:
        if any(name in PDF_ACTIVE_NAMES for name in _pdf_names(text)):
            return True
        # /OpenAction [page /XYZ …] opens at a page; anything else (<< /S … >>, a reference
        # to an action) is an action.
        if any(m[1] != b"[" for m in _PDF_OPEN_ACTION.finditer(text)):
            return True
    return False


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
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in EXTENSIONS[kind]:
        raise ValidationError(
            _("“%(name)s” is a %(kind)s file but its name ends in “%(suffix)s”.")
            % {"name": upload.name, "kind": kind.upper(), "suffix": suffix or "…"}
        )
    if kind in OFFICE_PARTS:
        problem = _office_problem(upload, kind)
        if problem == "inflated":
            raise ValidationError(
                _("“%(name)s” unpacks to more than %(limit)d MB; it cannot be accepted.")
                % {"name": upload.name, "limit": settings.OFFICE_MAX_INFLATED_BYTES // 2**20}
            )
        if problem == "macros":
            raise ValidationError(
                _("“%(name)s” contains macros; save it without them.") % {"name": upload.name}
            )
        if problem:
            raise ValidationError(
                _("“%(name)s” is not a valid %(kind)s file (damaged or incomplete).")
                % {"name": upload.name, "kind": kind.upper()}
            )
    if kind == "pdf" and _pdf_is_active(upload):
        raise ValidationError(
            _(
                "“%(name)s” contains scripts or actions that run when it is opened; "
                "print it to a new PDF and upload that one."
            )
            % {"name": upload.name}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        kind=kind, content_type=CONTENT_TYPES[kind], size=upload.size, sha256=digest.hexdigest()
    )
