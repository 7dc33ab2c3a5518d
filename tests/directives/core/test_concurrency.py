"""Issuing at the same moment, on PostgreSQL (SQLite has no row locks and one writer at a time):
30 clerks numbering at once give 30 consecutive numbers, and one letter issued twice at once is
issued once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from directives import services
from directives.errors import ConcurrentIssueError
from directives.models import CancelledNumber, Directive, Dispatch, Event, Register
from recipients import roles
from tests.directives.core.conftest import build_agency
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]

COUNT = 30


def in_thread(call):
    """Run `call` on its own database connection, closed afterwards."""

    def run(*args):
        try:
            return call(*args)
        except Exception as exc:  # returned, so the test sees every outcome
            return exc
        finally:
            connection.close()

    return run


def test_thirty_parallel_numberings_take_consecutive_numbers(postgres_required, memory_broker):
    agency = build_agency()
    approved = [agency.approved() for _ in range(COUNT)]
    clerks = [UserFactory(unit=agency.office, roles=[roles.CLERK]) for _ in range(4)]
    start = threading.Barrier(8)

    def issue(index: int):
        if index < 8:
            start.wait(timeout=30)
        return services.directive_number(directive=approved[index], by=clerks[index % 4])

    began = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(in_thread(issue), range(COUNT)))
    elapsed = time.perf_counter() - began

    failures = [r for r in results if isinstance(r, Exception)]
    assert not failures, failures
    numbers = sorted(Directive.objects.values_list("number", flat=True))
    assert numbers == list(range(1, COUNT + 1)), "no gap, no duplicate"
    assert Register.objects.get(unit=agency.sttt).last_number == COUNT
    print(f"\n{COUNT} parallel numberings on 8 threads: {elapsed:.2f} s")


def test_two_clerks_pressing_issue_at_once_issue_once(postgres_required, memory_broker):
    agency = build_agency()
    approved = agency.signed()
    clerks = [agency.clerk, UserFactory(unit=agency.office, roles=[roles.CLERK])]
    start = threading.Barrier(2)

    def issue(clerk):
        start.wait(timeout=30)
        return services.directive_issue(directive=approved, by=clerk)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(in_thread(issue), clerks))

    issued = [r for r in results if isinstance(r, Directive)]
    refused = [r for r in results if isinstance(r, ConcurrentIssueError)]
    assert (len(issued), len(refused)) == (1, 1), results
    assert "01/STTTT-TTBCXB" in refused[0].message
    approved.refresh_from_db()
    assert approved.number == 1 and approved.status == Directive.Status.ISSUED
    assert Register.objects.get(unit=agency.sttt).last_number == 1
    assert Event.objects.filter(directive=approved, verb="issued").count() == 1
    assert Dispatch.objects.filter(directive=approved).count() == 6


def test_cancelling_the_last_number_while_another_clerk_numbers(postgres_required, memory_broker):
    """Both queue on the register's row lock: either the cancel comes first (its number goes
    back and the new letter takes it) or the numbering does (the cancelled number stays in the
    register as cancelled). Never a number given twice, never a gap unaccounted for."""
    agency = build_agency()
    first = agency.numbered()
    waiting = agency.approved()
    clerks = [agency.clerk, UserFactory(unit=agency.office, roles=[roles.CLERK])]
    start = threading.Barrier(2)

    def cancel():
        start.wait(timeout=30)
        return services.directive_number_cancel(directive=first, by=clerks[0])

    def number():
        start.wait(timeout=30)
        return services.directive_number(directive=waiting, by=clerks[1])

    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(in_thread(call)) for call in (cancel, number)]
        results = [r.result() for r in results]

    assert not [r for r in results if isinstance(r, Exception)], results
    waiting.refresh_from_db()
    cancelled = list(CancelledNumber.objects.values_list("number", flat=True))
    last = Register.objects.get(unit=agency.sttt).last_number
    if waiting.number == 1:  # the cancel came first and gave 1 back
        assert cancelled == [] and last == 1
    else:
        assert (waiting.number, cancelled, last) == (2, [1], 2)
    assert Directive.objects.get(pk=first.pk).number is None
