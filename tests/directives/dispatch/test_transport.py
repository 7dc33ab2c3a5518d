"""One SMTP connection per worker process, reused by every e-mail it sends (tasks run inline,
into a real SMTP server on localhost): renewed when worn, idle, dropped by the server or after an
error, and nothing is sent twice or lost on the way."""

from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from directives.models import Notification
from directives.services.notices.transport import email_connection_close
from directives.tasks import deliver_directive
from tests.directives.dispatch.conftest import make_ready, make_units

pytestmark = pytest.mark.django_db


def deliver(units, agency, capture, **kwargs):
    directive = make_ready(units, issuing_unit=agency, **kwargs)
    with capture(execute=True):
        deliver_directive.delay(directive.pk)
    return directive


def email_rows():
    return Notification.objects.filter(channel="email")


def test_a_fan_out_goes_over_one_connection(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    deliver(make_units(30), agency, django_capture_on_commit_callbacks)

    assert len(smtp_sink.messages) == 30  # one per unit, to its address and its officer's
    assert len(smtp_sink.count_by_address()) == 60
    assert set(smtp_sink.count_by_address().values()) == {1}
    assert smtp_sink.connections == 1
    assert set(email_rows().values_list("status", "attempts")) == {("sent", 1)}


def test_the_connection_is_renewed_after_so_many_messages(
    agency, smtp_sink, celery_eager, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SMTP_MAX_MESSAGES = 4
    deliver(make_units(10), agency, django_capture_on_commit_callbacks)

    assert len(smtp_sink.messages) == 10
    assert smtp_sink.connections == 3
    assert smtp_sink.quits == 2, "a worn connection is closed politely"


def test_an_idle_connection_is_not_trusted(
    agency, smtp_sink, celery_eager, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SMTP_MAX_IDLE_SECONDS = 0
    deliver(make_units(3, officers=0), agency, django_capture_on_commit_callbacks)

    assert len(smtp_sink.messages) == 3
    assert smtp_sink.connections == 3


def test_a_connection_the_server_closed_is_replaced_without_spending_an_attempt(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    deliver(make_units(2, prefix="A"), agency, django_capture_on_commit_callbacks, number=1)
    assert smtp_sink.connections == 1
    # The mail server restarts (or drops idle clients) while the worker holds its connection.
    smtp_sink.controller.stop()
    smtp_sink.controller = Controller(smtp_sink, hostname="127.0.0.1", port=smtp_sink.port)
    smtp_sink.controller.start()
    deliver(make_units(2, prefix="B"), agency, django_capture_on_commit_callbacks, number=2)

    assert len(smtp_sink.messages) == 4
    assert len(smtp_sink.count_by_address()) == 8
    assert set(smtp_sink.count_by_address().values()) == {1}
    assert smtp_sink.connections == 2
    assert set(email_rows().values_list("status", "attempts")) == {("sent", 1)}


def test_after_a_refusal_the_next_email_starts_on_a_fresh_connection(
    agency, smtp_sink, eager_retries, django_capture_on_commit_callbacks
):
    smtp_sink.refuse_next = 1
    deliver(make_units(3, officers=0), agency, django_capture_on_commit_callbacks)

    assert len(smtp_sink.messages) == 3
    assert set(smtp_sink.count_by_address().values()) == {1}
    assert smtp_sink.refused == 1
    assert smtp_sink.connections == 2
    assert sorted(email_rows().values_list("attempts", flat=True)) == [1, 1, 2]


def test_closing_says_quit_and_the_next_email_opens_again(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    deliver(make_units(1, prefix="A"), agency, django_capture_on_commit_callbacks, number=1)
    email_connection_close()
    assert smtp_sink.quits == 1
    deliver(make_units(1, prefix="B"), agency, django_capture_on_commit_callbacks, number=2)

    assert len(smtp_sink.messages) == 2
    assert smtp_sink.connections == 2


def test_flattening_writes_the_same_bytes_as_the_standard_library(agency, settings):
    """The shared PDF part is written in one piece; the message is byte for byte the one the
    standard generator (Django's backend) would send, for the first e-mail and the next."""
    from directives.models import Dispatch
    from directives.services.notices.delivery import dispatch_for_delivery, dispatches_notices_write
    from directives.services.notices.sending import _delivery_message
    from directives.services.notices.transport import mime_flatten

    units = make_units(2)
    make_ready(units, issuing_unit=agency, pdf=b"%PDF-1.4\n" + bytes(range(256)) * 150)
    boundaries = set()
    for dispatch in Dispatch.objects.all():
        loaded = dispatch_for_delivery(dispatch.pk)
        (unit_rows,) = dispatches_notices_write([loaded])
        mime = _delivery_message(loaded, unit_rows.emails).message()
        for _twice in range(2):
            assert mime_flatten(mime) == mime.as_bytes(linesep="\r\n")
        # What the recipient's mail program reads: the text, the HTML and the PDF, intact.
        read = email.message_from_bytes(mime_flatten(mime), policy=policy.default)
        parts = [part.get_content_type() for part in read.walk() if not part.is_multipart()]
        assert parts == ["text/plain", "text/html", "application/pdf"]
        (pdf,) = read.iter_attachments()
        assert pdf.get_content() == b"%PDF-1.4\n" + bytes(range(256)) * 150
        boundaries.add(read.get_boundary())
    assert len(boundaries) == 2  # each message its own
