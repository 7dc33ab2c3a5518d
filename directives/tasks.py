"""Celery entry points: each takes ids and calls a service. No business rules here."""

from __future__ import annotations

import smtplib
import socket

from celery import shared_task

# Errors worth retrying: the SMTP server or the network, not our data.
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, socket.timeout, OSError)


@shared_task(
    bind=True,
    queue="pdf",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def render_directive_pdf(self, directive_id: int) -> None:
    """Render and sign the issued letter; once the PDF is ready, start delivery."""
    from .signing import directive_render_and_sign

    if directive_render_and_sign(directive_id=directive_id):
        deliver_directive.delay(directive_id)


@shared_task(queue="mail")
def deliver_directive(directive_id: int) -> None:
    """Fan out: one delivery job per dispatch (per unit)."""
    from .notices import directive_fan_out

    directive_fan_out(directive_id=directive_id)
