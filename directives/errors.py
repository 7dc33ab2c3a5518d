"""What the workflow services refuse, with a message a user can read.

Views catch `DirectiveError` and show `.message`; nothing has changed when one is raised, because
every service raises before or inside its single transaction.
"""

from __future__ import annotations


class DirectiveError(Exception):
    """A refused request; `message` is the translated text to show the user."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class TransitionError(DirectiveError):
    """The directive is not in a state that allows this move (issuing a draft, editing an
    issued letter)."""


class PermissionDeniedError(DirectiveError):
    """The user's roles or unit do not allow this move."""


class NumberTakenError(DirectiveError):
    """A paper letter claims a number the register has already given."""


class ConcurrentIssueError(TransitionError):
    """Another clerk issued the same directive a moment earlier."""


class SignerKeyError(DirectiveError):
    """The signer's key cannot sign now: no certificate, a wrong PIN, a certificate expired or
    revoked, a token that is not there. Nothing was signed."""
