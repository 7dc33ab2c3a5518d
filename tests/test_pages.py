"""The pages every user meets first: login in Vietnamese, the language switch, the home desks."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from recipients import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="vi"' in page
    # No language asked for: the visitor reads Vietnamese.
    form = lxml.html.fromstring(page).xpath("//form[.//input[@name='password']]")[0]
    assert form.xpath("string(preceding::h1[1])").strip() == "Đăng nhập cổng"
    assert form.xpath("string(.//button[@type='submit'])").strip() == "Đăng nhập"
    assert 'name="username"' in page and 'name="password"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_language_switch_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert 'lang="en"' in client.get("/login/").content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/login/"})
    assert 'lang="vi"' in client.get("/login/").content.decode()


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("role", "desk"),
    [
        (roles.DRAFTER, "directives:list"),
        (roles.SIGNER, "directives:list"),
        (roles.UNIT_OFFICER, "directives:inbox"),
        (roles.ADMINISTRATOR, "admin:index"),
    ],
)
def test_home_sends_each_role_to_its_desk(client, role, desk):
    client.force_login(UserFactory(roles=[role]))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(desk)


def test_clerk_gets_a_choice_of_desks(client):
    client.force_login(UserFactory(roles=[roles.CLERK]))
    response = client.get("/")
    assert response.status_code == 200
    urls = [url for _name, url in response.context["desks"]]
    assert reverse("directives:list") in urls and reverse("directives:register") in urls


def test_user_without_role_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200 and response.context["desks"] == []
