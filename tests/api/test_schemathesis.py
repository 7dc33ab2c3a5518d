"""Schemathesis against /api/schema/: for every operation, bounded generated requests (20 an
operation) as a drafter with a token; no answer is a 5xx, and every answer the schema
describes matches it."""

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
def drafters_world(agency):
    """Something in every list: a draft, a letter awaiting approval, the signer's notice."""
    agency.draft()
    agency.submitted()
    return agency


def test_no_operation_answers_5xx_or_outside_the_schema(drafters_world, memory_broker, in_process):
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
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

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
            response = case.call(headers={"Authorization": authorization})
            answered[response.status_code] = answered.get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}"[:2000])
    assert operations >= 25
    assert answered.get(200, 0) > operations, "the requests reach real objects, not only 404s"
    assert not failures, "\n\n".join(failures)
