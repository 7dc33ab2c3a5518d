"""The clerk's moves: seal and issue a numbered letter its signer signed, recall, and enter a
letter that was signed on paper. Issuing snapshots the recipients into one Dispatch per unit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.cache import cache_versions_bump
from common.uploads import check_upload
from directives import jobs
from directives.documents.symbols import register_kind_for, symbol_for
from directives.errors import ConcurrentIssueError, DirectiveError, TransitionError
from directives.models import ISSUED_STATES, URGENCY_RANK, Assignment, Directive, Dispatch
from directives.selectors.inbox import inbox_version_names
from directives.selectors.reach import directive_reach
from directives.services.access import (
    ensure_can_issue,
    ensure_can_recall,
    ensure_can_retry_pdf,
    ensure_clerk,
)
from directives.services.drafting import locked
from directives.services.events import event_record
from directives.services.lines import apply_fields, check_lines, validate_directive, write_lines
from directives.services.notices import people
from directives.services.register import register_reserve
from directives.workdays import effective_deadline, local_today
from recipients.models import User

REPLACEABLE = (Directive.Status.ISSUED, Directive.Status.RECALLED)

M = TypeVar("M", bound=models.Model)


def _unsaved(model: type[M], names: tuple[str, ...], rows: Iterable[tuple]) -> list[M]:
    """New, unsaved instances of `model`: the fields `names` (attnames) from each row, every
    other field at its default (a callable default called for each instance).

    Built with positional arguments in the model's field order, as Model.from_db builds the
    rows it reads: Django's fast path, a sixth less time than keywords for the thousands of
    rows of a snapshot, which the clerk's issue request waits for."""
    fields = model._meta.concrete_fields
    attnames = [field.attname for field in fields]
    slots = [attnames.index(name) for name in names]
    defaults = [None if field.primary_key else field.get_default() for field in fields]
    called = [
        i
        for i, field in enumerate(fields)
        if i not in slots and not field.primary_key and callable(field.default)
    ]
    instances = []
    for row in rows:
        values = defaults.copy()
        for i in called:
            values[i] = fields[i].get_default()
        for slot, value in zip(slots, row, strict=True):
            values[slot] = value
        instances.append(model(*values))
    return instances


def dispatches_create_for(
    directive: Directive, *, require_recipient: bool = True, defer_assignments: bool = False
) -> int:
    """One Dispatch per unit reached by an addressee, a linked copy line or a task (groups
    expanded as they are today: later edits of a group change nothing), and one Assignment per
    task and unit. Returns the number of dispatches.

    `defer_assignments` (the clerk's issue request): the tasks' units, expanded now, are kept on
    the letter (`pending_assignments`, one value) and the PDF job writes their assignments
    before anything is delivered (assignments_snapshot_write)."""
    reach = directive_reach(directive)
    sources, task_units = reach.sources, reach.task_units
    if require_recipient and not sources:
        raise TransitionError(
            _(
                "Nobody would receive this directive: its recipient groups and units have no "
                "active unit. Correct the recipient lists and try again."
            )
        )
    pending = {str(task.pk): unit_ids for task, unit_ids in task_units if unit_ids}
    if defer_assignments and pending:
        directive.pending_assignments = pending
        Directive.objects.filter(pk=directive.pk).update(pending_assignments=pending)
    assignments = [
        (task.pk, unit_id, task.deadline)
        for task, unit_ids in ([] if defer_assignments else task_units)
        for unit_id in unit_ids
    ]
    # One ORM path for every database: bulk_create returns the new ids on PostgreSQL and on
    # SQLite >= 3.35, so the assignments point at their dispatches without a read back.
    dispatches = Dispatch.objects.bulk_create(
        _unsaved(
            Dispatch,
            ("directive_id", "unit_id", "source", "urgency_rank"),
            (
                (directive.pk, unit_id, source, URGENCY_RANK[directive.urgency])
                for unit_id, source in sources.items()
            ),
        )
    )
    _assignments_create(assignments, {dispatch.unit_id: dispatch.pk for dispatch in dispatches})
    inbox_letters_changed(unit_ids=sources)
    return len(sources)


def inbox_letters_changed(*, unit_ids: Iterable[int]) -> None:
    """What is kept of these units' inboxes (their counts, their issuers: selectors.inbox) is
    worked out again: a letter reached them, was made visible to them or left them."""
    cache_versions_bump(inbox_version_names(unit_ids))


def _assignments_create(
    assignments: Iterable[tuple[int, int, datetime.date | None]],
    dispatch_ids: dict[int, int],
    *,
    existing_kept: bool = False,
) -> None:
    """Assignments (task, unit, due date) pointing at their units' dispatches; with
    `existing_kept`, a task and unit that has one already keeps it."""
    Assignment.objects.bulk_create(
        _unsaved(
            Assignment,
            ("task_id", "unit_id", "dispatch_id", "due_date", "effective_due_date"),
            (
                (task_id, unit_id, dispatch_ids[unit_id], due, due and effective_deadline(due))
                for task_id, unit_id, due in assignments
            ),
        ),
        ignore_conflicts=existing_kept,
    )


def assignments_snapshot_write(*, directive_id: int) -> int:
    """Write the assignments an issue request left pending (`pending_assignments`): the PDF
    job's first step, before the letter can be delivered. Once: the letter's row is locked and
    its pending units cleared in the same transaction. Whatever became of the letter since
    (recalled, replaced), its units' tasks are recorded as issued. Returns the rows written."""
    with transaction.atomic():
        directive = (
            Directive.objects.select_for_update()
            .filter(pk=directive_id, pending_assignments__isnull=False)
            .only("pk", "pending_assignments")
            .first()
        )
        if directive is None:
            return 0
        pending = {int(task_id): units for task_id, units in directive.pending_assignments.items()}
        deadlines = dict(directive.tasks.filter(pk__in=list(pending)).values_list("pk", "deadline"))
        dispatch_ids = dict(
            Dispatch.objects.filter(directive_id=directive_id).values_list("unit_id", "pk")
        )
        rows = [
            (task_id, unit_id, deadlines[task_id])
            for task_id, units in pending.items()
            if task_id in deadlines
            for unit_id in units
            if unit_id in dispatch_ids
        ]
        # Kept if there: a letter saved whole from a copy read before this job cleared its
        # pending units would bring them back; the unit's own row, and its work, stays.
        _assignments_create(rows, dispatch_ids, existing_kept=True)
        Directive.objects.filter(pk=directive_id).update(pending_assignments=None)
        inbox_letters_changed(unit_ids=dispatch_ids)  # its letter now shows in their inboxes
    return len(rows)


def _locked_replaced(directive: Directive) -> Directive | None:
    if directive.replaces_id is None:
        return None
    old = Directive.objects.select_for_update().get(pk=directive.replaces_id)
    if old.status not in REPLACEABLE:
        raise TransitionError(
            _("The directive this one replaces (%(old)s) has already been replaced.")
            % {"old": old.number_symbol}
        )
    return old


def _mark_replaced(old: Directive, *, new: Directive, by: User, ip: str | None) -> None:
    from directives.services.notices import withdrawal_notices_create

    old.status = Directive.Status.REPLACED
    old.save(update_fields=["status", "updated_at"])
    event_record(
        directive=old,
        verb="replaced",
        by=by,
        ip=ip,
        comment=new.number_symbol,
        data={"replaced_by": new.pk},
    )
    withdrawal_notices_create(directive=old, replacement=new)
    _edxml_recall(old)


def _edxml_recall(directive: Directive) -> None:
    """The external units on other systems that had the letter by edXML hear of its recall
    (or, for those the replacement does not reach, of its replacement) after commit."""
    if directive.pdf_status != Directive.PdfStatus.READY:
        return  # nothing went by edXML before the signed PDF was ready
    has_exchange = (
        Dispatch.objects.filter(directive=directive, unit__is_external=True)
        .exclude(unit__identifier_code="")
        .exists()
    )
    if has_exchange:
        pk = directive.pk
        transaction.on_commit(lambda: jobs.edxml_recall_enqueue(pk), robust=True)


def directive_issue(*, directive: Directive, by: User, ip: str | None = None) -> Directive:
    """Seal and issue the letter its signer signed: snapshot its recipients, and hand it to the
    PDF job after commit, which adds the agency's signature as the last revision and starts the
    fan-out. Its number and date were taken when it was numbered; nothing of the letter changes
    here. Anything failing rolls the whole issue back."""
    with transaction.atomic():
        signed = locked(directive)
        if signed.status in ISSUED_STATES:
            raise ConcurrentIssueError(
                _("This directive has already been issued as number %(number)s.")
                % {"number": signed.number_symbol}
            )
        if signed.status != Directive.Status.SIGNED:
            raise TransitionError(
                _("Only a directive numbered and signed by its signer can be issued.")
            )
        ensure_can_issue(by, signed)
        old = _locked_replaced(signed)
        signed.issued_at = timezone.now()
        signed.status = Directive.Status.ISSUED
        signed.pdf_status = Directive.PdfStatus.PENDING
        signed.pdf_error = ""
        signed.save(update_fields=["issued_at", "status", "pdf_status", "pdf_error", "updated_at"])
        count = dispatches_create_for(signed, defer_assignments=True)
        event = event_record(
            directive=signed,
            verb="issued",
            by=by,
            ip=ip,
            comment=signed.number_symbol,
            data={"number": signed.number, "symbol": signed.symbol, "dispatches": count},
        )
        people.directive_people_notify(
            directive=signed, occasion=people.ISSUED, by=by, key=event.pk
        )
        if old is not None:
            _mark_replaced(old, new=signed, by=by, ip=ip)
        pk = signed.pk
        # robust: the issue has committed; a broker that is down must not turn it into an
        # error page. The directive stays "pdf pending" for the sweep or a retry.
        transaction.on_commit(lambda: jobs.pdf_render_enqueue(pk), robust=True)
    return signed


def directive_pdf_retry(*, directive: Directive, by: User, ip: str | None = None) -> Directive:
    """The clerk asks for the signed PDF again after the worker gave up on it (a signing key
    that was missing, a retry cap reached). Delivery follows the new PDF as usual."""
    with transaction.atomic():
        current = locked(directive)
        if current.status not in ISSUED_STATES or current.is_paper:
            raise TransitionError(_("Only an issued directive has a signed PDF to make."))
        if current.pdf_status != Directive.PdfStatus.FAILED:
            raise TransitionError(_("The signed PDF has not failed: there is nothing to retry."))
        ensure_can_retry_pdf(by, current)
        failed_with = current.pdf_error
        current.pdf_status = Directive.PdfStatus.PENDING
        current.pdf_error = ""
        current.save(update_fields=["pdf_status", "pdf_error", "updated_at"])
        event_record(directive=current, verb="pdf_retried", by=by, ip=ip, comment=failed_with)
        pk = current.pk
        transaction.on_commit(lambda: jobs.pdf_render_enqueue(pk), robust=True)
    return current


def directive_recall(
    *, directive: Directive, by: User, reason: str, ip: str | None = None
) -> Directive:
    """Withdraw an issued directive; every recipient is told and acknowledges again."""
    reason = (reason or "").strip()
    if not reason:
        raise DirectiveError(_("Say why the directive is recalled."))
    with transaction.atomic():
        issued = locked(directive)
        if issued.status != Directive.Status.ISSUED:
            raise TransitionError(_("Only an issued directive can be recalled."))
        ensure_can_recall(by, issued)
        issued.status = Directive.Status.RECALLED
        issued.recall_reason = reason
        issued.recalled_at = timezone.now()
        issued.save(update_fields=["status", "recall_reason", "recalled_at", "updated_at"])
        event_record(directive=issued, verb="recalled", by=by, ip=ip, comment=reason)
        from directives.services.notices import withdrawal_notices_create

        withdrawal_notices_create(directive=issued, replacement=None)
        _edxml_recall(issued)
    return issued


def directive_enter_paper(
    *,
    by: User,
    fields: dict,
    addressees: list[dict],
    copies: list[dict],
    tasks: list[dict],
    number: int,
    issued_on: datetime.date,
    pdf_upload: UploadedFile | None = None,
    ip: str | None = None,
) -> Directive:
    """Record a letter signed on paper under its own number, which the register then skips.
    Its units see it in their inbox; the scanned PDF, if given, is its file copy."""
    check_lines(addressees, copies, tasks)
    if number is None or number < 1:
        raise DirectiveError(_("The number must be 1 or more."))
    if issued_on > local_today():
        raise DirectiveError(_("A letter signed on paper cannot be dated in the future."))
    checked = check_upload(pdf_upload, allowed=("pdf",)) if pdf_upload else None
    with transaction.atomic():
        paper = Directive(drafter=by, status=Directive.Status.ISSUED, is_paper=True)
        apply_fields(paper, fields)
        validate_directive(paper)
        ensure_clerk(by, paper.issuing_unit_id, "enter_paper_directive")
        old = _locked_replaced(paper)
        paper.register_kind = register_kind_for(paper)
        register_reserve(
            unit=paper.issuing_unit, year=issued_on.year, number=number, kind=paper.register_kind
        )
        paper.number = number
        paper.register_year = issued_on.year
        paper.symbol = symbol_for(paper)
        paper.issued_on = issued_on
        paper.issued_at = timezone.now()
        if checked is not None:
            paper.pdf.save(paper.pdf_filename, pdf_upload, save=False)
            paper.pdf_sha256 = checked.sha256
            paper.pdf_status = Directive.PdfStatus.READY
        try:
            paper.save()
            write_lines(paper, addressees, copies, tasks)
            count = dispatches_create_for(paper, require_recipient=False)
            event_record(
                directive=paper,
                verb="paper_entered",
                by=by,
                ip=ip,
                comment=paper.number_symbol,
                data={"number": number, "dispatches": count, "pdf_sha256": paper.pdf_sha256},
            )
            if old is not None:
                _mark_replaced(old, new=paper, by=by, ip=ip)
        except Exception:
            # The scan reached the storage before the rows: a refused entry must not keep it.
            if paper.pdf:
                paper.pdf.delete(save=False)
            raise
    return paper
