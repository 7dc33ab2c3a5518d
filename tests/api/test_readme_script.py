"""The README's API script, run as it is printed, against a live server: four people's tokens
draft, submit, approve, number, sign, issue and acknowledge a letter. The worker's jobs run
inline (as the worker runs them moments after the issue)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from directives.models import Directive, Dispatch
from recipients import roles
from recipients.services import api_token_create
from tests.factories import UserFactory
from tests.signing_keys import PIN, signer_key_issue

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_script() -> str:
    section = README.read_text().split("## REST API", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README's API section has its script"
    return found.group(1)


@pytest.mark.django_db(transaction=True)
def test_the_readme_script_works(live_server, agency, agency_key, celery_eager, monkeypatch):
    signer_key_issue(agency.signer)
    officer = UserFactory(unit=agency.chu_pah, roles=[roles.UNIT_OFFICER])
    people = {
        "DRAFTER_TOKEN": agency.drafter,
        "SIGNER_TOKEN": agency.signer,
        "CLERK_TOKEN": agency.clerk,
        "OFFICER_TOKEN": officer,
    }
    for variable, person in people.items():
        monkeypatch.setenv(variable, api_token_create(user=person, name="script", days=1)[1])
    monkeypatch.setenv("PORTAL", live_server.url)
    monkeypatch.setenv("PIN", PIN)

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(readme_script(), "README.md", "exec"), {"__name__": "readme"})  # noqa: S102

    letter = Directive.objects.get()
    assert letter.status == Directive.Status.ISSUED
    assert f"number: {letter.symbol}" in printed.getvalue()
    assert "status: issued" in printed.getvalue()
    dispatch = Dispatch.objects.get(directive=letter, unit=agency.chu_pah)
    assert dispatch.acknowledged_by == officer
    assert letter.tasks.get().units.get() == agency.chu_pah
