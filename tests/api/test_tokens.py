"""Personal API tokens: made, named and revoked on the profile page; stored hashed; the secret
shown once; a revoked, expired or unknown token is a 401."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from recipients import roles
from recipients.models import ApiToken
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafter():
    return UserFactory(unit=UnitFactory(code="STTTT"), roles=[roles.DRAFTER])


def bearer(secret: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def make_on_profile(client, user, name="e-office sync", days="30") -> str:
    client.force_login(user)
    response = client.post(reverse("recipients:api_token_new"), {"name": name, "days": days})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    found = re.search(r"<code class=\"user-select-all\">([^<]+)</code>", response.content.decode())
    assert found, "the secret is on the page that made it"
    return found.group(1)


def test_a_token_is_made_on_the_profile_shown_once_and_stored_hashed(client, drafter):
    secret = make_on_profile(client, drafter)
    token = ApiToken.objects.get(user=drafter)
    assert token.name == "e-office sync"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values_list().get()]
    assert secret not in stored
    assert 29 <= (token.expires_at - timezone.now()).days <= 30

    again = client.get(reverse("recipients:profile")).content.decode()
    assert secret not in again and "e-office sync" in again and token.prefix in again

    response = bearer(secret).get("/api/v1/directives/")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_without_a_name_or_with_too_long_a_life_is_refused(client, drafter):
    client.force_login(drafter)
    for data in ({"name": "", "days": "30"}, {"name": "x", "days": "5000"}):
        response = client.post(reverse("recipients:api_token_new"), data)
        assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused_at_once(client, drafter):
    secret = make_on_profile(client, drafter)
    token = ApiToken.objects.get(user=drafter)
    response = client.post(reverse("recipients:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None

    response = bearer(secret).get("/api/v1/directives/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "The token is unknown, revoked or expired."}


def test_an_expired_or_unknown_token_is_a_401(client, drafter):
    secret = make_on_profile(client, drafter)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert bearer(secret).get("/api/v1/directives/").status_code == 401
    assert bearer("dp_not-a-token").get("/api/v1/directives/").status_code == 401
    assert APIClient().get("/api/v1/directives/").status_code == 401


def test_nobody_revokes_another_persons_token(client, drafter):
    make_on_profile(client, drafter)
    token = ApiToken.objects.get(user=drafter)
    other = UserFactory(unit=drafter.unit, roles=[roles.DRAFTER])
    client.force_login(other)
    response = client.post(reverse("recipients:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_inactive_persons_token_is_refused(client, drafter):
    secret = make_on_profile(client, drafter)
    drafter.is_active = False
    drafter.save(update_fields=["is_active"])
    assert bearer(secret).get("/api/v1/directives/").status_code == 401


def test_token_clients_are_throttled_and_the_session_is_not(client, drafter, monkeypatch):
    from recipients.api.throttling import TokenRateThrottle

    # The rate is read when the class is made (API_TOKEN_RATE); three a minute for this test.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    secret = make_on_profile(client, drafter)
    program = bearer(secret)
    codes = [program.get("/api/v1/directives/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    session = APIClient()
    session.force_login(drafter)
    assert all(session.get("/api/v1/directives/").status_code == 200 for _ in range(5))


def test_the_token_part_of_the_profile_speaks_vietnamese(client, drafter):
    client.force_login(drafter)
    page = client.get(reverse("recipients:profile"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Tạo mã truy cập" in page and "Chương trình gửi mã truy cập" in page
    refused = APIClient(HTTP_ACCEPT_LANGUAGE="vi")
    refused.credentials(HTTP_AUTHORIZATION="Bearer dp_guess")
    response = refused.get("/api/v1/directives/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Mã truy cập không tồn tại, đã bị thu hồi hoặc đã hết hạn."
    }
