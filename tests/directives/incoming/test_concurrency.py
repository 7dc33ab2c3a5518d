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
