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
