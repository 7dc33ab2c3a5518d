"""The agency's signature on an attachment of an issued letter (documents/seals.py)."""

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
