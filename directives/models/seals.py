"""The agency's signature on an attachment of an issued letter (documents/seals.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from directives.models.lines import Attachment


class AttachmentSeal(models.Model):
    class Kind(models.TextChoices):
        PADES = "pades", _("signed PDF")
        CADES = "cades", _("detached signature (.p7s)")

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="seal")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # PADES: the signed PDF, delivered in place of the file; CADES: the .p7s, beside the file.
    file = models.FileField(upload_to="attachments/sealed/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment signature")
        verbose_name_plural = _("attachment signatures")

    def __str__(self) -> str:
        return self.name


class RemoteSignature(models.Model):
    """The signer's signature requested from a remote signing service and not yet confirmed
    (documents/keys/deferred.py): the prepared PDF and the hash that went out. The row lives
    while the letter shows "chờ ký số"; finishing or cancelling the signature deletes it."""

    directive = models.OneToOneField(
        "directives.Directive", on_delete=models.CASCADE, related_name="remote_signature"
    )
    store = models.ForeignKey(
        "recipients.SigningKeyStore", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField()  # the signing time inside the prepared revision
    prepared_pdf = models.BinaryField()
    document_digest = models.BinaryField()
    reserved_region_start = models.PositiveBigIntegerField()
    reserved_region_end = models.PositiveBigIntegerField()
    signed_attrs = models.BinaryField()
    certificates = models.JSONField(default=list)  # base64 DER, the signer's first
    hash_b64 = models.CharField(max_length=128)  # what the signer is asked to confirm

    class Meta:
        verbose_name = _("remote signature awaiting confirmation")
        verbose_name_plural = _("remote signatures awaiting confirmation")

    def __str__(self) -> str:
        return f"{self.directive_id}: {self.hash_b64[:12]}"
