"""Fixtures of the API tests: the Sở TT&TT of the workflow tests, and API clients that speak
with a personal token (as a program does) or with the portal's session."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from recipients.services import api_token_create
from tests.directives.core.conftest import Agency, agency, memory_broker, other_agency  # noqa: F401

# The receiving side's world (Chư Păh's letter to the Sở and the press; the Sở's clerk, head,
# division and its officer), as the pages' tests have it.
from tests.directives.incoming.conftest import (  # noqa: F401
    chupah,
    clerk,
    division,
    division_officer,
    head,
    issuer_clerk,
    letter,
    office,
    press,
    press_officer,
    sttt,
    to_press,
    to_sttt,
)
from tests.signing_keys import throwaway_pki


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_throttle_memory(settings):
    """Each test counts its own requests (the throttle's cache is the test's)."""
    from django.core.cache import cache

    cache.clear()


def token_client(user, *, language: str = "en") -> APIClient:
    """A program holding a fresh token of `user`."""
    _token, secret = api_token_create(user=user, name="test program", days=30)
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def as_token():
    return token_client


@pytest.fixture
def agency_key(settings):
    """The agency seals with the organisation key of the test CA that issued the signers'."""
    pki = throwaway_pki()
    settings.SIGNING_P12 = str(pki.org_p12)
    settings.SIGNING_P12_PASSWORD = pki.password
    settings.SIGNING_P12_DIR = ""
    settings.SIGNING_TSA_URL = ""
    return pki


__all__ = ["Agency"]
