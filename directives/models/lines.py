"""The lines of a letter: its "Kính gửi" addressees, its "Nơi nhận" copy recipients, its
numbered tasks and its attached files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directives.models.letters import Directive
from recipients.models import RecipientGroup, Unit


class Addressee(models.Model):
    """One "Kính gửi" line: a group or a unit, printed with its label."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="addressees")
    position = models.PositiveIntegerField(_("order"), default=0)
    group = models.ForeignKey(
        RecipientGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    label = models.CharField(_("label as printed"), max_length=255, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")
        constraints = [
            models.CheckConstraint(
                condition=(Q(group__isnull=False) & Q(unit__isnull=True))
                | (Q(group__isnull=True) & Q(unit__isnull=False)),
                name="addressee_group_xor_unit",
            )
        ]

    def __str__(self) -> str:
        return self.printed_label

    @property
    def printed_label(self) -> str:
        return self.label or str(self.group or self.unit)


class CopyRecipient(models.Model):
    """One "Nơi nhận" line beyond "Như trên"; linked to a unit, that unit also receives it."""

    class Purpose(models.TextChoices):
        REPORT = "report", _("for report (báo cáo)")
        INFO = "info", _("for information (để biết)")
        COORDINATE = "coordinate", _("to coordinate (phối hợp)")
        ARCHIVE = "archive", _("archive (lưu)")

    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="copy_recipients"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    label = models.CharField(_("label as printed"), max_length=255)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    group = models.ForeignKey(
        RecipientGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT
    )
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.INFO
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("copy recipient")
        verbose_name_plural = _("copy recipients")

    def __str__(self) -> str:
        return self.label


class Task(models.Model):
    """A numbered duty in the body, for some groups and/or units, with an optional deadline."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField(_("number"), default=1)
    title = models.CharField(_("task"), max_length=500)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    report_required = models.BooleanField(_("written report required"), default=False)
    groups = models.ManyToManyField(RecipientGroup, verbose_name=_("groups"), blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("units"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attachment(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
