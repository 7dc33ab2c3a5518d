"""Logging in through the real form, with and without django-axes' lockout."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-2026"


def test_login_form_signs_in(client):
    UserFactory(username="vanthu")
    response = client.post("/login/", {"username": "vanthu", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").wsgi_request.user.username == "vanthu"


def test_wrong_password_shows_the_form_again(client):
    UserFactory(username="vanthu")
    response = client.post("/login/", {"username": "vanthu", "password": "sai"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["form"].errors


def test_login_works_with_axes_enabled(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="vanthu")
    # The login view authenticates with the request, as axes' backend requires.
    response = client.post("/login/", {"username": "vanthu", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_axes_locks_out_after_repeated_failures(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="vanthu")
    for _ in range(3):
        client.post("/login/", {"username": "vanthu", "password": "sai"})
    response = client.post("/login/", {"username": "vanthu", "password": PASSWORD})
    assert response.status_code == 429
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_logout(client):
    UserFactory(username="vanthu")
    client.post("/login/", {"username": "vanthu", "password": PASSWORD})
    response = client.post("/logout/")
    assert response.status_code == 302
    assert not client.get("/login/").wsgi_request.user.is_authenticated


def _login(client, username, password, *, through_proxy_from):
    """A login as nginx (TRUSTED_PROXY_COUNT=1) hands it on: the client's address appended."""
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=through_proxy_from,
    )


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    settings.TRUSTED_PROXY_COUNT = 1


def test_ten_failures_lock_one_username_from_one_address_only(client, lockout):
    UserFactory(username="vanthu")
    UserFactory(username="lanhdao")
    for _ in range(10):
        _login(client, "vanthu", "sai", through_proxy_from="203.0.113.7")
    locked = _login(client, "vanthu", PASSWORD, through_proxy_from="203.0.113.7")
    assert locked.status_code == 429
    # The page speaks Vietnamese and says for how long.
    page = locked.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page and "30 phút" in page
    # A forged X-Forwarded-For stays left of the address nginx saw: still the same client.
    forged = _login(client, "vanthu", PASSWORD, through_proxy_from="198.51.100.9, 203.0.113.7")
    assert forged.status_code == 429
    # The same person from another address, and another person from that address, get in.
    client.logout()
    other_place = _login(client, "vanthu", PASSWORD, through_proxy_from="198.51.100.20")
    assert other_place.status_code == 302
    client.logout()
    other_person = _login(client, "lanhdao", PASSWORD, through_proxy_from="203.0.113.7")
    assert other_person.status_code == 302


def test_without_a_proxy_the_forwarded_header_is_not_believed(client, settings):
    from django.test import RequestFactory

    from common.client_ip import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "192.0.2.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.9"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9, 172.16.0.2"
    )
    settings.TRUSTED_PROXY_COUNT = 2  # a load balancer, then nginx
    assert client_ip(request) == "10.0.0.9"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"
