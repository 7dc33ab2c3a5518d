"""The ministry's portal in the two-portal round trip: what its people do, run with
`manage.py shell -c` against that portal's own database (its environment, not the test's)."""

from __future__ import annotations

import json

from directives.models import IncomingEntry
from recipients import roles
from recipients.models import Unit, User

MINISTRY = "000.00.00.G22"
SO = "000.00.31.H18"


def setup() -> None:
    ministry = Unit.objects.create(
        code="BOTTTT", name="Bộ Thông tin và Truyền thông", identifier_code=MINISTRY
    )
    Unit.objects.create(code="STTTT", name="Sở TT&TT Gia Lai", identifier_code=SO, is_external=True)
    for username, head in (("truongbo", True), ("chuyenvien", False)):
        user = User.objects.create_user(
            username=username, password="Mat-khau-2026", unit=ministry, is_unit_head=head
        )
        user.groups.set(roles_groups())


def roles_groups():
    from django.contrib.auth.models import Group

    return Group.objects.filter(name=roles.UNIT_OFFICER)


def vendor() -> None:
    from django.db import connection

    print(json.dumps({"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])}))


def book() -> None:
    print(
        json.dumps(
            [
                {
                    "document_id": e.edxml_document_id,
                    "arrival_number": e.arrival_number,
                    "subject": e.subject,
                    "recalled": e.recalled_at is not None,
                    "recall_reason": e.recall_reason,
                }
                for e in IncomingEntry.objects.order_by("pk")
            ]
        )
    )


def moves() -> None:
    """What the letter's handler may still do with it (nothing once it is recalled)."""
    from directives.selectors.moves import entry_moves

    entry = IncomingEntry.objects.get()
    officer = User.objects.get(username="chuyenvien")
    found = entry_moves(entry=entry, user=officer)
    print(json.dumps({name: bool(value) for name, value in vars(found).items()}))


def act(step: str) -> None:
    from directives.services.distribution import incoming_entry_assign
    from directives.services.handling import (
        incoming_entry_head_approve,
        incoming_entry_mark_handled,
        incoming_entry_start,
    )

    entry = IncomingEntry.objects.get()
    head = User.objects.get(username="truongbo")
    officer = User.objects.get(username="chuyenvien")
    if step == "assign":
        incoming_entry_assign(entry=entry, by=head, handler_user=officer)
    elif step == "start":
        incoming_entry_start(entry=entry, by=officer)
    elif step == "handled":
        incoming_entry_mark_handled(entry=entry, by=officer, text="Đã triển khai trong Bộ.")
    elif step == "approve":
        incoming_entry_head_approve(entry=entry, by=head)
