"""The bell and the notifications page: a person's own notices, marked read one by one or all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directives.models import Dispatch, Notification
from directives.services.notices import directive_fan_out
from recipients.models import User
from tests.directives.dispatch.conftest import make_ready, make_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(agency, celery_eager):
    units = make_units(2, officers=1)
    for number in (1038, 1039):
        directive_fan_out(directive_id=make_ready(units, issuing_unit=agency, number=number).pk)
    return [User.objects.get(unit=unit) for unit in units]


def bell(client) -> str:
    html = client.get(reverse("directives:notifications")).content.decode()
    start = html.find('data-testid="unread-count">')
    return html[start:].split(">", 1)[1].split("<", 1)[0] if start >= 0 else ""


@pytest.fixture(params=[False, True], ids=["per-process cache", "shared cache"])
def bell_kept(request, settings):
    """With a cache every process shares, the bell's count is kept between pages
    (selectors.notices): each change below must be seen at once all the same."""
    settings.CACHE_IS_SHARED = request.param
    return request.param


def test_bell_counts_unread_and_marking_read_lowers_it(client, officers, bell_kept):
    me, _other = officers
    client.force_login(me)
    assert bell(client) == "2"
    page = client.get(reverse("directives:notifications")).content.decode()
    assert page.count("data-notification=") == 2 and "1038/STTTT-TTBCXB" in page
    first = me.notifications.order_by("pk").first()
    opened = client.get(reverse("directives:notification_read", args=[first.pk]))
    assert opened.status_code == 302 and opened["Location"] == first.link
    assert bell(client) == "1"
    assert client.post(reverse("directives:notifications_read_all")).status_code == 302
    assert bell(client) == ""
    assert not me.notifications.filter(read_at__isnull=True).exists()


def test_the_bell_counts_notices_written_and_deleted_since_it_was_last_shown(
    client, officers, agency, bell_kept
):
    me, other = officers
    client.force_login(me)
    assert bell(client) == "2"
    # A new letter's notices are written in bulk, with no signal.
    directive_fan_out(directive_id=make_ready([me.unit], issuing_unit=agency, number=1040).pk)
    assert bell(client) == "3"
    # One deleted with what it belonged to, one by itself.
    Dispatch.objects.filter(pk=me.notifications.order_by("pk").first().dispatch_id).delete()
    assert bell(client) == "2"
    Notification.objects.filter(pk=me.notifications.order_by("pk").first().pk).delete()
    assert bell(client) == "1"
    # Another person's notices change nothing of mine.
    other.notifications.update(read_at=None)
    Notification.objects.create(
        user=other, channel="in_app", kind="delivery", subject="Thông báo", key="other:1"
    )
    assert bell(client) == "1"


def test_another_persons_notification_is_404_and_stays_unread(client, officers):
    me, other = officers
    theirs = other.notifications.first()
    client.force_login(me)
    for method in (client.get, client.post):
        assert method(reverse("directives:notification_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("directives:notifications_read_all"))
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_notifications_page_needs_a_sign_in(client, db):
    response = client.get(reverse("directives:notifications"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
