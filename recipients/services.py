"""Everything that changes the recipient lists: imports (units, group membership) and exports;
a person's own settings and API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recipients.models import ApiToken, RecipientGroup, Unit, User
from recipients.resources import (
    FORMATS,
    AllOrNothingResource,
    FileReadError,
    ImportReport,
    RecipientGroupResource,
    UnitResource,
    dataset_load,
    report_from_result,
)


def _import(
    *, resource: AllOrNothingResource, data: bytes, format: str, dry_run: bool
) -> ImportReport:
    try:
        dataset = dataset_load(data=data, format=format)
    except FileReadError as exc:
        return ImportReport(dry_run=dry_run, errors=exc.errors)
    with transaction.atomic():
        # The resource rolls its own savepoint back on any bad row or on a dry run.
        result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False)
    return report_from_result(result, dry_run=dry_run)


def units_import(*, data: bytes, format: str, dry_run: bool) -> ImportReport:
    """Create or update units from a CSV/XLSX file keyed by code; any bad row saves nothing."""
    return _import(resource=UnitResource(), data=data, format=format, dry_run=dry_run)


def groups_import(*, data: bytes, format: str, dry_run: bool) -> ImportReport:
    """Create or update recipient groups and their explicit members (unit codes)."""
    return _import(resource=RecipientGroupResource(), data=data, format=format, dry_run=dry_run)


def _export(*, resource: AllOrNothingResource, queryset, format: str) -> bytes:
    if format not in FORMATS:
        raise ValueError(f"Unsupported format: {format}")
    dataset = resource.export(queryset=queryset)
    exported = FORMATS[format]().export_data(dataset)
    return exported if isinstance(exported, bytes) else exported.encode("utf-8")


def units_export(*, format: str) -> bytes:
    """Every unit, parents before children, as the import expects it."""
    return _export(resource=UnitResource(), queryset=Unit.objects.all(), format=format)


def groups_export(*, format: str) -> bytes:
    queryset = RecipientGroup.objects.prefetch_related("members")
    return _export(resource=RecipientGroupResource(), queryset=queryset, format=format)


def user_notice_preference_set(*, user: User, by_email: bool) -> User:
    """The person chooses whether their notices also come by e-mail."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(notify_by_email=by_email)
        user.notify_by_email = by_email
    return user


API_TOKEN_PREFIX = "dp_"  # noqa: S105 - the visible start of every secret
API_TOKEN_MAX_DAYS = 366


def api_token_digest(secret: str) -> str:
    """What is stored of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new personal token for `user`, valid `days` days; returns it and its secret, which is
    not kept and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Name the token (what program uses it)."))
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token is valid for 1 to %(max)d days.") % {"max": API_TOKEN_MAX_DAYS}
        )
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            digest=api_token_digest(secret),
            prefix=secret[:10],
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """The owner ends their token at once; a revoked token is refused from now on."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk, user=by)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    return locked


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute (no write on every call)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < datetime.timedelta(minutes=1):
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# What the API lets an administrator write (the admin pages write the rest: seal images).
UNIT_FIELDS = frozenset(
    {
        "name",
        "short_name",
        "code",
        "abbreviation",
        "identifier_code",
        "kind",
        "parent",
        "contact_emails",
        "head_title",
        "is_external",
        "has_normative_register",
        "is_active",
        "sort_order",
    }
)
GROUP_FIELDS = frozenset({"name", "code", "description", "kinds", "sort_order"})


def _ensure_perm(by: User, perm: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied(_("Only administrators change units and recipient groups."))


def unit_save(*, by: User, unit: Unit | None, fields: dict) -> Unit:
    """An administrator adds a unit (unit None) or changes the given fields of one; the
    model's rules (unique code and identifier, formats) refuse bad values, nothing saved."""
    _ensure_perm(by, "recipients.add_unit" if unit is None else "recipients.change_unit")
    unknown = set(fields) - UNIT_FIELDS
    if unknown:
        raise TypeError(f"Not a unit field the API writes: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        target = Unit() if unit is None else Unit.objects.select_for_update().get(pk=unit.pk)
        for name, value in fields.items():
            setattr(target, name, value)
        target.full_clean()
        target.save()
    return target


def group_save(
    *, by: User, group: RecipientGroup | None, fields: dict, members: list[Unit] | None = None
) -> RecipientGroup:
    """An administrator adds or changes a recipient group (and, if given, its members)."""
    _ensure_perm(
        by,
        "recipients.add_recipientgroup" if group is None else "recipients.change_recipientgroup",
    )
    unknown = set(fields) - GROUP_FIELDS
    if unknown:
        raise TypeError(f"Not a group field the API writes: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        target = (
            RecipientGroup()
            if group is None
            else RecipientGroup.objects.select_for_update().get(pk=group.pk)
        )
        for name, value in fields.items():
            setattr(target, name, value)
        if "kinds" in fields:
            chosen = set(fields["kinds"] or [])
            unknown_kinds = chosen - set(Unit.Kind.values)
            if unknown_kinds:
                raise ValidationError({"kinds": _("Unknown unit kind.")})
            target.kinds = [k for k in Unit.Kind.values if k in chosen]
        target.full_clean()
        target.save()
        if members is not None:
            target.members.set(members)
    return target
