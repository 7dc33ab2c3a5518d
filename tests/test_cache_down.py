"""The shared cache (Redis) down: the pages that keep things there still open, from the
database, a withdrawn role still closes a desk, and /health/ says the cache is down. Nothing
listens on port 1: every read and write of that cache fails, as with a stopped server."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from common.ratelimit import hit
from directives.models import Dispatch
from recipients import roles
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

DOWN = {
    "default": {
        "BACKEND": "common.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def cache_down(settings):
    settings.PERMISSION_CACHE_SECONDS = 300
    with override_settings(CACHES=DOWN):
        yield
    cache.clear()


def test_the_inbox_and_the_dashboard_open_from_the_database(client, cache_down):
    agency = UnitFactory(code="STTTT")
    district = UnitFactory(code="UBND.CHUPAH", name="UBND huyện Chư Păh")
    letter = make_issued(units=[district], issuing_unit=agency, tasks=1)
    officer = UserFactory(unit=district, roles=[roles.UNIT_OFFICER])
    client.force_login(officer)

    inbox = client.get(reverse("directives:inbox"))

    assert inbox.status_code == 200
    listed = [d.directive_id for d in inbox.context["page"].object_list]
    assert listed == [letter.pk] and inbox.context["page"].paginator.count == 1
    clerk = UserFactory(unit=agency, roles=[roles.CLERK])
    client.force_login(clerk)
    assert client.get(reverse("directives:dashboard")).status_code == 200


def test_a_withdrawn_role_still_closes_the_desk(client, cache_down):
    clerk = UserFactory(roles=[roles.CLERK])
    client.force_login(clerk)
    assert client.get(reverse("directives:register")).status_code == 200

    clerk.groups.remove(Group.objects.get(name=roles.CLERK))  # saved, though not told to it

    assert client.get(reverse("directives:register")).status_code == 403


def test_an_acknowledgement_shows_at_once(client, cache_down):
    agency = UnitFactory(code="STTTT")
    district = UnitFactory(code="UBND.CHUPAH")
    make_issued(units=[district], issuing_unit=agency, tasks=1)
    officer = UserFactory(unit=district, roles=[roles.UNIT_OFFICER])
    client.force_login(officer)
    dispatch = Dispatch.objects.get(unit=district)
    assert client.get(reverse("directives:inbox")).status_code == 200

    response = client.post(reverse("directives:inbox_acknowledge", args=[dispatch.pk]))

    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.acknowledged_at is not None


def test_health_says_the_cache_is_down(client, cache_down):
    response = client.get(reverse("health-web"), HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["Cache(default)"] != "OK"


def test_the_rate_limits_let_requests_through(cache_down):
    """Counted nowhere, every request is its window's first: a limit of one lets each pass
    rather than refusing everyone."""
    assert all(hit("verify", "203.0.113.9", "1/600") for _ in range(3))
