"""Everything that changes a directive: drafting, approval, the register and issuing.

Each function is one transaction, checks who may do it, refuses with a DirectiveError (nothing
changed) and writes an Event. Views import this package and call these names.
"""

from directives.services.drafting import (
    attachment_add,
    attachment_remove,
    copy_recipient_link,
    directive_delete_draft,
    directive_save_draft,
    directive_start_replacement,
)
from directives.services.issuing import (
    assignments_snapshot_write,
    directive_enter_paper,
    directive_issue,
    directive_pdf_retry,
    directive_recall,
    dispatches_create_for,
)
from directives.services.numbering import directive_number, directive_number_cancel
from directives.services.remote_signing import (
    directive_remote_sign_begin,
    directive_remote_sign_cancel,
    directive_remote_sign_finish,
)
from directives.services.signing import directive_sign
from directives.services.workflow import (
    directive_approve,
    directive_return,
    directive_submit,
    directive_withdraw,
)

__all__ = [
    "assignments_snapshot_write",
    "attachment_add",
    "attachment_remove",
    "copy_recipient_link",
    "directive_approve",
    "directive_delete_draft",
    "directive_enter_paper",
    "directive_issue",
    "directive_number",
    "directive_number_cancel",
    "directive_pdf_retry",
    "directive_recall",
    "directive_remote_sign_begin",
    "directive_remote_sign_cancel",
    "directive_remote_sign_finish",
    "directive_return",
    "directive_save_draft",
    "directive_sign",
    "directive_start_replacement",
    "directive_submit",
    "directive_withdraw",
    "dispatches_create_for",
]
