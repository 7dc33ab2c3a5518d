"""The one place that hands work to Celery. Services call these; nothing imports tasks.py.

Tasks are found by name in the Celery app (so this module needs no import of `tasks`, which
imports the services), and sent with `apply_async`, which honours eager mode in tests.
Callers inside a transaction wrap the call in `transaction.on_commit`.
"""

from __future__ import annotations

from collections.abc import Iterable

from celery import current_app

PDF_RENDER = "directives.tasks.render_directive_pdf"
FAN_OUT = "directives.tasks.deliver_directive"
DISPATCHES_DELIVER = "directives.tasks.deliver_dispatches"
NOTIFICATION_SEND = "directives.tasks.send_notification"
EDXML_SEND = "directives.tasks.send_edxml"
EDXML_STATUS_SEND = "directives.tasks.send_edxml_status"
EDXML_RECALL_SEND = "directives.tasks.send_edxml_recall"
# A delivery job serves this many units: its reads, writes and records are a handful of
# statements for all of them, and its e-mails share the worker's SMTP connection. Small enough
# that a fan-out to a thousand units keeps every worker busy (50 jobs) and a retry repeats
# little.
DELIVERY_BATCH = 20
# The delivery jobs go to Redis in pipelines of this many, not one round trip each.
ENQUEUE_BATCH = 100


def _task(name: str):
    app = current_app
    if name not in app.tasks:
        # Autodiscovery is lazy outside a worker: importing the apps' task modules registers them.
        app.loader.import_default_modules()
    return app.tasks[name]


def pdf_render_enqueue(directive_id: int) -> None:
    """Render and sign the issued letter (pdf queue); delivery starts when it is ready."""
    _task(PDF_RENDER).apply_async((directive_id,))


def fan_out_enqueue(directive_id: int) -> None:
    """Start the delivery of a letter whose signed PDF is ready: one job per unit."""
    _task(FAN_OUT).apply_async((directive_id,))


def edxml_send_enqueue(directive_id: int) -> None:
    """Write the letter's edXML messages to its external units (once each)."""
    _task(EDXML_SEND).apply_async((directive_id,))


def edxml_recall_enqueue(directive_id: int) -> None:
    """Tell the external units that had the letter by edXML of its recall (once each)."""
    _task(EDXML_RECALL_SEND).apply_async((directive_id,))


def edxml_status_enqueue(entry_id: int, code: str) -> None:
    """Tell the issuer on another system of a step of its letter (04 assigned...)."""
    _task(EDXML_STATUS_SEND).apply_async((entry_id, code))


def notification_send_enqueue(notification_id: int) -> None:
    """Send one outbox e-mail that is not a delivery (a reminder, a recall, a digest)."""
    _task(NOTIFICATION_SEND).apply_async((notification_id,))


def dispatch_deliver_enqueue(dispatch_ids: Iterable[int]) -> int:
    """Delivery jobs for these units, DELIVERY_BATCH units each; the count of units. Safe to
    call twice: a job claims each e-mail before sending it."""
    ids = sorted(set(dispatch_ids))
    batches = [ids[i : i + DELIVERY_BATCH] for i in range(0, len(ids), DELIVERY_BATCH)]
    task = _task(DISPATCHES_DELIVER)
    if task.app.conf.task_always_eager:
        for batch in batches:
            task.apply_async((batch,))
        return len(ids)
    # kombu's batch publishing: Redis pipelines of ENQUEUE_BATCH (a broker without it gets each
    # job at once). The first batch reaches the workers while the next is being built.
    with task.app.producer_or_acquire() as producer, producer.batch(max_size=ENQUEUE_BATCH):
        for batch in batches:
            task.apply_async((batch,), producer=producer)
    return len(ids)


def queue_waiting(name: str) -> int | None:
    """How many jobs wait in a queue of the broker (not those a worker holds), or None when
    the broker cannot say. The sweep asks before taking a unit without rows for lost."""
    app = current_app
    if app.conf.task_always_eager:
        return 0
    try:
        with app.connection_for_read() as conn:
            queue = app.amqp.queues[name].bind(conn.default_channel)
            return queue.queue_declare().message_count
    except Exception:  # the broker is down or cannot count: the caller waits longer
        return None
