"""The outbox under trouble: refused attempts, the cap, the clerk's resend, the sweep."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directives.models import Directive, Dispatch, Event, Notification
from directives.services.notices import directive_fan_out, outbox_sweep
from directives.tasks import deliver_dispatch, send_notification
from recipients import roles
from tests.directives.dispatch.conftest import make_ready, make_units, write_notices_only
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_smtp_refusing_the_first_attempts_delivers_later_once(
    agency, smtp_sink, eager_retries, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    smtp_sink.refuse_next = 3
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    assert smtp_sink.refused == 3
    assert smtp_sink.count_by_address() == {f"{unit.code.lower()}@gialai.gov.vn": 1}
    row = Notification.objects.get(channel="email")
    assert (row.status, row.attempts, row.last_error) == ("sent", 4, "")
    assert Dispatch.objects.get().delivery == "sent"


def test_after_the_cap_the_row_fails_and_the_clerk_resends_it(
    agency, clerk, smtp_sink, eager_retries, client, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    smtp_sink.refuse_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    row = Notification.objects.get(channel="email")
    assert row.status == "failed"
    assert row.attempts == 5  # the first try and NOTIFY_MAX_RETRIES=4 retries
    assert "451" in row.last_error
    assert Dispatch.objects.get().delivery == "failed"
    assert not smtp_sink.messages

    client.force_login(clerk)
    progress = client.get(reverse("directives:delivery_progress", args=[directive.pk]))
    html = progress.content.decode()
    assert 'data-count="failed"' in html and "451" in html
    assert reverse("directives:notification_resend", args=[row.pk]) in html

    smtp_sink.refuse_next = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("directives:notification_resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(smtp_sink.messages) == 1
    assert Dispatch.objects.get().delivery == "sent"
    assert Dispatch.objects.get().delivered_at is not None
    assert Event.objects.filter(verb="email_resent", actor=clerk).count() == 1
    # A sent row cannot be resent: clear message, nothing sent.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("directives:notification_resend", args=[row.pk]))
    assert len(smtp_sink.messages) == 1


def test_another_agencys_clerk_and_a_unit_officer_cannot_resend(
    agency, smtp_sink, eager_retries, client, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    smtp_sink.refuse_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    row = Notification.objects.get(channel="email")
    for user in (
        UserFactory(roles=[roles.CLERK]),
        UserFactory(unit=unit, roles=[roles.UNIT_OFFICER]),
    ):
        client.force_login(user)
        url = reverse("directives:notification_resend", args=[row.pk])
        assert client.post(url).status_code == 404
        progress = reverse("directives:delivery_progress", args=[directive.pk])
        assert client.get(progress).status_code == 404
    row.refresh_from_db()
    assert row.status == "failed"


def test_a_second_job_for_the_same_unit_or_row_sends_nothing(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=1)
    directive = make_ready([unit], issuing_unit=agency)
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    assert len(smtp_sink.count_by_address()) == 2
    dispatch = Dispatch.objects.get()
    row = Notification.objects.filter(channel="email").first()
    deliver_dispatch.delay(dispatch.pk)
    send_notification.delay(row.pk)
    assert len(smtp_sink.messages) == 1
    assert Notification.objects.filter(channel="email", status="sent").count() == 2


def test_the_sweep_sends_what_dead_delivery_jobs_left_unsent(agency, smtp_sink, celery_eager):
    units = make_units(3, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    write_notices_only(directive)
    assert Notification.objects.filter(channel="email", status="sending").count() == 3
    assert outbox_sweep()["requeued"] == 0  # too recent: the job may still be sending
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert outbox_sweep(now=later)["requeued"] == 3
    assert sorted(smtp_sink.count_by_address().values()) == [1, 1, 1]
    assert outbox_sweep(now=later)["requeued"] == 0
    assert len(smtp_sink.messages) == 3
    assert set(Dispatch.objects.values_list("delivery", flat=True)) == {"sent"}


def test_the_sweep_sends_a_pending_row_whose_job_was_lost(agency, smtp_sink, celery_eager):
    """A retry scheduled in the broker that never came back (the broker lost it)."""
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    write_notices_only(directive)
    Notification.objects.filter(channel="email").update(
        status="pending", attempts=1, claimed_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert outbox_sweep()["requeued"] == 1
    row = Notification.objects.get(channel="email")
    assert (row.status, row.attempts, len(smtp_sink.messages)) == ("sent", 2, 1)
    assert Dispatch.objects.get().delivery == "sent"


def test_the_sweep_leaves_a_row_to_its_job_while_the_backoff_lasts(
    agency, smtp_sink, celery_eager, settings
):
    """The sweep waits by the jobs' own backoff: after six tries the job waits 16 minutes
    (30 s x 2**5), so a row claimed 20 minutes ago is still the job's; 10 minutes later it
    is the sweep's."""
    settings.NOTIFY_RETRY_BASE_SECONDS = 30.0
    settings.NOTIFY_RETRY_MAX_SECONDS = 3600.0
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    write_notices_only(directive)
    claimed = timezone.now() - datetime.timedelta(minutes=20)
    Notification.objects.filter(channel="email").update(
        status="pending", attempts=6, claimed_at=claimed
    )
    assert outbox_sweep()["requeued"] == 0
    assert smtp_sink.messages == []
    assert outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=10))["requeued"] == 1
    assert Notification.objects.get(channel="email").status == "sent"
    assert len(smtp_sink.messages) == 1


def test_the_sweep_starts_the_units_whose_delivery_job_never_ran(agency, smtp_sink, celery_eager):
    units = make_units(2)
    directive = make_ready(units, issuing_unit=agency)
    # The PDF worker stored the PDF and died before starting delivery.
    assert outbox_sweep()["units_started"] == 0  # too recent: the jobs may be on their way
    result = outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=11))
    assert result["units_started"] == 2
    assert Notification.objects.filter(directive=directive, channel="email").count() == 4
    assert Notification.objects.filter(directive=directive, channel="in_app").count() == 2
    assert sorted(smtp_sink.count_by_address().values()) == [1, 1, 1, 1]
    later = outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=11))
    assert later["units_started"] == 0
    assert len(smtp_sink.messages) == 2


def test_a_unit_without_any_address_is_delivered_in_app_only(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=1)
    unit.contact_emails = ""
    unit.save(update_fields=["contact_emails"])
    unit.officers.update(email="")
    directive = make_ready([unit], issuing_unit=agency)
    with django_capture_on_commit_callbacks(execute=True):
        assert directive_fan_out(directive_id=directive.pk) == 1
    assert not smtp_sink.messages
    assert Notification.objects.get().channel == "in_app"
    assert Dispatch.objects.get().delivery == "sent"
    # Delivered: neither a second fan-out nor the sweep starts it again.
    assert directive_fan_out(directive_id=directive.pk) == 0
    later = outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=11))
    assert later["units_started"] == 0


def test_a_directive_recalled_before_the_retry_sends_no_letter(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    write_notices_only(directive)
    # The first attempt met a passing error; the retry comes after the recall.
    Notification.objects.filter(channel="email").update(status="pending", attempts=1)
    Directive.objects.filter(pk=directive.pk).update(status="recalled")
    dispatch = Dispatch.objects.get()
    deliver_dispatch.delay(dispatch.pk)
    assert not smtp_sink.messages
    row = Notification.objects.get(channel="email")
    assert row.status == "failed" and "recalled" in row.last_error
    # Nothing of the delivery reached the unit: not sent (recalled), never "sent".
    assert Dispatch.objects.get().delivery == "withdrawn"


def test_each_address_of_a_unit_gets_the_servers_own_answer(
    agency, smtp_sink, eager_retries, django_capture_on_commit_callbacks
):
    """One e-mail per unit, but the server answers for each recipient: a mailbox it does not
    know (550) fails for good; one it cannot take now (450) is retried alone, once."""
    units = make_units(2, officers=1)
    directive = make_ready(units, issuing_unit=agency)
    smtp_sink.rcpt_answers = {
        "u0000-0@gialai.gov.vn": ["550 5.1.1 No such user"],
        "u0001-0@gialai.gov.vn": ["450 4.2.1 Mailbox busy", "450 4.2.1 Mailbox busy"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    assert smtp_sink.count_by_address() == {
        "u0000@gialai.gov.vn": 1,
        "u0001@gialai.gov.vn": 1,
        "u0001-0@gialai.gov.vn": 1,
    }
    rows = {r.address: r for r in Notification.objects.filter(channel="email")}
    unknown = rows["u0000-0@gialai.gov.vn"]
    assert (unknown.status, unknown.attempts) == ("failed", 1)
    assert "550" in unknown.last_error
    busy = rows["u0001-0@gialai.gov.vn"]
    assert (busy.status, busy.attempts, busy.last_error) == ("sent", 3, "")
    assert (rows["u0000@gialai.gov.vn"].status, rows["u0001@gialai.gov.vn"].attempts) == ("sent", 1)
    deliveries = dict(Dispatch.objects.values_list("unit__code", "delivery"))
    assert deliveries == {"U0000": "failed", "U0001": "sent"}


def test_an_insert_failing_for_another_reason_leaves_the_unit_for_the_sweep(agency, smtp_sink):
    """Only the unit's own earlier rows make a failed insert a rerun; anything else fails the
    job, sends nothing and does not count the unit as delivered."""
    from django.db import IntegrityError

    from directives.services.notices import dispatches_deliver, outbox_key

    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    address = f"{unit.code.lower()}@gialai.gov.vn"
    key = outbox_key("deliver", directive.pk, directive.pdf_sha256[:16], unit.pk, "email", address)
    Notification.objects.create(key=key, kind="reminder", channel="email", subject="other")
    with pytest.raises(IntegrityError):
        dispatches_deliver(dispatch_ids=[Dispatch.objects.get().pk])
    assert not smtp_sink.messages
    assert Dispatch.objects.get().delivery == "pending"
    assert not Notification.objects.filter(kind="delivery").exists()
