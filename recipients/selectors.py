"""Reads of the recipient lists for people (directory page, pickers)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from recipients import roles
from recipients.models import ApiToken, RecipientGroup, Unit, User, fold_text


def _kind_rank() -> Case:
    """Order kinds as Unit.Kind declares them (ministry, province, departments, districts...)."""
    return Case(
        *(When(kind=k, then=Value(i)) for i, k in enumerate(Unit.Kind.values)),
        default=Value(len(Unit.Kind.values)),
        output_field=IntegerField(),
    )


def _folded_filter(query: str, field: str = "search_text") -> Q:
    """Every word must appear, accents optional: "chu pah" and "Chư Păh" find the same units."""
    condition = Q()
    for word in fold_text(query).split():
        condition &= Q(**{f"{field}__contains": word})
    return condition


def directory_units(*, query: str = "", kind: str = "") -> QuerySet[Unit]:
    """Active units grouped by kind (then order and name), with their parent, in one query."""
    units = Unit.objects.filter(is_active=True).select_related("parent")
    if kind in Unit.Kind.values:
        units = units.filter(kind=kind)
    if query.strip():
        units = units.filter(_folded_filter(query))
    return units.annotate(kind_rank=_kind_rank()).order_by("kind_rank", "sort_order", "name", "pk")


@dataclass
class GroupEntry:
    group: RecipientGroup
    units: list[Unit]

    @property
    def kind_labels(self) -> list[str]:
        labels = dict(Unit.Kind.choices)
        return [str(labels.get(k, k)) for k in self.group.kinds or []]


def directory_groups(*, query: str = "") -> list[GroupEntry]:
    """Every group with its current units, in three queries whatever the number of groups.

    Same rule as RecipientGroup.current_units (explicit members plus active units of the
    group's kinds, ordered, no duplicates), computed for all groups at once.
    """
    groups = list(RecipientGroup.objects.all())
    if query.strip():
        folded = fold_text(query).split()
        groups = [g for g in groups if all(w in g.search_text for w in folded)]
    if not groups:
        return []
    through = RecipientGroup.members.through
    explicit: dict[int, set[int]] = {}
    for group_id, unit_id in through.objects.filter(
        recipientgroup_id__in=[g.pk for g in groups]
    ).values_list("recipientgroup_id", "unit_id"):
        explicit.setdefault(group_id, set()).add(unit_id)
    kinds = {k for g in groups for k in (g.kinds or [])}
    member_ids = set().union(*explicit.values()) if explicit else set()
    units = list(
        Unit.objects.filter(Q(pk__in=member_ids) | Q(kind__in=kinds), is_active=True).order_by(
            "sort_order", "name", "pk"
        )
    )
    entries = []
    for group in groups:
        ids = explicit.get(group.pk, set())
        group_kinds = set(group.kinds or [])
        entries.append(
            GroupEntry(group, [u for u in units if u.pk in ids or u.kind in group_kinds])
        )
    return entries


@dataclass(frozen=True)
class AccountMoves:
    """What one person may do to one account in the admin (None: a new account).

    Administrators keep units, groups, officers and their roles; superuser status, permissions
    given to one person, superusers' accounts and other administrators' passwords are for
    superusers, so that no administrator can make themselves or anyone else a superuser."""

    edit: bool  # the person, their unit and their roles
    set_password: bool
    grant_privileges: bool  # tick "superuser", give permissions outside the roles


def account_moves(*, by, account=None) -> AccountMoves:
    if by.is_superuser:
        return AccountMoves(edit=True, set_password=True, grant_privileges=True)
    if account is None:
        return AccountMoves(edit=True, set_password=True, grant_privileges=False)
    if account.is_superuser:
        return AccountMoves(edit=False, set_password=False, grant_privileges=False)
    other_administrator = account.pk != by.pk and (
        account.is_staff or account.groups.filter(name=roles.ADMINISTRATOR).exists()
    )
    return AccountMoves(edit=True, set_password=not other_administrator, grant_privileges=False)


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first: nobody sees another's."""
    return ApiToken.objects.filter(user=user)


def api_token_by_secret(secret: str) -> ApiToken | None:
    """The live token (not revoked, not expired, of an active user) whose secret this is."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(
            digest=digest,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


@dataclass(frozen=True)
class TwoFactorState:
    """Where a signed-in person stands with the login's second step.

    `required`: they hold a role that must use it (signer, clerk, administrator) and their unit's
    setting or OTP_REQUIRED says so. `enrolled`: they have a confirmed device (an authenticator
    app, or backup codes left), so their login asks for a code whether required or not."""

    required: bool
    enrolled: bool
    has_app: bool

    @property
    def needs_code(self) -> bool:
        return self.required or self.enrolled


def two_factor_state(*, user) -> TwoFactorState:
    """The person's two-factor standing, read in one query (the middleware asks on each page
    until the second step is passed)."""
    if not user.is_authenticated:
        return TwoFactorState(required=False, enrolled=False, has_app=False)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            in_role=Exists(
                User.groups.through.objects.filter(
                    user_id=OuterRef("pk"), group__name__in=roles.TWO_FACTOR_ROLES
                )
            ),
            has_app=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            has_codes=Exists(
                StaticToken.objects.filter(device__user_id=OuterRef("pk"), device__confirmed=True)
            ),
        )
        .values(
            "in_role",
            "has_app",
            "has_codes",
            "is_staff",
            "is_superuser",
            "unit__requires_two_factor",
        )
        .first()
    )
    if row is None:
        return TwoFactorState(required=False, enrolled=False, has_app=False)
    holds_role = row["in_role"] or row["is_staff"] or row["is_superuser"]
    required = holds_role and (settings.OTP_REQUIRED or row["unit__requires_two_factor"])
    return TwoFactorState(
        required=bool(required),
        enrolled=bool(row["has_app"] or row["has_codes"]),
        has_app=bool(row["has_app"]),
    )


def backup_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
