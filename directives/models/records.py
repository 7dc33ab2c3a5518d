"""The outgoing register's counters and the append-only history of a directive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from directives.models.letters import Directive, RegisterKind
from recipients.models import Unit


class Register(models.Model):
    """One outgoing register of one issuing unit for one calendar year."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="registers")
    kind = models.CharField(
        _("register"), max_length=16, choices=RegisterKind.choices, default=RegisterKind.GENERAL
    )
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "year"], name="register_unique_unit_kind_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.get_kind_display()} {self.year}: {self.last_number}"


class CancelledNumber(models.Model):
    """A number given to a letter whose signing was abandoned after later numbers were taken:
    it stays in the register as a "cancelled" line and is never given again."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cancelled_numbers")
    register_kind = models.CharField(
        max_length=16, choices=RegisterKind.choices, default=RegisterKind.GENERAL
    )
    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    symbol = models.CharField(max_length=64, blank=True)
    directive = models.ForeignKey(
        Directive, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.TextField(blank=True)
    numbered_on = models.DateField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "register_kind", "year", "number"]
        verbose_name = _("cancelled number")
        verbose_name_plural = _("cancelled numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "register_kind", "year", "number"],
                name="cancelled_number_unique_per_register",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}: {self.number} ({self.symbol})"


class Event(models.Model):
    """Append-only history of a directive (or of a letter entered in an incoming book from
    outside the portal): who did what, when, from where."""

    directive = models.ForeignKey(
        Directive, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # A letter entered from outside the portal has no directive: its history hangs off its entry.
    incoming_entry = models.ForeignKey(
        "directives.IncomingEntry",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=50, db_index=True)
    comment = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb}"
