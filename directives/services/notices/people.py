"""Notices to the agency's own people: the drafter, the signer, the clerks, a unit's heads.

A unit's officers are told of a letter through unit_notice_rows; the people who make and keep
letters are told of what waits for them through people_notice_rows: an in-app row for each
person, and an e-mail row for each who chose "also by e-mail" (User.notify_by_email) and has an
address. people_notify picks the people and the words for each occasion the workflow services
report, inside their transaction; the keys make a second run of a service write nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from directives.models import Assignment, Directive, Dispatch, IncomingEntry, Notification
from directives.selectors.moves import agency_people
from directives.services.notices.outbox import email_row, in_app_row, outbox_key, outbox_write
from directives.services.notices.subjects import number_label
from recipients.models import User

# The occasions people_notify knows, and the kind of their rows.
RETURNED = "draft_returned"
SUBMITTED = "draft_submitted"
WITHDRAWN = "draft_withdrawn"
APPROVED = "draft_approved"
NUMBERED = "letter_numbered"
SIGNED = "letter_signed"
ISSUED = "letter_issued"
REPORTED = "report_received"
EXTENSION = "extension_asked"
DELIVERY_FAILED = "delivery_failed"
ARRIVED = "letter_arrived"
REVIEW = "report_to_review"
RECALLED = "letter_recalled"


def people_notice_rows(
    *,
    people: Iterable[User],
    key: Sequence[object],
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    directive: Directive | None = None,
    dispatch: Dispatch | None = None,
) -> list[Notification]:
    """A notice to some of the agency's people, as outbox rows: the one builder of every notice
    a drafter, signer, clerk or unit head gets.

    Each person once: an in-app row, and an e-mail row to their own address when they chose
    notices also by e-mail. Each row's key is `key` followed by the channel and the person, so
    writing the notice twice creates nothing new. Write the rows with outbox_write.
    """
    rows: list[Notification] = []
    seen: set[int] = set()
    common = {"kind": kind, "directive": directive, "dispatch": dispatch}
    for person in people:
        if person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        rows.append(
            in_app_row(
                key=outbox_key(*key, "in_app", person.pk),
                user=person,
                subject=subject,
                body=body,
                link=link,
                **common,
            )
        )
        if person.notify_by_email and person.email:
            rows.append(
                email_row(
                    key=outbox_key(*key, "email", person.pk),
                    address=person.email,
                    user=person,
                    unit=person.unit,
                    subject=subject,
                    body=body,
                    link=f"{settings.SITE_URL}{link}" if link.startswith("/") else link,
                    **common,
                )
            )
    return rows


def unit_heads(unit_id: int) -> list[User]:
    """The active heads of a unit: told of a letter that arrived and of a report to review."""
    return list(
        User.objects.filter(unit_id=unit_id, is_active=True, is_unit_head=True)
        .select_related("unit")
        .order_by("pk")
    )


def _clerks(directive: Directive, perm: str) -> list[User]:
    return agency_people(unit_id=directive.issuing_unit_id, perm=perm)


def _only(*people: User | None) -> list[User]:
    return [p for p in people if p is not None]


def _write(
    *,
    people: Iterable[User],
    by: User | None,
    occasion: Sequence[object],
    kind: str,
    subject: str,
    body: str = "",
    link: str,
    directive: Directive | None,
    dispatch: Dispatch | None = None,
) -> list[Notification]:
    """Nobody is told of what they did themselves."""
    others = [p for p in people if by is None or p.pk != by.pk]
    return outbox_write(
        people_notice_rows(
            people=others,
            key=("people", kind, *occasion),
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            directive=directive,
            dispatch=dispatch,
        )
    )


def directive_people_notify(
    *,
    directive: Directive,
    occasion: str,
    by: User | None,
    key: object,
    body: str = "",
) -> list[Notification]:
    """Tell the people whom a step of the letter's workflow leaves something to do, or news of
    their draft: call it in the transaction of the step, `key` naming this very step (its
    event), so that the notice is written once.

    - SUBMITTED: the chosen signer, a draft to approve;
    - WITHDRAWN: the signer it was submitted to, who need not decide on it any more;
    - RETURNED: the drafter, with the reason (`body`);
    - APPROVED: the drafter, and the agency's clerks, a letter to number;
    - NUMBERED: the signer, a numbered letter to sign;
    - SIGNED: the agency's clerks, a signed letter to issue;
    - ISSUED: the drafter, their letter's number.
    """
    link = reverse("directives:detail", args=[directive.pk])
    label = number_label(directive)
    title = directive.subject[:200]
    common = {"by": by, "occasion": [directive.pk, key], "link": link, "directive": directive}
    if occasion == SUBMITTED:
        return _write(
            people=_only(directive.signer),
            kind=SUBMITTED,
            subject=_("Submitted to you for approval: %(subject)s") % {"subject": title},
            **common,
        )
    if occasion == WITHDRAWN:
        return _write(
            people=_only(directive.signer),
            kind=WITHDRAWN,
            subject=_("Withdrawn by the drafter, no longer awaiting your approval: %(subject)s")
            % {"subject": title},
            **common,
        )
    if occasion == RETURNED:
        return _write(
            people=_only(directive.drafter),
            kind=RETURNED,
            subject=_("Your draft was returned: %(subject)s") % {"subject": title},
            body=body,
            **common,
        )
    if occasion == APPROVED:
        rows = _write(
            people=_only(directive.drafter),
            kind=APPROVED,
            subject=_("Your draft was approved: %(subject)s") % {"subject": title},
            **common,
        )
        return rows + _write(
            people=_clerks(directive, "issue_directive"),
            kind=f"{APPROVED}_to_number",
            subject=_("Approved, waiting to be numbered: %(subject)s") % {"subject": title},
            **common,
        )
    if occasion == NUMBERED:
        return _write(
            people=_only(directive.signer),
            kind=NUMBERED,
            subject=_("Letter %(number)s waits for your signature: %(subject)s")
            % {"number": label, "subject": title},
            **common,
        )
    if occasion == SIGNED:
        return _write(
            people=_clerks(directive, "issue_directive"),
            kind=SIGNED,
            subject=_("Signed, waiting to be issued: %(number)s") % {"number": label},
            **common,
        )
    if occasion == ISSUED:
        return _write(
            people=_only(directive.drafter),
            kind=ISSUED,
            subject=_("Your draft was issued as %(number)s: %(subject)s")
            % {"number": label, "subject": title},
            **common,
        )
    raise ValueError(f"Unknown occasion {occasion!r}")


def assignment_clerks_notify(
    *, assignment: Assignment, occasion: str, by: User | None, key: object, body: str = ""
) -> list[Notification]:
    """Tell the issuing agency's clerks that a unit reported on a task (REPORTED) or asked for
    more time (EXTENSION, `body` says until when and why)."""
    directive = assignment.task.directive
    values = {
        "unit": assignment.unit.short_name or assignment.unit.name,
        "task": _("task %(position)d") % {"position": assignment.task.position},
        "subject": directive.subject[:200],
    }
    if occasion == REPORTED:
        subject = _("Report received from %(unit)s on %(task)s: %(subject)s") % values
    elif occasion == EXTENSION:
        subject = _("%(unit)s asks for more time on %(task)s: %(subject)s") % values
    else:
        raise ValueError(f"Unknown occasion {occasion!r}")
    return _write(
        people=_clerks(directive, "track_directive"),
        by=by,
        occasion=[assignment.pk, key],
        kind=occasion,
        subject=subject,
        body=body,
        link=reverse("directives:assignment_review", args=[assignment.pk]),
        directive=directive,
        dispatch=assignment.dispatch,
    )


def delivery_failed_notify(*, dispatch: Dispatch) -> list[Notification]:
    """Tell the issuing agency's clerks that a letter could not be delivered to a unit for
    good (its e-mails failed): once per unit and letter."""
    directive = dispatch.directive
    return _write(
        people=_clerks(directive, "track_directive"),
        by=None,
        occasion=[dispatch.pk],
        kind=DELIVERY_FAILED,
        subject=_("Delivery of %(number)s to %(unit)s failed")
        % {"number": number_label(directive), "unit": dispatch.unit.short_name or dispatch.unit},
        link=reverse("directives:matrix", args=[directive.pk]),
        directive=directive,
        dispatch=dispatch,
    )


def entry_heads_notify(
    *, entry: IncomingEntry, occasion: str, by: User | None, key: object = "", body: str = ""
) -> list[Notification]:
    """Tell the receiving unit's heads that a letter arrived in its book (ARRIVED, from the
    acceptance), or that a report inside the unit waits for their review (REVIEW: call it from
    the service that hands the report to the head, `key` naming that report), or that its
    issuer on another system recalled a letter of the book (RECALLED)."""
    values = {
        "arrival": entry.arrival_number or "",
        "subject": entry.subject[:200],
    }
    if occasion == ARRIVED:
        subject = _("Letter arrived, arrival number %(arrival)s: %(subject)s") % values
    elif occasion == REVIEW:
        subject = _("A report waits for your review: %(subject)s") % values
    elif occasion == RECALLED:
        subject = _("Letter recalled by its issuer, arrival number %(arrival)s: %(subject)s") % (
            values
        )
    else:
        raise ValueError(f"Unknown occasion {occasion!r}")
    return _write(
        people=unit_heads(entry.unit_id),
        by=by,
        occasion=[entry.pk, key],
        kind=occasion,
        subject=subject,
        body=body,
        link=reverse("directives:incoming_entry", args=[entry.pk]),
        directive=entry.dispatch.directive if entry.dispatch_id else None,
        dispatch=entry.dispatch if entry.dispatch_id else None,
    )
