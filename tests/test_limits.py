"""Finding 6 of issue 17: rate limits on the public uploads, the acknowledgement links and the
login, and request bodies refused by their declared size before they are read."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def limits_on(settings, fresh_rate_window):
    settings.RATELIMIT_ENABLED = True
    cache.clear()
    yield settings
    cache.clear()


def _pdf():
    upload = io.BytesIO(b"%PDF-1.7\n%nothing signed here\n%%EOF\n")
    upload.name = "thu.pdf"
    return upload


@pytest.mark.django_db
def test_verify_uploads_beyond_the_rate_are_a_429_in_vietnamese(client, limits_on):
    limits_on.RATELIMIT_VERIFY = "3/600"
    statuses = [client.post("/verify/", {"pdf": _pdf()}).status_code for _ in range(3)]
    assert 429 not in statuses
    refused = client.post("/verify/", {"pdf": _pdf()})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert client.get("/verify/").status_code == 200  # reading the page is not counted


@pytest.mark.django_db
def test_the_rate_is_per_client_address(client, limits_on):
    limits_on.RATELIMIT_VERIFY = "1/600"
    limits_on.TRUSTED_PROXY_COUNT = 1
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client.post("/verify/", {"pdf": _pdf()}, **first).status_code != 429
    assert client.post("/verify/", {"pdf": _pdf()}, **first).status_code == 429
    other = {"HTTP_X_FORWARDED_FOR": "203.0.113.8"}
    assert client.post("/verify/", {"pdf": _pdf()}, **other).status_code != 429


@pytest.mark.django_db
def test_acknowledgement_links_beyond_the_rate_are_a_429(client, limits_on):
    limits_on.RATELIMIT_ACK = "5/600"
    url = reverse("directives:ack_link", args=["not-a-token"])
    assert all(client.get(url).status_code != 429 for _ in range(5))
    assert client.get(url).status_code == 429
    assert client.post(url, {"name": "A"}).status_code == 429


@pytest.mark.django_db
def test_login_attempts_beyond_the_rate_are_a_429(client, limits_on):
    limits_on.RATELIMIT_LOGIN = "3/600"
    user = UserFactory()
    for _ in range(3):
        response = client.post("/login/", {"username": user.username, "password": "sai"})
        assert response.status_code == 200
    refused = client.post("/login/", {"username": user.username, "password": "Mat-khau-2026"})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/login/").status_code == 200


def test_a_declared_body_above_the_limit_is_a_413_before_it_is_read(client, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    # The body holds nothing: had the portal read the declared 2 MB, it would fail another way.
    response = client.generic(
        "POST",
        "/login/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    assert "yêu cầu" in response.content.decode().lower()


def test_verify_has_its_own_limit(client, settings):
    settings.VERIFY_REQUEST_MAX_BYTES = 1024 * 1024
    settings.REQUEST_MAX_BYTES = 100 * 1024 * 1024
    response = client.generic(
        "POST",
        "/verify/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(1024 * 1024 + 1),
    )
    assert response.status_code == 413


def test_the_web_server_refuses_large_bodies_too():
    from pathlib import Path

    conf = (Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf").read_text()
    assert "client_max_body_size 100m;" in conf
    assert "client_max_body_size 31m;" in conf  # /verify/
