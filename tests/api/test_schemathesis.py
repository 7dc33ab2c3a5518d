"""Schemathesis against /api/schema/: for every operation, bounded generated requests (20 an
operation) as a drafter with a token, and for every read of one object a request for a real one
of the drafter's (their draft, its attachment, their unit, a group); no answer is a 5xx, and
every answer the schema describes matches it."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

from tests.api.conftest import token_client  # noqa: E402

MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def in_process():
    """The WSGI app in the test's own transaction: as Django's test client does, the request
    signals do not close the test's database connection."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(monkeypatch):
    """20 requests an operation outnumber a token's hourly allowance (API_TOKEN_RATE): the
    throttle's 429s would hide the answers under test (its own test is test_tokens.py)."""
    from recipients.api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "1000000/hour"})


@pytest.fixture
def drafters_world(agency):
    """Something in every list: a draft with an attachment, a letter awaiting approval, the
    signer's notice."""
    from django.core.files.base import ContentFile

    from directives.models import Attachment
    from recipients.models import RecipientGroup

    draft = agency.draft()
    agency.submitted()
    attachment = Attachment(
        directive=draft, name="phu-luc.pdf", content_type="application/pdf", size=15, sha256="0"
    )
    attachment.file.save("phu-luc.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    agency.real_ids = {
        "/api/v1/directives/{id}/": draft.pk,
        "/api/v1/attachments/{id}/": attachment.pk,
        "/api/v1/units/{id}/": agency.drafter.unit_id,
        "/api/v1/groups/{id}/": RecipientGroup.objects.order_by("pk").first().pk,
    }
    return agency


# Reads that must answer 200 at least once: the drafter's lists and their real objects.
REACHED = {
    "GET /api/v1/me/",
    "GET /api/v1/directives/",
    "GET /api/v1/units/",
    "GET /api/v1/groups/",
    "GET /api/v1/notifications/",
    "GET /api/v1/directives/{id}/",
    "GET /api/v1/directives/{id}/events/",
    "GET /api/v1/attachments/{id}/file/",
    "GET /api/v1/units/{id}/",
    "GET /api/v1/groups/{id}/",
}


def _real_id(world, path: str) -> int | None:
    return next((pk for prefix, pk in world.real_ids.items() if path.startswith(prefix)), None)


def test_no_operation_answers_5xx_or_outside_the_schema(
    drafters_world, memory_broker, in_process, unthrottled
):
    client = token_client(drafters_world.drafter)
    authorization = client._credentials["HTTP_AUTHORIZATION"]
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        in_process,
        headers={"Authorization": authorization, "Accept": "application/json"},
    )
    failures: list[str] = []
    operations = 0
    answered: dict[int, int] = {}
    reached: set[str] = set()

    def check(operation, case) -> None:
        response = case.call(headers={"Authorization": authorization})
        answered[response.status_code] = answered.get(response.status_code, 0) + 1
        if response.status_code == 200:
            reached.add(operation.label)
        case.validate_response(response, checks=CHECKS)

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        real = _real_id(drafters_world, operation.path)
        if operation.method.upper() == "GET" and real is not None:
            try:
                check(operation, operation.Case(path_parameters={"id": real}))
            except Exception as exc:
                failures.append(
                    f"{operation.label} (id {real}): {type(exc).__name__}: {exc}"[:2000]
                )

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            check(operation, case)  # noqa: B023 - run() is called in this iteration

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}"[:2000])
    assert operations >= 25
    assert reached >= REACHED, f"the requests reach real objects, not only 404s: {answered}"
    assert not failures, "\n\n".join(failures)
