"""The outbox under trouble: refused attempts, the cap, the clerk's resend, the sweep."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directives.models import Dispatch, Event, Notification
from directives.notices import directive_fan_out, outbox_sweep
from directives.tasks import send_notification
from recipients import roles
from tests.factories import UserFactory

from .conftest import make_ready, make_units

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
    assert Event.objects.filter(verb="delivered").count() == 1
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


def test_a_second_job_for_the_same_row_sends_nothing(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    row = Notification.objects.get(channel="email")
    send_notification.delay(row.pk)
    send_notification.delay(row.pk)
    assert len(smtp_sink.messages) == 1


def test_the_sweep_sends_what_a_lost_enqueue_left_pending(agency, smtp_sink, celery_eager):
    units = make_units(3, officers=0)
    directive = make_ready(units, issuing_unit=agency)
    # No on-commit callbacks run here: as if the process died between commit and enqueue.
    directive_fan_out(directive_id=directive.pk)
    assert Notification.objects.filter(status="pending").count() == 3
    assert outbox_sweep()["requeued"] == 0  # too recent: a job may still be on its way
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert outbox_sweep(now=later)["requeued"] == 3
    assert sorted(smtp_sink.count_by_address().values()) == [1, 1, 1]
    assert outbox_sweep(now=later)["requeued"] == 0
    assert len(smtp_sink.messages) == 3


def test_the_sweep_resets_a_row_left_sending_by_a_dead_worker(agency, smtp_sink, celery_eager):
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    directive_fan_out(directive_id=directive.pk)
    Notification.objects.filter(channel="email").update(
        status="sending", claimed_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert outbox_sweep()["requeued"] == 1
    row = Notification.objects.get(channel="email")
    assert (row.status, len(smtp_sink.messages)) == ("sent", 1)


def test_the_sweep_fans_out_a_ready_directive_nobody_delivered(agency, smtp_sink, celery_eager):
    units = make_units(2)
    directive = make_ready(units, issuing_unit=agency)
    # The PDF worker stored the PDF and died before starting delivery.
    result = outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=11))
    assert result["fanned_out"] == 6  # per unit: 1 in-app + 2 e-mails
    assert Notification.objects.filter(directive=directive, channel="email").count() == 4
