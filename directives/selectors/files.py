"""The files a person may open, whichever page they would open it from: a letter's signed PDF
and attachments (as a recipient, or as its handler inside the unit), a report's files (as the
issuer, the unit, or the handler and the head inside it), an incoming letter's scan (as the
book's keeper, or its handler). The union of the pages' own selectors, and nothing more: any
other file is a 404. The API's downloads read through these."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from directives.models import Attachment, Directive, IncomingEntry, ReportFile
from directives.selectors.distribution import (
    distribution_attachments_visible_to,
    distribution_directives_visible_to,
    distribution_letters_visible_to,
    distribution_report_files_visible_to,
)
from directives.selectors.incoming import incoming_entries_visible_to
from directives.selectors.scope import directives_visible_to
from directives.selectors.workspace import attachments_visible_to, report_files_visible_to
from recipients.models import User


def _either(model, *querysets: QuerySet) -> QuerySet:
    scope = Q()
    for queryset in querysets:
        scope |= Q(pk__in=queryset.values("pk"))
    return model.objects.filter(scope)


def letters_openable_by(user: User) -> QuerySet[Directive]:
    return _either(Directive, directives_visible_to(user), distribution_directives_visible_to(user))


def attachments_openable_by(user: User) -> QuerySet[Attachment]:
    return _either(
        Attachment, attachments_visible_to(user), distribution_attachments_visible_to(user)
    ).select_related("seal")


def report_files_openable_by(user: User) -> QuerySet[ReportFile]:
    return _either(
        ReportFile, report_files_visible_to(user), distribution_report_files_visible_to(user)
    )


def incoming_entries_openable_by(user: User) -> QuerySet[IncomingEntry]:
    """The entries of the books the person keeps, and the letters handed to them."""
    return _either(
        IncomingEntry, incoming_entries_visible_to(user), distribution_letters_visible_to(user)
    )
