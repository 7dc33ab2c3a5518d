"""The outbox: Notification rows written in the transaction of the change they report, handed
to the `mail` queue only after that transaction commits.

A row's `key` is unique, so writing the same notice twice (a beat that fires twice, a task run
twice) creates nothing new. In-app rows are "sent" as soon as they exist; e-mail rows wait as
"pending" for a send job: deliver_dispatches for a directive's delivery to its units,
send_notification for any other notice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.cache import cache_versions_bump
from directives import jobs
from directives.models import Directive, Dispatch, Notification
from directives.selectors.notices import notices_version_name
from recipients import roles
from recipients.models import Unit, User

KEY_MAX = 255
# The kind of the rows that deliver a letter to a unit (one delivery job per unit sends them).
DELIVERY = "delivery"


def outbox_key(*parts: object) -> str:
    """A row key from its parts; a very long one (a long address) ends in a digest instead."""
    key = ":".join(str(p) for p in parts)
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_MAX - 65]}#{digest}"


def unit_officers(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active officers per unit: the people who get in-app notices and copies by e-mail."""
    by_unit: dict[int, list[User]] = {}
    officers = (
        User.objects.filter(unit_id__in=list(unit_ids), is_active=True)
        # One role, so one row per person: no DISTINCT needed.
        .filter(groups__name=roles.UNIT_OFFICER)
        .order_by("pk")
        # What a notice needs of a person; the rest (signature images...) stays in the table.
        .only("pk", "unit_id", "email", "username", "first_name", "last_name")
    )
    for officer in officers:
        by_unit.setdefault(officer.unit_id, []).append(officer)
    return by_unit


def unit_addresses(unit: Unit, officers: Sequence[User], *, contacts: bool = True) -> list[str]:
    """The unit's contact addresses (unless `contacts` is false) then its officers', each once
    whatever its letter case."""
    seen: set[str] = set()
    addresses: list[str] = []
    candidates = list(unit.email_list) if contacts else []
    if not unit.is_external:
        candidates += [o.email for o in officers if o.email]
    for address in candidates:
        address = address.strip()
        folded = address.lower()
        if address and folded not in seen:
            seen.add(folded)
            addresses.append(address)
    return addresses


def in_app_row(
    *,
    key: str,
    kind: str,
    user: User,
    subject: str,
    body: str = "",
    link: str = "",
    directive: Directive | None = None,
    dispatch: Dispatch | None = None,
    unit: Unit | None = None,
) -> Notification:
    return Notification(
        key=key,
        kind=kind,
        channel=Notification.Channel.IN_APP,
        directive=directive,
        dispatch=dispatch,
        unit=unit if unit is not None else user.unit,
        user=user,
        subject=subject[:500],
        body=body,
        link=link[:500],
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
    )


def email_row(
    *,
    key: str,
    kind: str,
    address: str,
    subject: str,
    body: str = "",
    link: str = "",
    directive: Directive | None = None,
    dispatch: Dispatch | None = None,
    unit: Unit | None = None,
    user: User | None = None,
) -> Notification:
    return Notification(
        key=key,
        kind=kind,
        channel=Notification.Channel.EMAIL,
        directive=directive,
        dispatch=dispatch,
        unit=unit,
        user=user,
        address=address[:254],
        subject=subject[:500],
        body=body,
        link=link[:500],
    )


class EmailText(NamedTuple):
    """What a notice's e-mails say when it is not what its in-app rows say."""

    subject: str
    body: str
    link: str


def unit_notice_rows(
    *,
    unit: Unit,
    officers: Sequence[User],
    key: Sequence[object],
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    directive: Directive | None = None,
    dispatch: Dispatch | None = None,
    contacts: bool = True,
    email: Callable[[], EmailText] | None = None,
) -> list[Notification]:
    """A notice to a unit, as outbox rows: the one builder of every notice a unit gets.

    An in-app row for each of `officers` (the unit's active officers from unit_officers, or
    the people a notice is for, such as the heads told of an escalation), then an e-mail row
    for each address of unit_addresses: the unit's contact addresses (unless `contacts` is
    false) and the officers' own, each once whatever its letter case. An external unit is
    reached by e-mail only, at its contact addresses. Each row's key is `key` followed by the
    channel and the person or address, so writing the notice twice creates nothing new.

    The e-mails say `subject` and `body` and point to `link` (a page of the portal) made
    absolute, unless `email` gives their own text; it is called only when the unit has an
    address. Write the rows with outbox_write (or, for a delivery, its job's insert).
    """
    people = [] if unit.is_external else list(officers)
    common = {"kind": kind, "directive": directive, "dispatch": dispatch, "unit": unit}
    rows = [
        in_app_row(
            key=outbox_key(*key, "in_app", person.pk),
            user=person,
            subject=subject,
            body=body,
            link=link,
            **common,
        )
        for person in people
    ]
    addresses = unit_addresses(unit, people, contacts=contacts)
    if addresses:
        text = email() if email is not None else EmailText(subject, body, _absolute(link))
        rows += [
            email_row(
                key=outbox_key(*key, "email", address.lower()),
                address=address,
                subject=text.subject,
                body=text.body,
                link=text.link,
                **common,
            )
            for address in addresses
        ]
    return rows


def _absolute(link: str) -> str:
    return f"{settings.SITE_URL}{link}" if link.startswith("/") else link


def outbox_write(rows: Sequence[Notification]) -> list[Notification]:
    """Insert the rows that do not exist yet (by key) and send the e-mails after commit.

    Returns the new rows. Call inside the caller's transaction.
    """
    if not rows:
        return []
    keys = [row.key for row in rows]
    existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [row for row in rows if row.key not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    notice_counts_expire(rows=fresh)
    email_keys = [r.key for r in fresh if r.channel == Notification.Channel.EMAIL]
    if email_keys:
        transaction.on_commit(lambda: outbox_enqueue(pending_rows(keys=email_keys)))
    return fresh


def pending_rows(*, keys: Sequence[str]) -> QuerySet[Notification]:
    return Notification.objects.filter(
        key__in=list(keys),
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.PENDING,
    )


def outbox_enqueue(rows: QuerySet[Notification] | Iterable[int]) -> int:
    """Hand pending e-mail rows to the mail queue: a directive's delivery e-mails go to their
    unit's delivery job (one per unit), any other e-mail to a send job of its own. Safe to call
    twice: every job claims a row before sending it. Returns the jobs enqueued."""

    if not isinstance(rows, QuerySet):
        rows = Notification.objects.filter(pk__in=list(rows))
    dispatch_ids: set[int] = set()
    single: list[int] = []
    for pk, kind, dispatch_id in rows.values_list("pk", "kind", "dispatch_id"):
        if kind == DELIVERY and dispatch_id:
            dispatch_ids.add(dispatch_id)
        else:
            single.append(pk)
    for pk in single:
        jobs.notification_send_enqueue(pk)
    return len(single) + jobs.dispatch_deliver_enqueue(dispatch_ids)


def notifications_for(user: User) -> QuerySet[Notification]:
    """A person's own in-app notices: nobody reads another's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        Q(user=user) & Q(channel=Notification.Channel.IN_APP)
    ).select_related("directive")


def notice_counts_expire(
    *, rows: Iterable[Notification] = (), user_ids: Iterable[int | None] = ()
) -> None:
    """The bell's kept counts (selectors.notices) of the people of these in-app `rows` and of
    `user_ids` are counted again. Every write of notices that sends no signal (a bulk insert,
    an update) calls it; a save or a delete calls it through the model's signals (apps.py)."""
    people = {row.user_id for row in rows if row.channel == Notification.Channel.IN_APP}
    people.update(user_ids)
    people.discard(None)
    cache_versions_bump(notices_version_name(pk) for pk in sorted(people))
