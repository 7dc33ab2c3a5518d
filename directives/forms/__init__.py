"""Forms of the drafting desk: the letter, its three lists of lines, the workflow actions, the
paper entry, and the list filter. Forms validate input; the services decide what is allowed."""

from directives.forms.filters import BOXES, DirectiveFilter
from directives.forms.letter import (
    LETTER_FIELDS,
    ApproveForm,
    AttachmentForm,
    CopyLinkForm,
    DirectiveForm,
    PaperForm,
    ReasonForm,
    RemoteConfirmForm,
    SignerReturnForm,
    SignForm,
    SubmitForm,
    signers_for,
)
from directives.forms.lines import (
    AddresseeForm,
    Catalogue,
    CopyRecipientForm,
    DraftForms,
    TaskForm,
    UnitTextField,
)

__all__ = [
    "BOXES",
    "LETTER_FIELDS",
    "AddresseeForm",
    "ApproveForm",
    "AttachmentForm",
    "Catalogue",
    "CopyLinkForm",
    "CopyRecipientForm",
    "DirectiveFilter",
    "DirectiveForm",
    "DraftForms",
    "PaperForm",
    "ReasonForm",
    "RemoteConfirmForm",
    "SignForm",
    "SignerReturnForm",
    "SubmitForm",
    "TaskForm",
    "UnitTextField",
    "signers_for",
]
