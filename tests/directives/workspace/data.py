"""Test data for the workspaces: issued directives with their Dispatch and Assignment rows made
directly (a snapshot as directive_issue would leave it), so these tests do not wait on the
issuing service. Shared with tests/test_isolation.py and tests/bench/matrix.py."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

from directives.models import URGENCY_RANK, Assignment, Directive, Dispatch, Task
from directives.workdays import effective_deadline
from recipients.models import Unit
from tests.factories import DirectiveFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def make_issued(
    *,
    units: Sequence[Unit],
    tasks: int = 2,
    issuing_unit: Unit | None = None,
    number: int | None = None,
    deadline: datetime.date | None = None,
    delivered: bool = True,
    **fields,
) -> Directive:
    """An issued directive sent to `units`, each unit assigned every task."""
    kwargs = {"issuing_unit": issuing_unit} if issuing_unit is not None else {}
    now = timezone.now()
    directive = DirectiveFactory(
        status=Directive.Status.ISSUED,
        number=number if number is not None else Directive.objects.count() + 100,
        register_year=now.year,
        issued_on=timezone.localdate(),
        issued_at=now,
        pdf_sha256="a" * 64,
        pdf_status=Directive.PdfStatus.READY,
        **kwargs,
        **fields,
    )
    directive.symbol = f"{directive.issuing_unit.code}-TTBCXB"
    directive.save(update_fields=["symbol"])
    due = deadline or (timezone.localdate() + datetime.timedelta(days=14))
    task_rows = [
        Task.objects.create(
            directive=directive,
            position=i + 1,
            title=f"Nhiệm vụ {i + 1}",
            deadline=due,
            report_required=True,
        )
        for i in range(tasks)
    ]
    dispatches = Dispatch.objects.bulk_create(
        [
            Dispatch(
                directive=directive,
                unit=unit,
                urgency_rank=URGENCY_RANK[directive.urgency],
                delivery=Dispatch.Delivery.SENT if delivered else Dispatch.Delivery.PENDING,
                delivered_at=now if delivered else None,
            )
            for unit in units
        ]
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                task=task,
                unit=d.unit,
                dispatch=d,
                due_date=task.deadline,
                effective_due_date=task.deadline and effective_deadline(task.deadline),
            )
            for d in dispatches
            for task in task_rows
        ]
    )
    return directive
