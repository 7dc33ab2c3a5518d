"""A person's profile page: their choice to get notices also by e-mail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recipients import roles
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_person_chooses_notices_also_by_email(client):
    user = UserFactory(unit=UnitFactory(code="STTTT"), roles=[roles.CLERK])
    assert user.notify_by_email is False
    client.force_login(user)

    page = client.get(reverse("recipients:profile"))
    assert page.status_code == 200
    assert 'name="notify_by_email"' in page.content.decode()

    response = client.post(reverse("recipients:profile"), {"notify_by_email": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.notify_by_email is True

    client.post(reverse("recipients:profile"), {})
    user.refresh_from_db()
    assert user.notify_by_email is False


def test_the_profile_needs_a_signed_in_person(client):
    response = client.get(reverse("recipients:profile"))
    assert response.status_code == 302 and "login" in response["Location"]
