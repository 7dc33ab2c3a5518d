"""One letter to one unit (Dispatch), one task for one unit (Assignment) with its report
files and extension requests, and the notices and e-mails of the outbox."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from directives.models.letters import Directive
from directives.models.lines import Task
from directives.workdays import effective_deadline
from recipients.models import Unit


class Dispatch(models.Model):
    """One directive to one unit, created at issue by expanding groups: a snapshot."""

    class Source(models.TextChoices):
        ADDRESSEE = "addressee", _("Addressee")
        COPY = "copy", _("Copy recipient")
        TASK = "task", _("Task only")

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Delivery failed")
        # Recalled or replaced before anything of the delivery reached the unit.
        WITHDRAWN = "withdrawn", _("Not sent (recalled)")

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="dispatches")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dispatches")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ADDRESSEE)
    delivery = models.CharField(
        _("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The letter's urgency as URGENCY_RANK orders it, copied at issue (a letter's urgency no
    # longer changes then): the inbox sorts its waiting letters on this table's own index
    # instead of joining every one of them to its directive first.
    urgency_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_by_name = models.CharField(max_length=150, blank=True)
    acknowledged_ip = models.GenericIPAddressField(null=True, blank=True)
    acknowledged_pdf_sha256 = models.CharField(max_length=64, blank=True)
    # An external unit on another system: the latest status its edXML messages reported
    # (01 arrived .. 06 done), as services/exchange_in.py records them.
    edxml_status = models.CharField(max_length=2, blank=True)
    edxml_status_at = models.DateTimeField(null=True, blank=True)
    edxml_status_text = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["unit__sort_order", "unit__name"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], name="dispatch_unique_unit")
        ]
        # The inbox's two orders (selectors.inbox.InboxRows): a unit's letters newest first,
        # and those it has not acknowledged yet, most urgent first. For one unit the waiting
        # page is read in the index's order and stops after the page. The waiting one carries
        # the id so that the read of several units' waiting ids is answered from the index
        # alone: without it PostgreSQL preferred walking dispatch_letter_waiting's sixty
        # thousand entries of every unit (21 ms against 0.1 ms for the busy district).
        indexes = [
            models.Index(fields=["unit", "-created_at", "-id"], name="dispatch_unit_newest"),
            models.Index(
                fields=["unit", "-urgency_rank", "-created_at", "-id"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="dispatch_unit_waiting",
            ),
            # The dashboard's count of letters waiting for acknowledgement, all years: read
            # from this index alone (a third of the dispatches, two ids each).
            models.Index(
                fields=["directive"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="dispatch_letter_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} -> {self.unit}"


class Assignment(models.Model):
    """One task for one unit."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done (report submitted)")
        ACCEPTED = "accepted", _("Accepted")

    class HeadReview(models.TextChoices):
        NONE = "", _("None")
        WAITING = "waiting", _("Waiting for the head's review")
        RETURNED = "returned", _("Returned by the head")

    # Facts of the status field, the one list every module uses: a task is open (it can be
    # overdue, reminded, reported on) until its report is in; then it is finished.
    OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS)
    FINISHED_STATUSES = (Status.DONE, Status.ACCEPTED)

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # The day the deadline really falls on (workdays.effective_deadline: past weekends and
    # holidays), kept with the due date so that the dashboard counts late and on-time reports
    # in the database. Written by save() and by every bulk write of due dates.
    effective_due_date = models.DateField(null=True, blank=True, editable=False)
    report_text = models.TextField(_("report"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("clerk's comment"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Distribution inside the unit: the head hands the task to a division or an officer, who
    # reports to the head; the head approves (the report goes to the issuer) or returns it.
    handler_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="handled_assignments"
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_assignments",
    )
    handler_due_date = models.DateField(_("handler's deadline"), null=True, blank=True)
    handler_note = models.TextField(_("head's note"), blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    head_review = models.CharField(
        max_length=16, choices=HeadReview.choices, default=HeadReview.NONE, blank=True
    )
    handler_report = models.TextField(_("handler's report"), blank=True)
    handler_reported_at = models.DateTimeField(null=True, blank=True)
    handler_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    head_comment = models.TextField(_("head's comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["task__position", "unit__sort_order", "unit__name"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="assignment_unique_unit")
        ]
        # The open tasks by deadline: the dashboard's overdue list and count, the reminders.
        indexes = [
            models.Index(
                fields=["due_date", "id"],
                condition=models.Q(status__in=("pending", "in_progress")),
                name="assignment_open_due",
            ),
            # The dashboard's count of overdue tasks, all years, from this index alone: the
            # open tasks' task and due date, matched to the agency's live letters by task.
            models.Index(
                fields=["task", "due_date"],
                condition=models.Q(status__in=("pending", "in_progress")),
                name="assignment_open_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} -> {self.unit}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "due_date" in update_fields:
            self.effective_due_date = effective_deadline_of(self.due_date)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "effective_due_date"}
        super().save(*args, **kwargs)


def effective_deadline_of(due: datetime.date | None) -> datetime.date | None:
    """The effective_due_date column's value for a due date."""
    return None if due is None else effective_deadline(due)


class ReportFile(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="reports/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A file of the handler's report inside the unit stays with the unit (False) until the head
    # approves the report; then it goes to the issuer with the unit's report (True).
    to_issuer = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        DECLINED = "declined", _("Declined")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    requested_date = models.DateField(_("requested date"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    new_date = models.DateField(_("new due date"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.assignment} -> {self.requested_date}"


class Notification(models.Model):
    """One in-app or e-mail notice; also the e-mail outbox (claimed, sent, retried)."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the portal")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=255, unique=True, help_text="Idempotency key.")
    kind = models.CharField(max_length=32, db_index=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    directive = models.ForeignKey(
        Directive, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    dispatch = models.ForeignKey(
        Dispatch, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.subject
