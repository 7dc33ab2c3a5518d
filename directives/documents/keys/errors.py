"""The one exception type of the key backends, with a Vietnamese message for each failure."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from directives.documents.signing import SigningNotConfigured


class SigningKeyError(Exception):
    """The key cannot sign now; `message` says why, in the user's language."""

    message = _("The letter cannot be signed with this key.")

    def __init__(self, detail: str = "", **params):
        self.detail = detail  # for the log: technical, never a PIN
        self.params = params
        super().__init__(self.text)

    @property
    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    def __str__(self) -> str:
        return self.text


class NoSigningKey(SigningKeyError, SigningNotConfigured):
    message = _(
        "No digital certificate is configured for this signer or unit. Ask the administrator "
        "to set up its key."
    )


class PinRequired(SigningKeyError):
    message = _("Enter the PIN of your digital signature token.")


class WrongPin(SigningKeyError):
    message = _("The PIN is not correct. Nothing was signed; try again.")


class TokenMissing(SigningKeyError):
    message = _(
        "The digital signature token “%(token)s” is not connected. Plug it in (or check the "
        "HSM) and try again."
    )


class CertificateExpired(SigningKeyError):
    message = _(
        "The digital certificate of %(subject)s is not valid now (valid from %(start)s to "
        "%(end)s). Ask the certificate authority for a new one."
    )


class CertificateRevoked(SigningKeyError):
    message = _(
        "The digital certificate of %(subject)s has been revoked by its certificate authority."
    )


class RemoteSigningUnavailable(SigningKeyError):
    message = _("The remote signing service cannot be reached or refused the request: %(reason)s")
