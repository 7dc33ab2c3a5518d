"""What is sent: directives and everything that hangs off them.

Only services (directives/services/) change these rows; views and tasks call
services. An issued directive never changes except by recall or replacement.
"""

from directives.models.delivery import (
    Assignment,
    Dispatch,
    ExtensionRequest,
    Notification,
    ReportFile,
)
from directives.models.incoming import (
    IncomingAttachment,
    IncomingBook,
    IncomingEntry,
    ReceivingStatus,
)
from directives.models.letters import (
    DOCUMENT_TYPE_TITLES,
    ISSUED_STATES,
    LETTER_FIELDS,
    SIGNING_STATES,
    URGENCY_RANK,
    URGENCY_STAMPS,
    Directive,
    DocumentType,
    RegisterKind,
    SigningAuthority,
    Urgency,
    new_verify_token,
)
from directives.models.lines import Addressee, Attachment, CopyRecipient, Task
from directives.models.records import CancelledNumber, Event, Register
from directives.models.seals import AttachmentSeal, RemoteSignature

__all__ = [
    "Addressee",
    "Assignment",
    "Attachment",
    "AttachmentSeal",
    "CancelledNumber",
    "CopyRecipient",
    "DOCUMENT_TYPE_TITLES",
    "Directive",
    "Dispatch",
    "DocumentType",
    "Event",
    "ExtensionRequest",
    "ISSUED_STATES",
    "IncomingAttachment",
    "IncomingBook",
    "IncomingEntry",
    "LETTER_FIELDS",
    "Notification",
    "ReceivingStatus",
    "Register",
    "RegisterKind",
    "RemoteSignature",
    "ReportFile",
    "SIGNING_STATES",
    "SigningAuthority",
    "Task",
    "URGENCY_RANK",
    "URGENCY_STAMPS",
    "Urgency",
    "new_verify_token",
]
