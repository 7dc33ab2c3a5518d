import pytest

from recipients import roles
from tests.factories import UserFactory


@pytest.mark.django_db
def test_login_page_speaks_vietnamese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode() or "Log in" in response.content.decode()


@pytest.mark.django_db
def test_clerk_home_lists_desks(client):
    user = UserFactory(roles=[roles.CLERK])
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
