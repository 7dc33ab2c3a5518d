"""Fixtures of the recipients tests: users of each role and small import files."""

from __future__ import annotations

import pytest

from recipients import roles
from tests.factories import UnitFactory, UserFactory


@pytest.fixture
def role_user(db):
    """role_user(roles.CLERK) -> a user of that role (administrators are staff)."""

    def make(*held: str, **kwargs):
        return UserFactory(roles=list(held), **kwargs)

    return make


@pytest.fixture
def administrator(role_user):
    return role_user(roles.ADMINISTRATOR)


@pytest.fixture
def agency(db):
    return UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", kind="department")
