"""Eight clerks accepting letters into the same incoming book at once, on PostgreSQL (SQLite has
no row locks): the arrival numbers run 1..N with no gap and no duplicate."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from directives.models import Dispatch, IncomingBook, IncomingEntry
from directives.services.incoming import dispatch_accept
from recipients import roles
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CLERKS = 8
LETTERS = 24


def test_eight_clerks_accepting_at_once_number_without_gap(postgres_required, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sttt = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    office = UnitFactory(code="VPS", name="Văn phòng Sở", kind="division", parent=sttt)
    issuers = [UnitFactory(code=f"UBND.H{i}") for i in range(3)]
    letters = [
        make_issued(units=[sttt], issuing_unit=issuers[i % 3], tasks=0) for i in range(LETTERS)
    ]
    dispatches = [Dispatch.objects.get(directive=d, unit=sttt) for d in letters]
    clerks = [UserFactory(unit=office, roles=[roles.CLERK]) for _ in range(CLERKS)]
    start = threading.Barrier(CLERKS)

    def accept(index: int):
        try:
            if index < CLERKS:
                start.wait(timeout=30)
            return dispatch_accept(dispatch=dispatches[index], by=clerks[index % CLERKS])
        except Exception as exc:  # returned, so the test sees every outcome
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(CLERKS) as pool:
        results = list(pool.map(accept, range(LETTERS)))

    failures = [r for r in results if isinstance(r, Exception)]
    assert not failures, failures
    numbers = sorted(
        IncomingEntry.objects.filter(unit=sttt).values_list("arrival_number", flat=True)
    )
    assert numbers == list(range(1, LETTERS + 1)), "no gap, no duplicate"
    assert IncomingBook.objects.get(unit=sttt).last_number == LETTERS
    assert IncomingBook.objects.count() == 1  # the book's row was created once


def test_officers_acknowledging_and_clerks_accepting_at_once_share_one_numbering(
    postgres_required, settings
):
    """Half the letters acknowledged by the Sở's officers (which accepts them), half accepted by
    its clerks, each letter pressed by both at once: one entry per letter, numbers 1..N."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from directives.services.incoming import dispatch_acknowledge

    sttt = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông")
    office = UnitFactory(code="VPS", name="Văn phòng Sở", kind="division", parent=sttt)
    letters = [make_issued(units=[sttt], tasks=0) for _ in range(LETTERS // 2)]
    dispatches = [Dispatch.objects.get(directive=d, unit=sttt) for d in letters]
    clerks = [UserFactory(unit=office, roles=[roles.CLERK]) for _ in range(CLERKS // 2)]
    officers = [UserFactory(unit=sttt, roles=[roles.UNIT_OFFICER]) for _ in range(CLERKS // 2)]
    start = threading.Barrier(CLERKS)

    def press(index: int):
        dispatch = dispatches[index // 2]
        try:
            if index < CLERKS:
                start.wait(timeout=30)
            if index % 2:
                return dispatch_acknowledge(dispatch=dispatch, by=officers[index % len(officers)])
            return dispatch_accept(dispatch=dispatch, by=clerks[index % len(clerks)])
        except Exception as exc:  # the loser of a pair is told it is in the book already
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(CLERKS) as pool:
        list(pool.map(press, range(LETTERS)))

    numbers = sorted(
        IncomingEntry.objects.filter(unit=sttt).values_list("arrival_number", flat=True)
    )
    assert numbers == list(range(1, len(letters) + 1)), "one entry a letter, no gap"
    assert IncomingBook.objects.get(unit=sttt).last_number == len(letters)
    assert all(
        d.acknowledged_at is not None
        for d in Dispatch.objects.filter(pk__in=[x.pk for x in dispatches])
    )
