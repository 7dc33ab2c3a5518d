"""The receiving side (văn bản đến): each unit's incoming book and its entries.

An entry is one letter as one receiving unit handled it: a letter of the portal (its Dispatch)
accepted into the book or refused, or a letter that came from outside the portal (paper, e-mail)
entered by the unit's clerk. Only an accepted letter has an arrival number (số đến), the next of
the unit's book for the calendar year, taken under the lock of the unit's `IncomingBook` row.
The columns of the book are those of Nghị định 30/2020/NĐ-CP, Phụ lục IV.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directives.models.delivery import Dispatch
from recipients.models import Unit


class ReceivingStatus(models.TextChoices):
    """The receiving side's status as edXML (QCVN 102:2016) codes it."""

    ARRIVED = "01", _("Arrived, not yet accepted")
    REFUSED = "02", _("Refused")
    ACCEPTED = "03", _("Accepted into the incoming book")
    ASSIGNED = "04", _("Assigned inside the unit")
    IN_PROGRESS = "05", _("In progress")
    DONE = "06", _("Done")
    # A recall of the letter (BussinessDocType 1), as the receiving unit answered it.
    RECALL_REQUESTED = "13", _("Recall requested")
    RECALL_ACCEPTED = "15", _("Recall accepted")
    RECALL_REFUSED = "16", _("Recall refused")


class IncomingBook(models.Model):
    """The counter of one unit's incoming book for one calendar year."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="incoming_books")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("incoming book")
        verbose_name_plural = _("incoming books")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="incoming_book_unique_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}: {self.last_number}"


class IncomingEntry(models.Model):
    """One letter received by one unit: accepted (with its arrival number) or refused."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("Through the portal")
        PAPER = "paper", _("On paper")
        EMAIL = "email", _("By e-mail")
        EDXML = "edxml", _("By edXML exchange")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    class HeadReview(models.TextChoices):
        NONE = "", _("None")
        WAITING = "waiting", _("Waiting for the head's review")
        RETURNED = "returned", _("Returned by the head")

    class RefusalReason(models.TextChoices):
        MISADDRESSED = "misaddressed", _("Sent to the wrong unit")
        INVALID_SIGNATURE = "invalid_signature", _("Invalid digital signature")
        OTHER = "other", _("Other reason")

    unit = models.ForeignKey(
        Unit, verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="incoming"
    )
    dispatch = models.OneToOneField(
        Dispatch, null=True, blank=True, on_delete=models.CASCADE, related_name="incoming_entry"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.PORTAL)
    decision = models.CharField(
        max_length=16, choices=Decision.choices, default=Decision.ACCEPTED, db_index=True
    )
    year = models.PositiveIntegerField(null=True, blank=True)
    arrival_number = models.PositiveIntegerField(_("arrival number"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrival date"))
    # The letter as the book records it (a snapshot for the portal's letters).
    issuer_name = models.CharField(_("issuer"), max_length=255)
    number = models.CharField(_("number"), max_length=16, blank=True)
    symbol = models.CharField(_("symbol"), max_length=64, blank=True)
    letter_date = models.DateField(_("date of the letter"), null=True, blank=True)
    doc_type_name = models.CharField(_("type of letter"), max_length=100, blank=True)
    subject = models.TextField(_("subject"))
    # The signatures as the portal found them on receipt; None: the letter has none to check.
    signatures_valid = models.BooleanField(null=True, blank=True)
    signature_problems = models.JSONField(default=list, blank=True)
    refusal_reason = models.CharField(max_length=32, choices=RefusalReason.choices, blank=True)
    refusal_comment = models.TextField(blank=True)
    note = models.TextField(_("notes"), blank=True)
    # Distribution inside the unit fills these (Phụ lục IV: "đơn vị hoặc người nhận").
    handler_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handler_due_date = models.DateField(_("handler's deadline"), null=True, blank=True)
    handler_note = models.TextField(_("head's note"), blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Ký nhận: the first time the handler (or an officer of the handling division) opened the
    # letter or one of its tasks inside the unit.
    handler_opened_at = models.DateTimeField(null=True, blank=True)
    handler_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A letter with no task for the unit: the handler starts, marks it handled with a short
    # text for the head, who approves (the issuer sees 06) or returns it with a reason.
    handling_started_at = models.DateTimeField(null=True, blank=True)
    handler_report = models.TextField(_("how it was handled"), blank=True)
    handler_reported_at = models.DateTimeField(null=True, blank=True)
    handler_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    head_review = models.CharField(
        max_length=16, choices=HeadReview.choices, default=HeadReview.NONE, blank=True
    )
    head_comment = models.TextField(_("head's comment"), blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scan = models.FileField(upload_to="incoming/%Y/%m/", blank=True)
    scan_name = models.CharField(max_length=255, blank=True)
    scan_size = models.PositiveBigIntegerField(default=0)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_by_name = models.CharField(max_length=150, blank=True)
    # An edXML message's DocumentId (`OrganId,yyyy/mm/dd,number/symbol`): seen once per unit.
    edxml_document_id = models.CharField(max_length=200, blank=True, default="")
    # The issuer on another system recalled the letter (an edXML recall): it is closed here,
    # as a letter of the portal whose directive was recalled.
    recalled_at = models.DateTimeField(_("recalled on"), null=True, blank=True)
    recall_reason = models.TextField(_("reason for recall"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "-year", "-arrival_number", "-pk"]
        verbose_name = _("incoming letter")
        verbose_name_plural = _("incoming letters")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "arrival_number"],
                condition=Q(arrival_number__isnull=False),
                name="incoming_entry_unique_arrival_number",
            ),
            models.CheckConstraint(
                condition=Q(decision="refused", arrival_number__isnull=True)
                | Q(decision="accepted", arrival_number__isnull=False),
                name="incoming_entry_number_iff_accepted",
            ),
            models.UniqueConstraint(
                fields=["unit", "edxml_document_id"],
                condition=~Q(edxml_document_id=""),
                name="incoming_entry_unique_edxml_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}/{self.arrival_number}: {self.number_symbol}"

    @property
    def number_symbol(self) -> str:
        return "/".join(part for part in (self.number, self.symbol) if part)

    @property
    def is_refused(self) -> bool:
        return self.decision == self.Decision.REFUSED

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None


class IncomingAttachment(models.Model):
    """A file that came with an edXML letter besides its signed PDF, kept with the entry once
    the upload checks (content, size) accepted it."""

    entry = models.ForeignKey(IncomingEntry, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="incoming/attachments/%Y/%m/")
    name = models.CharField(max_length=255)
    description = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["entry", "position", "pk"]
        verbose_name = _("incoming letter's attachment")
        verbose_name_plural = _("incoming letters' attachments")

    def __str__(self) -> str:
        return self.name
