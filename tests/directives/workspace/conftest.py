"""Fixtures of the workspace tests (data built by tests/directives/workspace/data.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from directives.models import Assignment, Directive, Dispatch
from recipients import roles
from recipients.models import Unit, User
from tests.directives.workspace.data import PDF_BYTES, make_issued  # noqa: F401  (re-exported for the test modules)
from tests.factories import UnitFactory, UserFactory


@pytest.fixture
def agency(db) -> Unit:
    return UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")


@pytest.fixture
def clerk(agency) -> User:
    return UserFactory(unit=agency, roles=[roles.CLERK], username="vanthu")


@pytest.fixture
def unit_x(db) -> Unit:
    return UnitFactory(code="CHUPAH", name="UBND huyện Chư Păh", kind=Unit.Kind.DISTRICT_COMMITTEE)


@pytest.fixture
def unit_y(db) -> Unit:
    return UnitFactory(code="BAOGL", name="Báo Gia Lai", kind=Unit.Kind.PRESS)


@pytest.fixture
def officer_x(unit_x) -> User:
    return UserFactory(unit=unit_x, roles=[roles.UNIT_OFFICER], username="chupah")


@pytest.fixture
def officer_y(unit_y) -> User:
    return UserFactory(unit=unit_y, roles=[roles.UNIT_OFFICER], username="baogialai")


@pytest.fixture
def directive(agency, unit_x, unit_y) -> Directive:
    return make_issued(units=[unit_x, unit_y], issuing_unit=agency, number=1038)


@pytest.fixture
def dispatch_x(directive, unit_x) -> Dispatch:
    return Dispatch.objects.get(directive=directive, unit=unit_x)


@pytest.fixture
def acked_x(dispatch_x, officer_x) -> Dispatch:
    dispatch_x.acknowledged_at = timezone.now()
    dispatch_x.acknowledged_by = officer_x
    dispatch_x.acknowledged_by_name = str(officer_x)
    dispatch_x.save()
    return dispatch_x


@pytest.fixture
def task1_x(acked_x) -> Assignment:
    return Assignment.objects.get(dispatch=acked_x, task__position=1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories hash a password per user; the real hasher would make 300-unit tests crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
