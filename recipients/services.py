"""Everything that changes the recipient lists (imports of units and group membership, exports),
a person's own choices, their two-factor devices and their API tokens."""

from __future__ import annotations

import datetime
import hashlib
import math
import secrets
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from recipients.models import ApiToken, RecipientGroup, Unit, User
from recipients.resources import (
    FORMATS,
    AllOrNothingResource,
    FileReadError,
    ImportReport,
    RecipientGroupResource,
    UnitResource,
    dataset_load,
    file_format,
    import_template,
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


def import_file_format(*, data: bytes, name: str) -> str:
    """ "csv" or "xlsx" as the file's name and content say; FileReadError otherwise."""
    return file_format(data=data, name=name)


def units_import_template(*, format: str) -> bytes:
    """The empty file of units to fill in, with the columns' Vietnamese names."""
    return import_template(resource=UnitResource(), format=format)


def groups_import_template(*, format: str) -> bytes:
    return import_template(resource=RecipientGroupResource(), format=format)


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


class InUseError(Exception):
    """A unit or group that letters, dispatches, books or officers still refer to: deleting it
    would rewrite their history, so it stays (a unit can be deactivated instead)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _referrers(exc: ProtectedError | RestrictedError) -> str:
    objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
    return ", ".join(sorted({str(obj._meta.verbose_name_plural) for obj in objects}))


def named_by_lines(target: Model) -> list[str]:
    """The letters' lines (a task's units and groups) that name the object through a
    many-to-many, which the database would silently drop on delete; found through the model's
    relations, recipients importing nothing of directives."""
    found = []
    for rel in target._meta.get_fields():
        if not (rel.many_to_many and rel.auto_created) or rel.related_model._meta.app_label == (
            target._meta.app_label
        ):
            continue
        lines = rel.related_model._default_manager.filter(**{rel.field.name: target})
        owner = next((f for f in rel.related_model._meta.fields if f.name == "directive"), None)
        if owner is None:
            count = lines.count()
            if count:
                found.append(f"{rel.related_model._meta.verbose_name_plural} ({count})")
            continue
        count = lines.values(owner.attname).distinct().count()
        if count:
            found.append(
                ngettext(
                    "the %(lines)s of %(count)d letter",
                    "the %(lines)s of %(count)d letters",
                    count,
                )
                % {"lines": rel.related_model._meta.verbose_name_plural, "count": count}
            )
    return found


def _delete_unless_referred(target: Model) -> str | None:
    """Delete under the models' PROTECT rules, as the admin's delete does; the names of what
    refers to the object when it is protected or named by a letter's lines (nothing deleted
    then)."""
    try:
        with transaction.atomic():
            named = named_by_lines(target)
            if named:
                return ", ".join(named)
            target.delete()
    except (ProtectedError, RestrictedError) as exc:
        return _referrers(exc)
    return None


def unit_delete(*, by: User, unit: Unit) -> None:
    """An administrator deletes a unit nothing refers to (a mistyped one, say)."""
    _ensure_perm(by, "recipients.delete_unit")
    referrers = _delete_unless_referred(unit)
    if referrers:
        raise InUseError(
            _(
                "This unit cannot be deleted: %(referrers)s refer to it. "
                "Deactivate it instead (is_active false): it then receives nothing new."
            )
            % {"referrers": referrers}
        )


def group_delete(*, by: User, group: RecipientGroup) -> None:
    """An administrator deletes a recipient group no letter names."""
    _ensure_perm(by, "recipients.delete_recipientgroup")
    referrers = _delete_unless_referred(group)
    if referrers:
        raise InUseError(
            _("This group cannot be deleted: %(referrers)s refer to it.") % {"referrers": referrers}
        )


def user_language_set(*, user: User, language: str) -> User:
    """The person chooses the language of the portal ("vi" or "en"; "" gives up the choice)."""
    if language not in {"", *User.Language.values}:
        raise ValueError(f"Unknown language: {language!r}")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return user


# --- Two-factor login (django-otp): enrolment, the login's second step, reset ---------------


class TwoFactorError(Exception):
    """A code refused, with the Vietnamese message the page shows; nothing else changed."""


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of one code typed at the login's second step."""

    device: Device | None  # the device that accepted it; None: refused
    wait_seconds: int = 0  # > 0: the devices are throttled after wrong codes, try again then


def _normalized(token: str) -> str:
    return "".join((token or "").split()).lower()


def _wait_seconds(devices: list[Device]) -> int:
    """Seconds until the soonest throttled device takes a code again (0: one takes it now)."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return 0
        locked_until = (info or {}).get("locked_until")
        waits.append(
            max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
            if locked_until
            else 1
        )
    return min(waits) if waits else 0


def totp_device_begin(*, user: User) -> TOTPDevice:
    """The person's authenticator app waiting to be confirmed: the one begun before, or a new
    secret. It counts for nothing until a code from the app confirms it."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=str(_("Authenticator app")), confirmed=False
            )
    return device


def totp_device_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app begun by `totp_device_begin` with a code it shows; replace any app and
    backup codes the person had. Returns the app and the new backup codes (shown once)."""
    token = _normalized(token)
    codes: list[str] = []
    wait = 0
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise TwoFactorError(_("Open the set-up page again: it shows a new QR code."))
        wait = _wait_seconds([device])
        accepted = not wait and token.isdigit() and device.verify_token(token)
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _backup_codes_replace(user=user)
    if wait:
        raise TwoFactorError(
            _("Too many wrong codes: wait %(seconds)d seconds, then type the newest code.")
            % {"seconds": wait}
        )
    if not accepted:
        raise TwoFactorError(
            _(
                "The code is wrong or has expired. Type the 6 digits the app shows now "
                "(check that the phone's clock is right)."
            )
        )
    return device, codes


def _backup_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=str(_("Backup codes")), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_renew(*, user: User) -> list[str]:
    """New backup codes for a person who has an app; the old ones stop working."""
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise TwoFactorError(_("Set up an authenticator app first."))
        return _backup_codes_replace(user=user)


def login_code_verify(*, user: User, token: str) -> CodeCheck:
    """Check a code typed at the login's second step: six digits against the person's app,
    anything else against their backup codes (a backup code works once).

    Each device counts its wrong codes and then waits before it takes another (django-otp's
    throttling); the caller records a refused code as a failed login for the lockout."""
    token = _normalized(token)
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user=user, confirmed=True))
        wait = _wait_seconds(devices)
        if wait:
            return CodeCheck(device=None, wait_seconds=wait)
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(token):
                return CodeCheck(device=device)
    return CodeCheck(device=None)


def two_factor_devices_remove(*, user: User) -> int:
    """The person turns two-factor login off (only who is not required to use it: the page
    checks `two_factor_state`); their app and backup codes are deleted."""
    with transaction.atomic():
        return _devices_delete(user=user)


def two_factor_devices_reset(*, account: User, by: User) -> int:
    """A superuser removes a person's app and backup codes (a lost phone): at their next login
    they set up a new app if they must, or log in with their password alone. Recorded in the
    audit log, on the account and on each device."""
    if not by.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        count = _devices_delete(user=account)
        LogEntry.objects.log_create(
            account,
            action=LogEntry.Action.UPDATE,
            changes={str(_("two-factor login")): [str(count), str(_("reset"))]},
            actor=by,
        )
    return count


def _devices_delete(*, user: User) -> int:
    count = 0
    # One by one, so the audit log records each device.
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user):
            device.delete()
            count += 1
    return count
