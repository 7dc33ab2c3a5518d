"""Dispatch of issued directives: the outbox, delivery to every unit, withdrawal notices.

Services live in the submodules; this package re-exports the public API.
"""

from directives.services.notices.delivery import (
    DELIVERY,
    ack_url,
    directive_fan_out,
    dispatch_delivery_update,
)
from directives.services.notices.outbox import (
    notifications_for,
    outbox_enqueue,
    outbox_key,
    outbox_write,
)
from directives.services.notices.reading import (
    Progress,
    delivery_progress,
    notification_mark_read,
    notifications_mark_all_read,
)
from directives.services.notices.recovery import can_resend, notification_resend, outbox_sweep
from directives.services.notices.sending import (
    TRANSIENT_DATABASE_ERRORS,
    DeliveryResult,
    database_retry_countdown,
    dispatches_deliver,
    notification_send,
    retry_countdown,
)
from directives.services.notices.subjects import email_subject, number_label
from directives.services.notices.withdrawal import withdrawal_notices_create, withdrawal_notices_for

__all__ = [
    "DELIVERY",
    "TRANSIENT_DATABASE_ERRORS",
    "DeliveryResult",
    "Progress",
    "ack_url",
    "can_resend",
    "delivery_progress",
    "directive_fan_out",
    "database_retry_countdown",
    "dispatches_deliver",
    "dispatch_delivery_update",
    "email_subject",
    "notification_mark_read",
    "notification_resend",
    "notification_send",
    "notifications_for",
    "notifications_mark_all_read",
    "number_label",
    "outbox_enqueue",
    "outbox_key",
    "outbox_sweep",
    "outbox_write",
    "retry_countdown",
    "withdrawal_notices_create",
    "withdrawal_notices_for",
]
