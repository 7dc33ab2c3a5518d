"""What a user may do: computed once here, shown as the page's buttons and checked by the services.

Each rule has one home in this module: the role and unit rules (who) and the moves built from them
with the object's state (what, now). A page passes `directive_moves(...)` (or the dispatch or
assignment moves) to its template, which shows a button only when its move is allowed; the
service raises when the same move is not allowed, whatever was pressed.

Roles are Django groups carrying permissions (recipients/roles.py), so a role is checked with
`has_perm`; the unit is checked against the agency the user works for (`agency_unit_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from directives.models import (
    ISSUED_STATES,
    SIGNING_STATES,
    Assignment,
    Directive,
    Dispatch,
    IncomingEntry,
    RemoteSignature,
)
from directives.selectors.scope import agency_unit_ids, receiving_unit_ids
from recipients.models import SigningKeyStore, Unit, User

# ---------------------------------------------------------------------------------------------
# Who: role and unit rules
# ---------------------------------------------------------------------------------------------


def works_for(user: User, unit_id: int | None) -> bool:
    """The user works on the outgoing letters of this unit (their own unit or its agency)."""
    return user.is_superuser or (unit_id is not None and unit_id in agency_unit_ids(user))


def agency_people(*, unit_id: int, perm: str) -> list[User]:
    """The active people holding `perm` who work on this unit's outgoing letters: the reverse
    of works_for (the unit's own people and those of its internal divisions). The clerks told
    that a letter waits to be numbered, or that a report came in."""
    codename = perm.split(".")[-1]
    holds = Q(groups__permissions__codename=codename) | Q(user_permissions__codename=codename)
    of_agency = Q(unit_id=unit_id) | Q(unit__kind=Unit.Kind.DIVISION, unit__parent_id=unit_id)
    ids = (
        User.objects.filter(holds, of_agency, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    return list(User.objects.filter(pk__in=list(ids)).select_related("unit").order_by("pk"))


def can_edit(user: User, directive: Directive) -> bool:
    """The drafter, or another drafter of the same agency (a colleague taking over)."""
    if not user.is_active:
        return False
    if directive.drafter_id == user.pk:
        return True
    return user.has_perm("directives.add_directive") and works_for(user, directive.issuing_unit_id)


def is_signer_for(user: User, directive: Directive) -> bool:
    """A Signer of the issuing unit or of one of its divisions: someone it can be submitted to."""
    return bool(
        user.is_active
        and user.has_perm("directives.approve_directive")
        and directive.issuing_unit_id in agency_unit_ids(user)
    )


def can_sign(user: User, directive: Directive) -> bool:
    """The chosen signer, or another Signer of the issuing unit (a deputy standing in)."""
    return user.has_perm("directives.approve_directive") and (
        directive.signer_id == user.pk or works_for(user, directive.issuing_unit_id)
    )


def can_sign_digitally(user: User, directive: Directive) -> bool:
    """Only the signer who approved signs with their own key: their name is under the signature."""
    return bool(
        user.is_active
        and user.has_perm("directives.approve_directive")
        and directive.signer_id == user.pk
    )


def signs_remotely(user: User) -> bool:
    """The signer's key is at a remote signing service: their signature is asked for and
    confirmed on their phone (documents/keys/deferred.py) instead of made at once."""
    return SigningKeyStore.objects.filter(
        user=user, is_active=True, backend=SigningKeyStore.Backend.REMOTE
    ).exists()


def remote_signature_pending(directive: Directive) -> RemoteSignature | None:
    """The signer's remote signature asked for and not confirmed yet: the letter "chờ ký số"."""
    if directive.status != Directive.Status.NUMBERED:
        return None
    return RemoteSignature.objects.filter(directive_id=directive.pk).first()


def awaiting_signature_q(user: User) -> Q:
    """The submitted directives `can_sign` lets this user approve or return, as a filter: the
    "Awaiting my approval" box and its count."""
    if not user.has_perm("directives.approve_directive"):
        return Q(pk__in=[])
    submitted = Q(status=Directive.Status.SUBMITTED)
    if user.is_superuser:
        return submitted
    # A numbered letter waits for the digital signature of the one who approved it.
    numbered = Q(status=Directive.Status.NUMBERED, signer=user)
    return (submitted & (Q(signer=user) | Q(issuing_unit_id__in=agency_unit_ids(user)))) | numbered


def is_clerk_for(user: User, unit_id: int | None, perm: str) -> bool:
    """A Clerk holding `perm` for the unit's register (the unit's own or its agency's clerk)."""
    return user.has_perm(f"directives.{perm}") and works_for(user, unit_id)


def can_replace(user: User, directive: Directive) -> bool:
    """A clerk or a drafter of the issuing agency starts the replacement of a directive."""
    return (
        user.has_perm("directives.recall_directive") or user.has_perm("directives.add_directive")
    ) and works_for(user, directive.issuing_unit_id)


def can_act_for_unit(user: User | None, unit_id: int) -> bool:
    """A unit's own officers act on its letters and tasks; nobody else, not even the issuing
    clerk."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.unit_id == unit_id
        and user.has_perm("directives.receive_directive")
    )


def can_receive_for(user: User | None, unit_id: int | None) -> bool:
    """The unit's clerk, or one of its officers, accepts or refuses its incoming letters and
    keeps its incoming book (receiving_unit_ids)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and unit_id is not None
        and unit_id in receiving_unit_ids(user)
    )


def is_unit_head(user: User | None, unit_id: int | None) -> bool:
    """The unit's head (an officer of the unit marked head of unit) distributes its letters and
    tasks inside the unit and reviews the handlers' reports."""
    return bool(
        unit_id is not None
        and can_act_for_unit(user, unit_id)
        and user.is_active
        and user.is_unit_head
    )


def unit_distributes(unit_id: int) -> bool:
    """A unit with divisions or with more than one officer distributes its work; a unit with one
    officer (and no divisions) keeps the one-step flow (the officer reports to the issuer)."""
    if Unit.objects.filter(parent_id=unit_id, is_active=True).exists():
        return True
    officers = User.objects.filter(
        unit_id=unit_id,
        is_active=True,
        groups__permissions__codename="receive_directive",
        groups__permissions__content_type__app_label="directives",
    )
    return officers.values("pk").distinct().count() > 1


def handles(user: User | None, item: Assignment | IncomingEntry) -> bool:
    """The user is the handler the head named: the officer themselves, or an officer of the
    division."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if item.handler_user_id is not None:
        return item.handler_user_id == user.pk
    return (
        item.handler_unit_id is not None
        and item.handler_unit_id == user.unit_id
        and user.has_perm("directives.receive_directive")
    )


def dispatch_entry(dispatch: Dispatch) -> IncomingEntry | None:
    """The receiving unit's decision on this letter (accepted or refused), if any yet."""
    try:
        return dispatch.incoming_entry
    except IncomingEntry.DoesNotExist:
        return None


def can_review(user: User, directive: Directive) -> bool:
    """Only the issuing agency's clerks track a directive, review reports and decide on
    extensions."""
    if not user.is_authenticated or not user.has_perm("directives.track_directive"):
        return False
    return user.is_superuser or directive.issuing_unit_id in agency_unit_ids(user)


# ---------------------------------------------------------------------------------------------
# What: the moves of one directive, dispatch or assignment for one user
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectiveMoves:
    """The buttons of the directive page; the services refuse what is False here."""

    edit: bool = False
    delete: bool = False
    attachments: bool = False  # add and remove files
    submit: bool = False
    withdraw: bool = False  # the drafter takes a submitted draft back before it is approved
    approve: bool = False
    return_: bool = False
    number: bool = False  # the clerk takes the register's number and date ("Cấp số")
    sign: bool = False  # the signer signs the numbered letter with their own key
    sign_remote: bool = False  # ... whose key is at a remote service: the signature is asked for
    sign_confirm: bool = False  # the signer finishes the remote signature they confirmed
    sign_cancel: bool = False  # the signer withdraws the remote signature asked for
    cancel_number: bool = False  # the clerk abandons a numbered letter before its issue
    issue: bool = False  # the clerk seals the signed letter with the agency's key and issues
    recall: bool = False
    replace: bool = False
    pdf_retry: bool = False
    track: bool = False  # the tracking matrix

    @property
    def any_decision(self) -> bool:
        """Whether the page's "Actions" card has a button to show (recall has its own place,
        under "More actions" after the delivery progress)."""
        return any(
            (
                self.submit,
                self.withdraw,
                self.approve,
                self.return_,
                self.number,
                self.sign,
                self.sign_remote,
                self.sign_confirm,
                self.sign_cancel,
                self.cancel_number,
                self.issue,
                self.replace,
                self.delete,
            )
        )


def _replacement_pending(directive: Directive) -> bool:
    # .all() uses the page's prefetch of replaced_by when it has one.
    return any(d.status != Directive.Status.ISSUED for d in directive.replaced_by.all())


def directive_moves(*, directive: Directive, user: User) -> DirectiveMoves:
    """What `user` may do to `directive` now, from its status and the user's roles and unit."""
    status = Directive.Status
    drafting = directive.status == status.DRAFT and can_edit(user, directive)
    # Until the signer approves it, the one who may edit and submit it may take it back.
    withdrawing = (
        directive.status == status.SUBMITTED
        and can_edit(user, directive)
        and user.has_perm("directives.submit_directive")
    )
    signing = directive.status == status.SUBMITTED and can_sign(user, directive)
    issued = directive.status == status.ISSUED
    clerk = is_clerk_for(user, directive.issuing_unit_id, "issue_directive")
    own_signature = directive.status == status.NUMBERED and can_sign_digitally(user, directive)
    pending = own_signature and remote_signature_pending(directive) is not None
    remote = own_signature and not pending and signs_remotely(user)
    pdf_failed = (
        directive.status in ISSUED_STATES
        and not directive.is_paper
        and directive.pdf_status == Directive.PdfStatus.FAILED
    )
    return DirectiveMoves(
        edit=drafting,
        delete=drafting,
        attachments=drafting,
        submit=drafting and user.has_perm("directives.submit_directive"),
        withdraw=withdrawing,
        approve=signing,
        return_=signing,
        number=directive.status == status.APPROVED and clerk,
        sign=own_signature and not pending and not remote,
        sign_remote=remote,
        sign_confirm=pending,
        sign_cancel=pending,
        cancel_number=directive.status in SIGNING_STATES and clerk,
        issue=directive.status == status.SIGNED and clerk,
        recall=issued and is_clerk_for(user, directive.issuing_unit_id, "recall_directive"),
        replace=issued and can_replace(user, directive) and not _replacement_pending(directive),
        pdf_retry=pdf_failed and clerk,
        track=directive.status in ISSUED_STATES and can_review(user, directive),
    )


@dataclass(frozen=True)
class DispatchMoves:
    """The receiving unit's buttons on a received directive."""

    acknowledge: bool = False
    accept: bool = False  # tiếp nhận: into the unit's incoming book, with the next arrival number
    refuse: bool = False  # with a reason, back to the issuer


def dispatch_moves(*, dispatch: Dispatch, user: User | None) -> DispatchMoves:
    """The unit's clerk or officers accept or refuse a live letter once; an officer of the
    receiving unit acknowledges a live letter it has not refused until the PDF they were sent is
    acknowledged (a new PDF asks for a new acknowledgement)."""
    directive = dispatch.directive
    live = directive.status == Directive.Status.ISSUED
    entry = dispatch_entry(dispatch)
    undecided = live and entry is None and can_receive_for(user, dispatch.unit_id)
    pending = (
        dispatch.acknowledged_at is None or dispatch.acknowledged_pdf_sha256 != directive.pdf_sha256
    )
    refused = entry is not None and entry.is_refused
    return DispatchMoves(
        acknowledge=live and pending and not refused and can_act_for_unit(user, dispatch.unit_id),
        accept=undecided,
        refuse=undecided,
    )


@dataclass(frozen=True)
class AssignmentMoves:
    """The receiving unit's buttons on one of its tasks."""

    start: bool = False
    report: bool = False  # straight to the issuer (one-step flow, no handler named)
    extend: bool = False  # ask for a later due date
    hand_over: bool = False  # the head names a handler inside the unit
    report_to_head: bool = False  # the handler reports to the head
    head_approve: bool = False  # the head sends the handler's report to the issuer
    head_return: bool = False  # ... or back to the handler with a reason


def assignment_moves(*, assignment: Assignment, user: User) -> AssignmentMoves:
    """The unit's officers work on a task of a live directive once its receipt is acknowledged;
    a later due date may be asked for an open task with no request pending.

    Once the head has named a handler (a division or an officer), only the handler starts and
    reports, to the head, who approves (the report goes to the issuer) or returns it."""
    unit_id = assignment.unit_id
    handled = assignment.handler_unit_id is not None or assignment.handler_user_id is not None
    handler = handled and handles(user, assignment)
    if not (
        assignment.task.directive.status == Directive.Status.ISSUED
        and (can_act_for_unit(user, unit_id) or handler)
    ):
        return AssignmentMoves()
    entry = dispatch_entry(assignment.dispatch)
    if entry is not None and entry.is_refused:
        return AssignmentMoves()  # the unit sent the letter back: no work on its tasks
    acknowledged = assignment.dispatch.acknowledged_at is not None
    is_open = assignment.status in Assignment.OPEN_STATUSES
    asked = any(e.status == e.Status.PENDING for e in assignment.extensions.all())
    waiting = assignment.head_review == Assignment.HeadReview.WAITING
    head = is_unit_head(user, unit_id)
    officer = can_act_for_unit(user, unit_id)
    return AssignmentMoves(
        start=acknowledged
        and assignment.status == Assignment.Status.PENDING
        and (handler if handled else officer),
        report=acknowledged and is_open and officer and not handled,
        extend=is_open and not asked and officer,
        hand_over=acknowledged and is_open and not waiting and head and unit_distributes(unit_id),
        report_to_head=acknowledged and is_open and handler and not waiting,
        head_approve=is_open and head and waiting,
        head_return=is_open and head and waiting,
    )


@dataclass(frozen=True)
class EntryMoves:
    """The head's and the handler's buttons on an accepted letter of the incoming book."""

    assign: bool = False
    start: bool = False  # the handler starts on a letter with no task for the unit
    mark_handled: bool = False  # ... says how it was handled, for the head's review
    head_approve: bool = False  # the head approves: the letter is done (06 for the issuer)
    head_return: bool = False  # ... or returns it to the handler with a reason


def entry_has_tasks(entry: IncomingEntry) -> bool:
    """The issuer gave the unit tasks in this letter: they are reported on one by one; a letter
    without any is marked handled as a whole."""
    return (
        entry.dispatch_id is not None
        and Assignment.objects.filter(dispatch_id=entry.dispatch_id).exists()
    )


def entry_moves(*, entry: IncomingEntry, user: User) -> EntryMoves:
    """The head of a unit that distributes assigns an accepted letter to a handler inside it.
    For a letter with no task for the unit, the handler starts, then marks it handled with a
    short text; the head approves it (done) or returns it with a reason. A letter recalled by
    its issuer (the portal's directive, or an edXML recall) is closed: no move."""
    live = entry.dispatch_id is None or entry.dispatch.directive.status == Directive.Status.ISSUED
    if entry.is_refused or entry.is_recalled or not live:
        return EntryMoves()
    head = is_unit_head(user, entry.unit_id)
    open_ = entry.handled_at is None
    waiting = entry.head_review == IncomingEntry.HeadReview.WAITING
    handler = (
        open_
        and (entry.handler_unit_id is not None or entry.handler_user_id is not None)
        and handles(user, entry)
        and not entry_has_tasks(entry)
    )
    return EntryMoves(
        assign=open_ and not waiting and head and unit_distributes(entry.unit_id),
        start=handler and entry.handling_started_at is None and not waiting,
        mark_handled=handler and not waiting,
        head_approve=open_ and head and waiting,
        head_return=open_ and head and waiting,
    )
