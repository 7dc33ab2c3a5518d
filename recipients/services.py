"""Everything that changes the recipient lists: imports (units, group membership) and exports."""

from __future__ import annotations

from django.db import transaction

from recipients.models import RecipientGroup, Unit, User
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


def user_language_set(*, user: User, language: str) -> User:
    """The person chooses the language of the portal ("vi" or "en"; "" gives up the choice)."""
    if language not in {"", *User.Language.values}:
        raise ValueError(f"Unknown language: {language!r}")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return user
